/**
 * Two or more senders on one data folder (issue 10, findings 2 and 3): a second `send --wait`
 * (and any other command that changes state) is refused with the owner's sentence, so the rate
 * is never split; four overlapping starts never show SQLite's "database is locked"; a SIGKILLed
 * owner leaves no stale lock: the next process takes the folder at once. After each scenario
 * the ledger check finds nothing, nobody is lost and nobody is sent twice.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../electron/engine/engine.ts';
import { createMemorySecrets } from '../../electron/engine/secrets/index.ts';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../electron/engine/sandbox/index.ts';
import { makeList, numbers, tempDir, waitFor, TEST_TOKEN } from '../helpers/engine.ts';
import { cli, maxInWindow, printSummary, recordStats } from './support.ts';
import { acceptedCounts, ledgerViolations } from './ledger.ts';

const SEED = 11_2026;
const OWNER = (pid: number | undefined) =>
  new RegExp(
    `^smsdesk: SMS Desk is sending from this folder: process ${pid} \\(smsdesk send\\), since \\d\\d:\\d\\d; use that window or stop it first\\.$`,
    'm',
  );
// Before the winner has written who it is, a loser may only know that someone holds the folder.
const ANY_OWNER =
  /^smsdesk: (SMS Desk is sending from this folder: process \d+ \(smsdesk send\), since \d\d:\d\d|Another SMS Desk process is using this data folder); use that window or stop it first\.$/m;

const totals = { recipients: 0, crashes: 0, lost: 0, duplicated: 0 };
let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});
afterAll(() => {
  recordStats('senders', { ...totals, faults: 0, tokenLeaks: 0 });
  printSummary();
});

async function folder(opts: {
  sandbox?: SandboxOptions;
  settings: Record<string, unknown>;
  campaigns: Array<{ n: number; start: number }>;
}) {
  sandbox = await startSandbox({
    tokens: [TEST_TOKEN],
    seed: SEED,
    timing: { dispatchMs: 50, finalMs: 150 },
    ...opts.sandbox,
  });
  const dataDir = tempDir('smsdesk-faults-senders-');
  const setup = await createEngine({
    dataDir,
    secrets: createMemorySecrets(TEST_TOKEN),
    gatewayUrl: sandbox.url,
    env: {},
  });
  for (const [k, v] of Object.entries({
    'retry.initialMs': 100,
    'retry.maxMs': 400,
    'dlr.initialIntervalMs': 200,
    'dlr.maxIntervalMs': 800,
    ...opts.settings,
  }))
    setup.settings.set(k as never, v);
  const ids: number[] = [];
  const all: string[][] = [];
  for (const [i, c] of opts.campaigns.entries()) {
    const nums = numbers(c.n, c.start);
    makeList(
      setup,
      `senders${i}`,
      nums.map((phone) => ({ phone })),
    );
    ids.push((await setup.campaigns.create({ list: `senders${i}`, from: 'ACME', text: `campaign ${i}` })).id);
    all.push(nums);
  }
  await setup.close();
  const env = { SMSDESK_TOKEN: TEST_TOKEN, SMSDESK_GATEWAY_URL: sandbox.url };
  // The command's bundle is rebuilt when a source is newer: done once here, not by four racing starts.
  const warm = await cli(dataDir, ['campaign', 'list'], env).done;
  expect(warm.code, warm.err).toBe(0);
  return { sb: sandbox, dataDir, env, ids, all };
}

function tally(sb: Sandbox, all: string[]) {
  const counts = acceptedCounts(sb.record().accepted);
  const lost = all.filter((n) => !counts.has(n));
  const twice = all.filter((n) => (counts.get(n) ?? 0) > 1);
  totals.recipients += all.length;
  totals.lost += lost.length;
  totals.duplicated += twice.length;
  return { lost, twice };
}

describe('a second sender on one folder', () => {
  it("is refused with the owner's sentence, as is every command that would change state; the rate holds", async () => {
    const RPS = 5;
    const { sb, dataDir, env, ids, all } = await folder({
      sandbox: { latencyMs: 100 },
      settings: { 'rate.requestsPerSecond': RPS, 'rate.recipientsPerRequest': 10 },
      campaigns: [
        { n: 300, start: 400_000 },
        { n: 50, start: 410_000 },
      ],
    });
    const a = cli(dataDir, ['send', String(ids[0]), '--wait'], env);
    await waitFor(
      () => sb.record().accepted.length >= 2 || a.child.exitCode !== null,
      'the first sender is under way',
      30_000,
    );
    expect(a.child.exitCode, 'still sending').toBeNull();

    const refused = await Promise.all(
      [
        ['send', String(ids[0]), '--wait'],
        ['send', String(ids[1]), '--wait'],
        ['send', String(ids[1])],
        ['pause', String(ids[0])],
        ['resolve', String(ids[0]), '--resend'],
        ['config', 'set', 'rate.requestsPerSecond', '50'],
      ].map((args) => cli(dataDir, args, env).done.then((r) => ({ args, ...r }))),
    );
    expect(a.child.exitCode, 'the first sender outlived the attempts').toBeNull();
    for (const r of refused) {
      expect(r.code, r.args.join(' ')).toBe(1);
      expect(r.err, r.args.join(' ')).toMatch(OWNER(a.child.pid));
      expect(JSON.parse(r.out).error.code).toBe('FOLDER_BUSY');
    }

    const first = await a.done;
    expect(first.code, first.err).toBe(0);
    expect(JSON.parse(first.out).state).toBe('completed');
    // Nothing the refused commands asked for happened: the setting, the second campaign.
    const after = await cli(dataDir, ['config', 'get', 'rate.requestsPerSecond'], env).done;
    expect(JSON.parse(after.out).value).toBe(RPS);
    expect(JSON.parse((await cli(dataDir, ['status', String(ids[1])], env).done).out).state).toBe('draft');
    // Once the first has finished, the folder is free for the second campaign.
    const second = await cli(dataDir, ['send', String(ids[1]), '--wait'], env).done;
    expect(second.code, second.err).toBe(0);
    expect(JSON.parse(second.out).state).toBe('completed');

    const { lost, twice } = tally(sb, all.flat());
    expect(lost).toEqual([]);
    expect(twice).toEqual([]);
    const peak = maxInWindow(sb.record().arrivals);
    expect(peak, 'requests in one second').toBeLessThanOrEqual(RPS);
    expect(ledgerViolations(dataDir)).toEqual([]);
    console.log(
      `senders: two on one folder, ${refused.length} refused commands, lost ${lost.length}, duplicated ${twice.length}, peak ${peak}/s (limit ${RPS})`,
    );
  }, 120_000);

  it('four overlapping starts: one sends, three are refused with a sentence, never "database is locked"', async () => {
    const RPS = 5;
    const { sb, dataDir, env, ids, all } = await folder({
      settings: { 'rate.requestsPerSecond': RPS, 'rate.recipientsPerRequest': 10 },
      campaigns: [{ n: 200, start: 420_000 }],
    });
    const runs = await Promise.all([0, 1, 2, 3].map(() => cli(dataDir, ['send', String(ids[0]), '--wait'], env).done));
    for (const r of runs) expect(`${r.out}\n${r.err}`).not.toMatch(/database is locked|SQLITE_BUSY/i);
    const won = runs.filter((r) => r.code === 0);
    const lostRace = runs.filter((r) => r.code !== 0);
    expect(won).toHaveLength(1);
    expect(JSON.parse(won[0].out).state).toBe('completed');
    expect(lostRace).toHaveLength(3);
    for (const r of lostRace) {
      expect(r.code).toBe(1);
      expect(r.err).toMatch(ANY_OWNER);
    }
    const { lost, twice } = tally(sb, all[0]);
    expect(lost).toEqual([]);
    expect(twice).toEqual([]);
    expect(maxInWindow(sb.record().arrivals)).toBeLessThanOrEqual(RPS);
    expect(ledgerViolations(dataDir)).toEqual([]);
  }, 120_000);

  it('four overlapping first starts in a new folder (three reading, one writing) all succeed: readers wait for the ledger to exist', async () => {
    const dataDir = path.join(tempDir('smsdesk-faults-fresh-'), 'data');
    const warm = await cli(tempDir('smsdesk-faults-warm-'), ['lists'], {}).done; // the command's bundle, built once
    expect(warm.code, warm.err).toBe(0);
    const runs = await Promise.all(
      [
        ['lists'],
        ['campaign', 'list'],
        ['config', 'get', 'rate.requestsPerSecond'],
        ['config', 'set', 'rate.requestsPerSecond', '7'],
      ].map((args) => cli(dataDir, args, {}).done.then((r) => ({ args, ...r }))),
    );
    for (const r of runs) {
      expect(`${r.out}\n${r.err}`, r.args.join(' ')).not.toMatch(/database is locked|SQLITE_BUSY/i);
      expect(r.code, `${r.args.join(' ')}: ${r.err}`).toBe(0);
    }
    expect(JSON.parse((await cli(dataDir, ['config', 'get', 'rate.requestsPerSecond'], {}).done).out).value).toBe(7);
    expect(ledgerViolations(dataDir)).toEqual([]);
  }, 60_000);

  it('a SIGKILLed owner leaves no stale lock: the next sender takes the folder at once and finishes', async () => {
    const RPS = 10;
    const { sb, dataDir, env, ids, all } = await folder({
      sandbox: { latencyMs: 200 },
      settings: { 'rate.requestsPerSecond': RPS, 'rate.recipientsPerRequest': 10, 'gateway.answerTimeoutMs': 1000 },
      campaigns: [{ n: 300, start: 430_000 }],
    });
    const a = cli(dataDir, ['send', String(ids[0]), '--wait'], env);
    await waitFor(() => sb.record().accepted.length >= 5 || a.child.exitCode !== null, '5 batches accepted', 30_000);
    expect(a.child.exitCode).toBeNull();
    a.child.kill('SIGKILL');
    const killed = await a.done;
    expect(killed.signal).toBe('SIGKILL');
    totals.crashes++;
    // The dead owner's record is still there; the lock it described is not.
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'owner.json'), 'utf8')).pid).toBe(a.child.pid);

    const b = cli(dataDir, ['send', String(ids[0]), '--wait'], env);
    // It owns the folder as soon as it has started: a reader now sees it, not the dead process.
    await waitFor(
      () => {
        try {
          return JSON.parse(fs.readFileSync(path.join(dataDir, 'owner.json'), 'utf8')).pid === b.child.pid;
        } catch {
          return false;
        }
      },
      'the next sender holds the folder',
      10_000,
    );
    let last = await b.done;
    expect(last.code, last.err).toBe(0);
    expect(last.err).not.toMatch(ANY_OWNER);

    // Reports settle what was in flight at the kill; what stays unknown is the user's decision.
    let resent = 0;
    for (let round = 0; ; round++) {
      last = await cli(dataDir, ['dlr', String(ids[0]), '--wait', '2'], env).done;
      expect(last.code, last.err).toBe(0);
      const s = JSON.parse(last.out);
      if (s.counts.uncertain === 0) {
        expect(s.state).toBe('completed');
        break;
      }
      expect(round, 'resend rounds').toBeLessThan(6);
      if (s.needsDecision === 0) continue;
      resent += s.needsDecision;
      expect((await cli(dataDir, ['resolve', String(ids[0]), '--resend'], env).done).code).toBe(0);
      expect((await cli(dataDir, ['send', String(ids[0]), '--wait'], env).done).code).toBe(0);
    }
    const { lost, twice } = tally(sb, all[0]);
    expect(lost).toEqual([]);
    expect(twice).toEqual([]);
    expect(maxInWindow(sb.record().arrivals), 'requests in one second, across the kill').toBeLessThanOrEqual(RPS);
    expect(fs.existsSync(path.join(dataDir, 'owner.json')), 'a clean exit removes its record').toBe(false);
    expect(ledgerViolations(dataDir)).toEqual([]);
    console.log(
      `senders: SIGKILLed owner, next sender took over; resent by decision ${resent}, lost ${lost.length}, duplicated ${twice.length}`,
    );
  }, 120_000);
});
