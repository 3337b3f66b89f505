/**
 * The data file cannot take writes mid-send: sending pauses with a clear message (event
 * 'sending-blocked', code 'storage'), nothing is marked sent that the gateway did not accept,
 * and sending continues by itself once writes work again.
 *
 * Mechanisms, all real: SQLite's own size cap (PRAGMA max_page_count: the file is "full" for
 * SQLite exactly as on a full disk, SQLITE_FULL), and where this process may mount (root with
 * CAP_SYS_ADMIN, as in the CI container) a tiny tmpfs that is filled up, and one remounted
 * read-only before start-up. chmod is not used: tests run as root, which chmod does not stop, and an open file
 * keeps its write access after a chmod anyway.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../electron/engine/engine.ts';
import { createMemorySecrets } from '../../electron/engine/secrets/index.ts';
import { engineWithSandbox, makeList, numbers, tempDir, waitFor, TEST_TOKEN } from '../helpers/engine.ts';
import { filesContaining, printSummary, recordStats } from './support.ts';
import { checkLedger } from '../../electron/engine/queue/invariants.ts';
import { MESSAGES_SEEN } from '../../electron/engine/queue/status.ts';

const stats = { recipients: 0, faults: 0, crashes: 0, lost: 0, duplicated: 0, tokenLeaks: 0 };
afterAll(() => {
  recordStats('storage', stats);
  printSummary();
});

type Blocked = { code: string | null; message: string | null };

/** marked as taken by the gateway: accepted, or any later status (a report may say failed) */
const TAKEN = `(status IN ('accepted', 'sent', 'delivered', 'rejected', 'expired', 'unknown') OR accepted_at IS NOT NULL)`;

/** Runs a campaign, calls block() mid-send, checks the pause, calls unblock(), checks the end. */
async function blockMidSend(
  dataDir: string | undefined,
  block: (t: Awaited<ReturnType<typeof engineWithSandbox>>) => void,
  unblock: (t: Awaited<ReturnType<typeof engineWithSandbox>>) => void,
  message: RegExp,
) {
  const N = 3000;
  const lines: string[] = [];
  const t = await engineWithSandbox({
    dataDir,
    engine: { log: (l) => lines.push(l) },
    sandbox: { timing: { dispatchMs: 30, finalMs: 80 } },
    settings: { 'rate.requestsPerSecond': 30, 'rate.recipientsPerRequest': 30 },
  });
  const { engine, sandbox } = t;
  try {
    makeList(
      engine,
      'disk',
      numbers(N).map((phone) => ({ phone, name: 'A reasonably long name to grow the pages' })),
      ['name'],
    );
    const c = await engine.campaigns.create({ list: 'disk', from: 'ACME', text: 'Hello {name}' });
    const events: Blocked[] = [];
    engine.on((e) => {
      if (e.type === 'sending-blocked') events.push(e.detail as Blocked);
    });
    engine.campaigns.send(c.id);
    engine.start();
    await waitFor(() => sandbox.record().accepted.length >= 10, '10 batches accepted');
    block(t);
    const ev = await waitFor(() => events.find((e) => e.code === 'storage'), 'sending-blocked storage event', 30_000);
    expect(ev.message).toMatch(message);
    expect(ev.message).toMatch(/continues by itself/);

    // Paused: after the engine has retried the write twice, at most one more request went out.
    const requestsAtBlock = sandbox.record().requests;
    const retries = lines.filter((l) => /could not record|retrying/.test(l)).length;
    await waitFor(
      () =>
        lines.filter((l) => /could not record|retrying/.test(l)).length >= retries + 2 ||
        engine.campaigns.status(c.id).counts.submitting === 0,
      'the engine retrying its write',
      15_000,
    );
    expect(sandbox.record().requests - requestsAtBlock).toBeLessThanOrEqual(1);

    // Nothing marked accepted (or later) that the gateway has not accepted.
    const accepted = new Set(sandbox.record().accepted.flatMap((b) => b.to));
    const marked = engine.db
      .prepare<[number], string>(`SELECT msisdn FROM ${MESSAGES_SEEN} AS m WHERE campaign_id = ? AND ${TAKEN}`)
      .pluck()
      .all(c.id);
    expect(marked.filter((n) => !accepted.has(n))).toEqual([]);

    unblock(t);
    await waitFor(
      () => events.length > 0 && events[events.length - 1].code === null,
      'sending-blocked cleared',
      30_000,
    );
    const s = await engine.waitIdle(c.id);
    expect(s.state).toBe('completed');
    const lost = numbers(N).filter((n) => sandbox.acceptedCount(n) === 0);
    const twice = numbers(N).filter((n) => sandbox.acceptedCount(n) > 1);
    expect(lost).toEqual([]);
    expect(twice).toEqual([]);
    const markedEnd = engine.db
      .prepare<[number], number>(`SELECT count(*) FROM ${MESSAGES_SEEN} AS m WHERE campaign_id = ? AND ${TAKEN}`)
      .pluck()
      .get(c.id);
    expect(markedEnd).toBe(N);
    expect(checkLedger(engine.db, { thorough: true })).toEqual([]);
    stats.recipients += N;
    stats.faults += 1;
    stats.lost += lost.length;
    stats.duplicated += twice.length;
    stats.tokenLeaks += filesContaining(t.dataDir, TEST_TOKEN).length;
  } finally {
    await t.close();
  }
}

