/**
 * A second process reading the folder while `smsdesk send --wait` sends through a gateway that
 * answers 20 % of requests with 503 (issue 10, finding 1): status, dlr, export, lists and
 * campaign list once each, then ten status calls 2 s apart. The readers never recover, never
 * write, never look reports up; the sender loses nobody and sends nobody twice.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../electron/engine/engine.ts';
import { createMemorySecrets } from '../../electron/engine/secrets/index.ts';
import { startSandbox, type Sandbox } from '../../electron/engine/sandbox/index.ts';
import { makeList, numbers, tempDir, waitFor, TEST_TOKEN } from '../helpers/engine.ts';
import { cli, maxInWindow, printSummary, recordStats } from './support.ts';
import { acceptedCounts, ledgerViolations } from './ledger.ts';

const SEED = 10_2026;
const N = 600;
const RPS = 3;

let sandbox: Sandbox | undefined;
afterAll(async () => {
  await sandbox?.close();
  printSummary();
});

describe('a second process reading during a send', () => {
  it('status, dlr, export, lists and ten status calls 2 s apart beside a sender with 20 % 503s: nobody lost, nobody twice', async () => {
    sandbox = await startSandbox({
      tokens: [TEST_TOKEN],
      seed: SEED,
      latencyMs: 300,
      timing: { dispatchMs: 50, finalMs: 150 },
      faults: { seed: SEED, p503: 0.2 },
    });
    const sb = sandbox;
    const env = { SMSDESK_TOKEN: TEST_TOKEN, SMSDESK_GATEWAY_URL: sb.url };
    const dataDir = tempDir('smsdesk-faults-readers-');
    const setup = await createEngine({
      dataDir,
      secrets: createMemorySecrets(TEST_TOKEN),
      gatewayUrl: sb.url,
      env: {},
    });
    for (const [k, v] of Object.entries({
      'rate.requestsPerSecond': RPS,
      'rate.recipientsPerRequest': 10,
      'retry.initialMs': 100,
      'retry.maxMs': 400,
      'dlr.initialIntervalMs': 200,
      'dlr.maxIntervalMs': 800,
    }))
      setup.settings.set(k as never, v);
    const all = numbers(N, 300_000);
    makeList(
      setup,
      'readers',
      all.map((phone) => ({ phone })),
    );
    const c = await setup.campaigns.create({ list: 'readers', from: 'ACME', text: 'read beside me' });
    await setup.close();

    const sender = cli(dataDir, ['send', String(c.id), '--wait'], env);
    await waitFor(
      () => sb.record().accepted.length >= 2 || sender.child.exitCode !== null,
      'the sender is under way',
      30_000,
    );
    expect(sender.child.exitCode, 'still sending').toBeNull();
    const owner = new RegExp(
      `SMS Desk is sending from this folder: process ${sender.child.pid} \\(smsdesk send\\), since \\d\\d:\\d\\d; use that window or stop it first\\.`,
    );

    const out = path.join(dataDir, 'during.csv');
    const [status, dlr, exported, lists, campaigns] = await Promise.all([
      cli(dataDir, ['status', String(c.id)], env).done,
      cli(dataDir, ['dlr', String(c.id)], env).done,
      cli(dataDir, ['export', String(c.id), '--out', out], env).done,
      cli(dataDir, ['lists'], env).done,
      cli(dataDir, ['campaign', 'list'], env).done,
    ]);
    for (const r of [status, dlr, exported, lists, campaigns]) expect(r.code, r.err).toBe(0);
    expect(JSON.parse(status.out).state).toBe('sending');
    const d = JSON.parse(dlr.out);
    expect(d.readOnly).toBe(true);
    expect(d.note).toMatch(owner);
    expect(JSON.parse(exported.out).rows).toBe(N);
    expect(fs.readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(N + 1);
    expect(JSON.parse(lists.out).lists.map((l: { name: string }) => l.name)).toEqual(['readers']);
    expect(JSON.parse(campaigns.out).campaigns.map((x: { id: number }) => x.id)).toEqual([c.id]);

    // Ten status calls 2 s apart: the pacing is the scenario (a user checking), not a wait for a result.
    const t0 = Date.now();
    const seen: string[] = [];
    let during = 5;
    for (let i = 0; i < 10; i++) {
      const r = await cli(dataDir, ['status', String(c.id)], env).done;
      expect(r.code, r.err).toBe(0);
      const s = JSON.parse(r.out);
      seen.push(s.state);
      if (sender.child.exitCode === null) during++;
      await new Promise((res) => setTimeout(res, Math.max(0, t0 + 2000 * (i + 1) - Date.now())));
    }
    expect(seen[0]).toBe('sending');

    const fin = await sender.done;
    expect(fin.code, fin.err).toBe(0);
    const s = JSON.parse(fin.out);
    expect(s.state).toBe('completed');
    expect(s.counts.uncertain).toBe(0);
    expect(
      s.counts.accepted +
        s.counts.sent +
        s.counts.delivered +
        s.counts.failed +
        s.counts.rejected +
        s.counts.expired +
        s.counts.unknown,
    ).toBe(N);

    const rec = sb.record();
    const counts = acceptedCounts(rec.accepted);
    const lost = all.filter((n) => !counts.has(n));
    const twice = all.filter((n) => (counts.get(n) ?? 0) > 1);
    expect(lost).toEqual([]);
    expect(twice).toEqual([]);
    const peak = maxInWindow(rec.arrivals);
    expect(peak, 'requests in one second').toBeLessThanOrEqual(RPS);
    expect(rec.faultsInjected.p503 ?? 0, '503s injected').toBeGreaterThan(0);
    // Nobody but the sender touched the ledger: no recovery, no repair.
    const log = fs.readFileSync(path.join(dataDir, 'smsdesk.log'), 'utf8');
    expect(log).not.toMatch(/were in flight|ledger check/);
    expect(ledgerViolations(dataDir)).toEqual([]);
    recordStats('readers', {
      recipients: N,
      faults: rec.faultsInjected.p503 ?? 0,
      crashes: 0,
      lost: lost.length,
      duplicated: twice.length,
      tokenLeaks: 0,
      notes: [`${during} reader commands during the send`],
    });
    console.log(
      `readers: ${during} reader commands beside one sender, ${rec.requests} requests, ${rec.faultsInjected.p503} 503s, lost ${lost.length}, duplicated ${twice.length}, peak ${peak}/s (limit ${RPS})`,
    );
  }, 180_000);
});
