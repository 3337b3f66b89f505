/**
 * The cancel of an opt-out's queued messages goes in steps (campaigns/optedOut.ts): the app's
 * closing or a crash between the numbers being stored and the last step left the rest queued, and
 * they were sent at the next start. Now the cancel is marked due before the numbers are stored, and
 * the next start finishes it before anything is sent.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { databaseFile } from '../../electron/engine/paths.ts';
import { cli } from '../helpers/cli.ts';
import { makeList, numbers, tempDir, useEngines, waitFor, type TestEngine } from '../helpers/engine.ts';

const engineOn = useEngines();
const CUT = /^opt-outs: a cancel was cut short when the app stopped; (\d+) more queued message\(s\)/;

async function bigDraft(e: TestEngine, n: number) {
  const nums = numbers(n);
  makeList(
    e,
    'big',
    nums.map((phone) => ({ phone })),
  );
  const id = (await e.campaigns.create({ list: 'big', from: 'ACME', text: 'Hello' })).id;
  return { id, nums };
}

/** the message rows themselves, read from the file by a connection of the test's own */
function statusOf(dir: string, id: number, msisdn: string): string {
  const db = new Database(databaseFile(dir), { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare(`SELECT status FROM messages WHERE campaign_id = ? AND msisdn = ?`)
      .pluck()
      .get(id, msisdn) as string;
  } finally {
    db.close();
  }
}

describe('an opt-out cancel cut short', () => {
  it('by the app closing: the add says the rest is cancelled at the next start, and the next start does it', async () => {
    const dir = tempDir();
    let e = await engineOn(dir);
    const N = 11_000;
    const { id, nums } = await bigDraft(e, N);
    const first = nums[0]!;
    await e.optouts.add([first]);

    // The close lands between two steps of the cancel unless the engine's own closing (its threads,
    // the sender) takes longer than the steps left: the test then opens the folder again and tries
    // with the next number, at most 5 times, and says so if none was cut short.
    let caught: string | null = null;
    const tried: string[] = [];
    for (let k = 1; k <= 5 && !caught; k++) {
      const number = nums[N - k]!; // in the last step of three
      const adding = e.optouts.add([number]);
      await new Promise((resolve) => setImmediate(resolve));
      await e.close();
      const outcome = await adding.then(
        () => null,
        (err: unknown) => err,
      );
      tried.push(`${number}: ${outcome ? 'cut short' : 'finished before the close'}`);
      if (outcome) {
        expect(outcome).toMatchObject({
          code: 'STOPPED',
          message: expect.stringMatching(/the rest are cancelled when the app next opens, before anything is sent/),
        });
        caught = number;
      } else {
        // a cancel that ran to its end leaves nothing for the next start
        const lines: string[] = [];
        e = await engineOn(dir, lines);
        expect(lines.filter((l) => CUT.test(l))).toEqual([]);
      }
    }
    expect(caught, `a close in the middle of the cancel (tries: ${tried.join('; ')})`).not.toBeNull();
    // the crash-shaped state: on the list, still queued
    expect(statusOf(dir, id, caught!)).toBe('queued');
    expect(statusOf(dir, id, first)).toBe('cancelled');

    const lines: string[] = [];
    const again = await engineOn(dir, lines);
    expect(lines.filter((l) => CUT.test(l))).toEqual([expect.stringMatching(CUT)]);
    expect(Number(lines.find((l) => CUT.test(l))!.match(CUT)![1])).toBe(1);
    expect(statusOf(dir, id, caught!)).toBe('cancelled');
    const optedOut = 1 + tried.length;
    expect(again.campaigns.status(id).counts).toMatchObject({ queued: N - optedOut, cancelled: optedOut });
    await again.close();

    // done once: the start after says nothing more
    const later: string[] = [];
    await engineOn(dir, later);
    expect(later.filter((l) => CUT.test(l))).toEqual([]);
  }, 60_000);

  it('by SIGKILL of `smsdesk optout add` in the middle of its cancel: the next start cancels the rest before sending', async () => {
    const dir = tempDir('smsdesk-optout-kill-');
    const setup = await engineOn(dir);
    const N = 60_000;
    const { id, nums } = await bigDraft(setup, N);
    await setup.close();

    // the numbers are near the end of the queue: the cancel's steps reach them last
    const reader = new Database(databaseFile(dir), { readonly: true, fileMustExist: true });
    const onList = reader.prepare(`SELECT COUNT(*) FROM optouts WHERE msisdn = ?`).pluck();
    let caught: string | null = null;
    const tried: string[] = [];
    try {
      for (let k = 1; k <= 5 && !caught; k++) {
        const number = nums[N - k]!;
        const run = cli(path.resolve(dir), ['optout', 'add', number], {}, { json: false });
        await waitFor(() => onList.get(number) === 1 || run.child.exitCode !== null, 'the number on the list', 30_000);
        run.child.kill('SIGKILL');
        const r = await run.done;
        // the kill came after the number was stored and before its message was cancelled
        const s = statusOf(dir, id, number);
        tried.push(`${number}: ${r.signal ?? `exit ${r.code}`}, ${s}`);
        if (r.signal === 'SIGKILL' && s === 'queued') caught = number;
      }
    } finally {
      reader.close();
    }
    expect(caught, `a kill between storing and cancelling (tries: ${tried.join('; ')})`).not.toBeNull();

    const lines: string[] = [];
    const again = await engineOn(dir, lines);
    expect(lines).toContainEqual(expect.stringMatching(CUT));
    expect(statusOf(dir, id, caught!)).toBe('cancelled');
    // every number that reached the list lost its queued message, and the counters agree
    const optedOut = again.db.prepare(`SELECT COUNT(*) FROM optouts`).pluck().get() as number;
    expect(again.campaigns.status(id).counts).toMatchObject({ queued: N - optedOut, cancelled: optedOut });
  }, 120_000);
});