function canMount(): boolean {
  const dir = tempDir('smsdesk-mount-probe-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
    execFileSync('umount', [dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
const mountable = canMount();

describe('storage trouble mid-send', () => {
  it('the data file is full (SQLite page cap): pause with a clear message, resume when space is back', async () => {
    let pageCap = 0;
    await blockMidSend(
      undefined,
      (t) => {
        pageCap = t.engine.db.pragma('page_count', { simple: true }) as number;
        t.engine.db.pragma(`max_page_count = ${pageCap}`);
      },
      (t) => {
        expect(pageCap).toBeGreaterThan(0);
        t.engine.db.pragma('max_page_count = 1073741823');
      },
      /disk holding .* is full/,
    );
  }, 90_000);

  it.skipIf(!mountable)(
    'a real tiny disk (tmpfs) filled up, then space freed',
    async () => {
      const mnt = tempDir('smsdesk-tmpfs-');
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mnt]);
      const filler = path.join(mnt, 'filler.bin');
      try {
        await blockMidSend(
          path.join(mnt, 'data'),
          () => {
            // Fill every free byte; the WAL then cannot grow and the main file cannot take a checkpoint.
            const fd = fs.openSync(filler, 'w');
            const chunk = Buffer.alloc(64 * 1024);
            try {
              for (;;) fs.writeSync(fd, chunk);
            } catch (e) {
              if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
            } finally {
              fs.closeSync(fd);
            }
          },
          () => fs.rmSync(filler),
          /full|cannot be written/,
        );
      } finally {
        execFileSync('umount', ['-l', mnt]);
        fs.rmSync(mnt, { recursive: true, force: true });
      }
    },
    90_000,
  );

  it('quitting while writes are refused does not hang; the next start settles the batch in flight', async () => {
    // Found by this suite: close() waited for ever on the send loop's retrying write.
    const N = 100;
    const t = await engineWithSandbox({
      sandbox: { faults: { pSlow: 1, slowMs: 300 } },
      settings: { 'rate.recipientsPerRequest': 10 },
    });
    const { engine, sandbox, dataDir } = t;
    makeList(
      engine,
      'quit',
      numbers(N).map((phone) => ({ phone })),
    );
    const c = await engine.campaigns.create({ list: 'quit', from: 'ACME', text: 'quit while blocked' });
    const events: Blocked[] = [];
    engine.on((e) => {
      if (e.type === 'sending-blocked') events.push(e.detail as Blocked);
    });
    engine.campaigns.send(c.id);
    engine.start();
    await waitFor(() => engine.campaigns.status(c.id).counts.submitting > 0, 'a batch in flight');
    // SQLite refuses every write on this connection from now on (SQLITE_READONLY), as a disk would.
    engine.db.pragma('query_only = ON');
    await waitFor(() => events.some((e) => e.code === 'storage'), 'sending-blocked storage');
    const closed = await Promise.race([
      engine.close().then(() => 'closed'),
      new Promise((r) => setTimeout(r, 10_000, 'hung')),
    ]);
    expect(closed).toBe('closed');
    const again = await createEngine({
      dataDir,
      secrets: createMemorySecrets(TEST_TOKEN),
      gatewayUrl: sandbox.url,
      env: {},
    });
    try {
      for (const [k, v] of Object.entries({ 'dlr.initialIntervalMs': 100, 'rate.requestsPerSecond': 1000 }))
        again.settings.set(k as never, v);
      sandbox.setFaults({});
      again.start();
      const s = await waitFor(
        () => {
          const x = again.campaigns.status(c.id);
          return x.state === 'completed' && x.counts.uncertain === 0 ? x : null;
        },
        'the campaign finished after the restart',
        30_000,
      );
      expect(s.counts.queued + s.counts.submitting).toBe(0);
      for (const n of numbers(N)) expect(sandbox.acceptedCount(n), n).toBe(1);
      expect(checkLedger(again.db, { thorough: true })).toEqual([]);
      stats.recipients += N;
      stats.faults += 1;
    } finally {
      await again.close();
      await sandbox.close();
    }
  }, 60_000);

  // The kernel refuses to remount a filesystem read-only while a file on it is open for writing
  // (EBUSY), so "read-only" can only meet SMS Desk at start-up: it must say so clearly.
  it.skipIf(!mountable)(
    'a data folder on a read-only disk at start-up: one clear sentence, the file untouched',
    async () => {
      const mnt = tempDir('smsdesk-tmpfs-');
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mnt]);
      const dataDir = path.join(mnt, 'data');
      try {
        const first = await createEngine({ dataDir, secrets: createMemorySecrets(null), env: {} });
        makeList(
          first,
          'ro',
          numbers(10).map((phone) => ({ phone })),
        );
        await first.close();
        const before = fs.readFileSync(path.join(dataDir, 'smsdesk.db'));
        expect(() => execFileSync('mount', ['-o', 'remount,ro', mnt], { stdio: 'ignore' })).not.toThrow();
        const err = await createEngine({ dataDir, secrets: createMemorySecrets(null), env: {} }).then(
          () => null,
          (e: Error & { code?: string }) => e,
        );
        expect(err).toMatchObject({
          code: 'STORAGE',
          message: expect.stringMatching(/cannot open its data file .*read-only.*Make the folder writable/),
        });
        execFileSync('mount', ['-o', 'remount,rw', mnt]);
        expect(fs.readFileSync(path.join(dataDir, 'smsdesk.db')).equals(before)).toBe(true);
        const again = await createEngine({ dataDir, secrets: createMemorySecrets(null), env: {} });
        expect(again.lists.list().map((l) => l.contacts)).toEqual([10]);
        await again.close();
      } finally {
        execFileSync('umount', ['-l', mnt]);
        fs.rmSync(mnt, { recursive: true, force: true });
      }
    },
  );
});
