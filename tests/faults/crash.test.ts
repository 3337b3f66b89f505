/**
 * `smsdesk send --wait` killed with SIGKILL at 20 seeded-random moments while it sends to a
 * faulty gateway, restarted each time: at the end nobody is lost, nobody is accepted twice
 * (except by the user's decision on an unresolved batch), and the rate held across restarts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../electron/engine/engine.ts';
import { createMemorySecrets } from '../../electron/engine/secrets/index.ts';
import { startSandbox, type Sandbox } from '../../electron/engine/sandbox/index.ts';
import { makeList, numbers, tempDir, waitFor, TEST_TOKEN } from '../helpers/engine.ts';
import { cli, filesContaining, maxInWindow, printSummary, recordStats, seeded } from './support.ts';
import { ledgerViolations } from './ledger.ts';

const SEED = 5_2026;
const KILLS = 20;
const N = 10_000;
const RPS = 20;

let sandbox: Sandbox | undefined;
afterAll(async () => {
  await sandbox?.close();
  printSummary();
});

describe('crashes: SIGKILL of the sending process', () => {
  it(`${KILLS} kills at seeded moments, restarted each time: nothing lost, nothing sent twice`, async () => {
    sandbox = await startSandbox({
      tokens: [TEST_TOKEN],
      seed: SEED,
      timing: { dispatchMs: 50, finalMs: 150 },
      faults: {
        seed: SEED,
        p500: 0.04,
        p503: 0.04,
        p429: 0.01,
        pResetBefore: 0.04,
        pAcceptThen500: 0.04,
        pAcceptThenHang: 0.04,
        pSlow: 0.1,
        slowMs: 100,
      },
    });
    const sb = sandbox;
    const env = { SMSDESK_TOKEN: TEST_TOKEN, SMSDESK_GATEWAY_URL: sb.url };
    const dataDir = tempDir('smsdesk-faults-crash-');
    const setup = await createEngine({
      dataDir,
      secrets: createMemorySecrets(TEST_TOKEN),
      gatewayUrl: sb.url,
      env: {},
    });
    for (const [k, v] of Object.entries({
      'rate.requestsPerSecond': RPS,
      'rate.recipientsPerRequest': 50,
      'gateway.answerTimeoutMs': 400,
      'retry.initialMs': 50,
      'retry.maxMs': 300,
      'dlr.initialIntervalMs': 100,
      'dlr.maxIntervalMs': 400,
    }))
      setup.settings.set(k as never, v);
    makeList(
      setup,
      'crash',
      numbers(N).map((phone) => ({ phone })),
    );
    const c = await setup.campaigns.create({ list: 'crash', from: 'ACME', text: 'crash under faults' });
    await setup.close();

    const rnd = seeded(SEED);
    const plan: string[] = [];
    const crashOutput: string[] = [];
    let kills = 0;
    for (let i = 0; i < KILLS; i++) {
      const run = cli(dataDir, ['send', String(c.id), '--wait'], env);
      // Half the moments are a delay from the start (start-up, recovery, the first requests),
      // half are "after k more batches were accepted" (deep inside the send loop).
      if (rnd() < 0.5) {
        const ms = Math.round(100 + rnd() * 1100);
        plan.push(`${ms}ms`);
        await new Promise((r) => setTimeout(r, ms)); // the kill moment itself: a seeded point in time, not a wait for a result
      } else {
        const k = 1 + Math.floor(rnd() * 5);
        plan.push(`+${k} batches`);
        const target = sb.record().accepted.length + k;
        await waitFor(
          () => sb.record().accepted.length >= target || run.child.exitCode !== null,
          `${k} more batches`,
          60_000,
        );
      }
      if (run.child.exitCode === null) kills++;
      run.child.kill('SIGKILL');
      const r = await run.done;
      crashOutput.push(r.out, r.err);
    }
    expect(kills, `kill plan ${plan.join(', ')}`).toBe(KILLS);
    const acceptedAtLastKill = sb.record().accepted.reduce((n, b) => n + b.to.length, 0);
    expect(acceptedAtLastKill, 'the campaign was still running at the last kill').toBeLessThan(N);

    // Finish, let reports settle uncertain batches, then the user re-sends what stays unknown.
    let last = await cli(dataDir, ['send', String(c.id), '--wait'], env).done;
    expect(last.code, last.err).toBe(0);
    let resentByDecision = 0;
    for (let round = 0; ; round++) {
      last = await cli(dataDir, ['dlr', String(c.id), '--wait', '2'], env).done;
      expect(last.code, last.err).toBe(0);
      const status = JSON.parse(last.out);
      if (status.counts.uncertain === 0) break;
      expect(round, 'resend rounds').toBeLessThan(6);
      expect(status.needsDecision).toBe(status.counts.uncertain);
      resentByDecision += status.counts.uncertain;
      const r = await cli(dataDir, ['resolve', String(c.id), '--resend'], env).done;
      expect(r.code, r.err).toBe(0);
      last = await cli(dataDir, ['send', String(c.id), '--wait'], env).done;
      expect(last.code, last.err).toBe(0);
    }

    const rec = sb.record();
    const counts = new Map<string, number>();
    for (const b of rec.accepted) for (const n of b.to) counts.set(n, (counts.get(n) ?? 0) + 1);
    const lost = numbers(N).filter((n) => !counts.has(n));
    const twice = numbers(N).filter((n) => (counts.get(n) ?? 0) > 1);
    expect(lost).toEqual([]);
    expect(twice).toEqual([]);
    expect(ledgerViolations(dataDir)).toEqual([]);
    expect(maxInWindow(rec.arrivals), 'requests in one second, over all restarts').toBeLessThanOrEqual(RPS);
    const leaks = [
      ...filesContaining(dataDir, TEST_TOKEN),
      ...crashOutput.filter((s) => s.includes(TEST_TOKEN)).map(() => 'crash output'),
    ];
    expect(leaks).toEqual([]);
    const injected = Object.values(rec.faultsInjected).reduce((a, b) => a + b, 0);
    recordStats('crash', {
      recipients: N,
      faults: injected,
      crashes: kills,
      lost: lost.length,
      duplicated: twice.length,
      tokenLeaks: leaks.length,
    });
    const logText = fs.readFileSync(path.join(dataDir, 'smsdesk.log'), 'utf8');
    const inFlight = (logText.match(/were in flight when the app stopped/g) ?? []).length;
    console.log(
      `crashes: kills at ${plan.join(', ')}; ${inFlight} restarts found a request in flight; ${rec.requests} requests, ${rec.duplicates} repeats of a known reference, resent by decision ${resentByDecision}, peak ${maxInWindow(rec.arrivals)}/s`,
    );
  }, 240_000);
});
