/**
 * A 20,000-recipient campaign through a gateway that misbehaves in every way the contract
 * names, at once: every recipient ends accepted exactly once, or is listed as uncertain with its
 * exact recipients until the user decides; nobody is accepted twice; the rate holds.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { engineWithSandbox, makeList, numbers, waitFor, TEST_TOKEN } from '../helpers/engine.ts';
import type { FaultConfig } from '../../electron/engine/sandbox/sandbox.ts';
import { filesContaining, maxInWindow, printSummary, recordStats } from './support.ts';
import { checkLedger } from '../../electron/engine/queue/invariants.ts';

const N = 20_000;
const RPS = 40;

// Mutually exclusive per request (sum 0.265), plus slow answers drawn separately.
const MIX: FaultConfig = {
  p500: 0.05,
  p503: 0.06,
  p429: 0.015,
  pResetBefore: 0.05,
  pAcceptThen500: 0.05,
  pAcceptThenHang: 0.05,
  pSlow: 0.1,
  slowMs: 120,
};

afterAll(() => printSummary());

describe('gateway faults: 20,000 recipients through every fault mode at once', () => {
  it('ends with each recipient accepted exactly once or explicitly reported; rate never exceeded', async () => {
    const t = await engineWithSandbox({
      sandbox: { faults: { ...MIX, seed: 20260 }, timing: { dispatchMs: 40, finalMs: 120 } },
      settings: {
        'rate.requestsPerSecond': RPS,
        'rate.recipientsPerRequest': 100,
        'rate.maxInFlight': 2,
        'gateway.answerTimeoutMs': 400,
        'gateway.connectTimeoutMs': 400,
        'retry.initialMs': 50,
        'retry.maxMs': 300,
        'dlr.initialIntervalMs': 100,
        'dlr.maxIntervalMs': 300,
      },
    });
    const { engine, sandbox } = t;
    try {
      const all = numbers(N);
      makeList(
        engine,
        'faults',
        all.map((phone) => ({ phone })),
      );
      const c = await engine.campaigns.create({ list: 'faults', from: 'ACME', text: 'Identical text for everyone' });
      expect(c.recipients).toBe(N);
      const blocked: Array<string | null> = [];
      engine.on((e) => {
        if (e.type === 'sending-blocked') blocked.push((e.detail as { code: string | null }).code);
      });
      engine.campaigns.send(c.id);
      engine.start();

      // Down then back, in the middle of the run, with the mix still on.
      await waitFor(() => sandbox.record().accepted.length >= 60, '60 batches accepted', 60_000);
      sandbox.setFaults({ ...MIX, downUntil: Date.now() + 1200 });
      await waitFor(() => blocked.includes('offline'), 'the engine notices the gateway is down');
      let s = await engine.waitIdle(c.id);
      // Not "completed" while anyone's outcome is still undecided.
      expect(s.state).toBe(s.counts.uncertain > 0 ? 'sending' : 'completed');
      expect(s.counts.queued + s.counts.submitting).toBe(0);

      // Reports settle what was accepted-then-lost; the rest waits for the user, listed exactly.
      const resent = new Set<string>();
      for (let round = 0; ; round++) {
        s = await waitFor(
          () => {
            const x = engine.campaigns.status(c.id);
            return x.counts.uncertain === x.needsDecision ? x : null;
          },
          'every uncertain batch looked up',
          30_000,
        );
        if (s.counts.uncertain === 0) break;
        expect(round, 'resend rounds').toBeLessThan(6);
        const listed = engine.campaigns.uncertain(c.id).batches.flatMap((b) => b.recipients.map((r) => r.msisdn));
        const inDb = engine.db
          .prepare<[number], string>(`SELECT msisdn FROM messages WHERE campaign_id = ? AND status = 'uncertain'`)
          .pluck()
          .all(c.id);
        expect(new Set(listed)).toEqual(new Set(inDb));
        expect(listed).toHaveLength(s.counts.uncertain);
        // What the engine could not prove was accepted really was not (these were 500/reset).
        for (const n of listed) expect(sandbox.acceptedCount(n), n).toBe(0);
        for (const n of listed) resent.add(n);
        engine.campaigns.resolve(c.id, 'resend');
        s = await engine.waitIdle(c.id);
      }

      await waitFor(
        () => engine.campaigns.status(c.id).state === 'completed',
        'completed once every recipient is settled or decided',
      );
      expect(checkLedger(engine.db, { thorough: true })).toEqual([]);
      const rec = sandbox.record();
      const counts = new Map<string, number>();
      for (const b of rec.accepted) for (const n of b.to) counts.set(n, (counts.get(n) ?? 0) + 1);
      const lost = all.filter((n) => !counts.has(n));
      const twice = all.filter((n) => (counts.get(n) ?? 0) > 1);
      // Refused before the gateway took them (none expected with this mix); failures reported
      // by delivery reports after acceptance are accepted recipients and count as such.
      const failed = engine.db
        .prepare<[number], { msisdn: string; reason: string | null }>(
          `SELECT msisdn, reason FROM messages WHERE campaign_id = ? AND status = 'failed' AND accepted_at IS NULL`,
        )
        .all(c.id);
      for (const f of failed) expect(f.reason, f.msisdn).toBeTruthy();
      const failedSet = new Set(failed.map((f) => f.msisdn));
      expect(lost.filter((n) => !failedSet.has(n))).toEqual([]);
      expect(twice).toEqual([]);
      expect(rec.accepted.reduce((n, b) => n + b.to.length, 0)).toBe(N - failed.length);

      const injected = Object.values(rec.faultsInjected).reduce((a, b) => a + b, 0);
      for (const k of ['p500', 'p503', 'p429', 'pResetBefore', 'pAcceptThen500', 'pAcceptThenHang', 'pSlow', 'down']) {
        expect(rec.faultsInjected[k] ?? 0, k).toBeGreaterThan(0);
      }
      expect(rec.duplicates, 'client references repeated to the gateway').toBe(0);
      expect(maxInWindow(rec.arrivals)).toBeLessThanOrEqual(RPS);
      const leaks = filesContaining(t.dataDir, TEST_TOKEN);
      expect(leaks).toEqual([]);
      recordStats('gateway', {
        recipients: N,
        faults: injected,
        crashes: 0,
        lost: lost.length - failed.length,
        duplicated: twice.length,
        tokenLeaks: leaks.length,
        notes: [`resent by decision ${resent.size}`],
      });
      console.log(
        `gateway faults: ${rec.requests} requests, faults ${JSON.stringify(rec.faultsInjected)}, resent by decision ${resent.size}, peak ${maxInWindow(rec.arrivals)}/s`,
      );
    } finally {
      await t.close();
    }
  }, 180_000);
});

describe("the user's decision covers only batches whose lookup found nothing", () => {
  it('"resend" re-sends only batches whose report lookup came back empty, never one still being checked', async () => {
    const t = await engineWithSandbox({
      sandbox: { faults: { p500: 1 } },
      settings: {
        'rate.requestsPerSecond': 0.5,
        'rate.recipientsPerRequest': 10,
        'dlr.initialIntervalMs': 100,
        'dlr.maxIntervalMs': 200,
      },
    });
    const { engine, sandbox } = t;
    try {
      const all = numbers(20, 50_000);
      makeList(
        engine,
        'decide',
        all.map((phone) => ({ phone })),
      );
      const c = await engine.campaigns.create({ list: 'decide', from: 'ACME', text: 'decide' });
      engine.campaigns.send(c.id);
      engine.start();
      // Batch A: a plain 500, looked up, not found: the user is asked about its 10 recipients.
      await waitFor(() => engine.campaigns.status(c.id).needsDecision === 10, 'batch A needs a decision');
      // Batch B: accepted, then a 500; its report lookup is not due for a minute.
      engine.settings.set('dlr.initialIntervalMs', 60_000);
      sandbox.setFaults({ pAcceptThen500: 1 });
      await waitFor(() => engine.campaigns.status(c.id).counts.uncertain === 20, 'batch B uncertain too');
      expect(engine.campaigns.status(c.id).needsDecision).toBe(10);
      // Both batches are listed (the window shows them); the decision will cover batch A only.
      expect(engine.campaigns.uncertain(c.id).batches.flatMap((b) => b.recipients.map((r) => r.msisdn))).toEqual(all);
      sandbox.setFaults({});
      engine.campaigns.resolve(c.id, 'resend');
      await engine.waitIdle(c.id);
      const s = engine.campaigns.status(c.id);
      expect(s.counts.uncertain, 'batch B still waits for its report').toBe(10);
      const twice = all.filter((n) => sandbox.acceptedCount(n) > 1);
      expect(twice).toEqual([]);
      for (const n of all) expect(sandbox.acceptedCount(n), n).toBe(1);
      expect(checkLedger(engine.db, { thorough: true })).toEqual([]);
    } finally {
      await t.close();
    }
  }, 60_000);
});
