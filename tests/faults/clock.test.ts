/**
 * The wall clock jumps by hours (the user fixes the time, a laptop wakes in another time zone,
 * NTP steps it) while a scheduled campaign sends. What "correct" means here:
 *  - A local schedule follows wall time: "send at 09:00" goes when this computer's clock says
 *    09:00, also when the clock got there by a jump (and not while it is jumped back before it).
 *  - Rate windows follow the monotonic clock: no jump lets a burst through or stops sending.
 *  - Waits the ledger stores as wall times (back-off after 429/503, the next delivery-report
 *    poll) are never stretched by a backward jump beyond their own maximum length.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../electron/engine/clock.ts';
import { engineWithSandbox, makeList, numbers, waitFor, TEST_TOKEN } from '../helpers/engine.ts';
import { filesContaining, maxInWindow, printSummary, recordStats } from './support.ts';
import { checkLedger } from '../../electron/engine/queue/invariants.ts';

const HOUR = 3_600_000;
const stats = { recipients: 0, faults: 0, crashes: 0, lost: 0, duplicated: 0, tokenLeaks: 0 };
afterAll(() => {
  recordStats('clock', stats);
  printSummary();
});

function jumpingClock() {
  let offset = 0;
  const clock: Clock = { now: () => Date.now() + offset, mono: () => performance.now() };
  return {
    clock,
    jump: (ms: number) => {
      offset += ms;
    },
  };
}

describe('clock jumps during a scheduled send', () => {
  it('the schedule follows wall time, rate windows stay monotonic, back-off and report polls survive jumps back', async () => {
    const RPS = 20;
    const N = 400;
    const { clock, jump } = jumpingClock();
    const t = await engineWithSandbox({
      engine: { clock },
      sandbox: { faults: { seed: 9, p503: 0.12, p429: 0.03 }, timing: { dispatchMs: 40, finalMs: 120 } },
      settings: {
        'rate.requestsPerSecond': RPS,
        'rate.recipientsPerRequest': 5,
        'retry.initialMs': 100,
        'retry.maxMs': 400,
        'dlr.initialIntervalMs': 100,
        'dlr.maxIntervalMs': 400,
      },
    });
    const { engine, sandbox } = t;
    try {
      makeList(
        engine,
        'clock',
        numbers(N).map((phone) => ({ phone })),
      );
      const sendAt = clock.now() + 3 * HOUR;
      const c = await engine.campaigns.create({
        list: 'clock',
        from: 'ACME',
        text: 'on time',
        sendAt,
        schedule: 'local',
      });
      expect(engine.campaigns.send(c.id).state).toBe('scheduled');
      engine.start();

      // Back by 5 hours: the send time is now 8 hours away; nothing goes.
      jump(-5 * HOUR);
      // Forward by 2 hours: still 6 hours early.
      jump(2 * HOUR);
      expect(engine.campaigns.status(c.id).state).toBe('scheduled');
      expect(sandbox.record().requests).toBe(0);
      // Forward past the send time: it starts, as the wall clock says it is time.
      jump(6 * HOUR + 60_000);
      await waitFor(
        () => sandbox.record().accepted.length > 0,
        'sending starts once the wall clock passes the send time',
      );
      expect(engine.campaigns.status(c.id).startedAt).toBeGreaterThanOrEqual(sendAt);

      // Mid-send: back 6 hours (after some 503/429 back-offs were written), then forward 4.
      await waitFor(
        () => sandbox.record().accepted.length >= 15 && (sandbox.record().faultsInjected.p503 ?? 0) > 0,
        '15 batches and a back-off',
      );
      jump(-6 * HOUR);
      await waitFor(() => sandbox.record().accepted.length >= 40, '40 batches after the jump back', 15_000);
      jump(4 * HOUR);
      const s = await engine.waitIdle(c.id);
      expect(s.state).toBe('completed');

      const rec = sandbox.record();
      expect(maxInWindow(rec.arrivals)).toBeLessThanOrEqual(RPS);
      for (const n of numbers(N)) expect(sandbox.acceptedCount(n)).toBe(1);
      // Report polls scheduled before the jump back still happen within their interval.
      jump(-3 * HOUR);
      await waitFor(
        () => {
          const x = engine.campaigns.status(c.id);
          return x.counts.accepted + x.counts.sent === 0;
        },
        'every report final after a jump back',
        15_000,
      );
      stats.recipients += N;
      stats.faults += Object.values(rec.faultsInjected).reduce((a, b) => a + b, 0);
      stats.tokenLeaks += filesContaining(t.dataDir, TEST_TOKEN).length;
      expect(checkLedger(t.engine.db, { thorough: true })).toEqual([]);
    } finally {
      await t.close();
    }
  }, 90_000);

  it('a local schedule is not advanced by the monotonic clock: jumped back before its time, it waits', async () => {
    const { clock, jump } = jumpingClock();
    const t = await engineWithSandbox({ engine: { clock } });
    try {
      makeList(
        t.engine,
        'later',
        numbers(3).map((phone) => ({ phone })),
      );
      const c = await t.engine.campaigns.create({
        list: 'later',
        from: 'ACME',
        text: 'x',
        sendAt: clock.now() + 500,
        schedule: 'local',
      });
      t.engine.campaigns.send(c.id);
      t.engine.start();
      jump(-2 * HOUR);
      // Real time passes well beyond the 500 ms; the wall clock is still two hours early.
      const realStart = Date.now();
      await waitFor(() => Date.now() - realStart > 1500, 'real time passing');
      expect(t.engine.campaigns.status(c.id).state).toBe('scheduled');
      expect(t.sandbox.record().requests).toBe(0);
      jump(2 * HOUR);
      const s = await waitFor(async () => {
        const x = await t.engine.waitIdle(c.id);
        return x.state === 'completed' ? x : null;
      }, 'sent once the wall clock reaches the time');
      expect(s.counts.queued).toBe(0);
      expect(checkLedger(t.engine.db, { thorough: true })).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('a clock jumping days forward does not declare open delivery reports unknown', async () => {
    const { clock, jump } = jumpingClock();
    // Held by the gateway for an hour, so reports stay non-final; give up after 5 s of polling.
    const t = await engineWithSandbox({
      engine: { clock },
      settings: { 'dlr.giveUpAfterMs': 5000, 'dlr.initialIntervalMs': 100, 'dlr.maxIntervalMs': 200 },
    });
    try {
      makeList(
        t.engine,
        'jump',
        numbers(4).map((phone) => ({ phone })),
      );
      const c = await t.engine.campaigns.create({
        list: 'jump',
        from: 'ACME',
        text: 'x',
        sendAt: clock.now() + HOUR,
        schedule: 'gateway',
      });
      t.engine.campaigns.send(c.id);
      t.engine.start();
      await t.engine.waitIdle(c.id);
      jump(4 * 24 * HOUR);
      // A few polls happen after the jump; the recipients stay 'sent', not 'unknown'.
      const polledAfter = t.sandbox.record().reportRequests + 3;
      await waitFor(() => t.sandbox.record().reportRequests >= polledAfter, 'polls after the jump');
      expect(t.engine.campaigns.status(c.id).counts.unknown).toBe(0);
      // Once the polls themselves cover the give-up time, it does give up.
      const s = await waitFor(
        () => {
          const x = t.engine.campaigns.status(c.id);
          return x.counts.unknown === 4 ? x : null;
        },
        'give up after enough polling',
        30_000,
      );
      expect(s.counts.sent).toBe(0);
      expect(checkLedger(t.engine.db, { thorough: true })).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
