import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../electron/engine/queue/limiter.ts';
import type { Clock } from '../../electron/engine/clock.ts';

/** A clock the test moves by hand: the limiter's arithmetic, without waiting. */
function manualClock(start = 1_000_000): Clock & { advance(ms: number): void } {
  let mono = 0, wall = start;
  return { now: () => wall, mono: () => mono, advance(ms) { mono += ms; wall += ms; } };
}

function maxInAnyWindow(times: number[], windowMs: number): number {
  let best = 0;
  for (let i = 0; i < times.length; i++) {
    let n = 0;
    for (let j = i; j < times.length && times[j] < times[i] + windowMs; j++) n++;
    best = Math.max(best, n);
  }
  return best;
}

describe('rate limiter', () => {
  it('never lets more than the limit start in any one-second window, and keeps close to it', () => {
    const clock = manualClock();
    const lim = createRateLimiter({ clock, limits: () => ({ requestsPerSecond: 5, partsPerSecond: 0 }) });
    const starts: number[] = [];
    while (clock.mono() < 10_000) {
      const d = lim.delayFor({ recipients: 100, parts: 100 });
      if (d > 0) { clock.advance(d); continue; }
      starts.push(clock.mono());
      // record: delayFor(0) then acquire would record; emulate acquire synchronously
      void lim.acquire({ recipients: 100, parts: 100 });
      clock.advance(3); // the request takes a little time
    }
    expect(maxInAnyWindow(starts, 1000)).toBeLessThanOrEqual(5);
    expect(starts.length).toBeGreaterThanOrEqual(47); // ≥ 0.95 × 5/s × 10 s
  });

  it('limits message parts per second when that limit is set', () => {
    const clock = manualClock();
    const lim = createRateLimiter({ clock, limits: () => ({ requestsPerSecond: 100, partsPerSecond: 300 }) });
    const starts: Array<{ t: number; parts: number }> = [];
    while (clock.mono() < 5000) {
      const d = lim.delayFor({ recipients: 100, parts: 200 });
      if (d > 0) { clock.advance(d); continue; }
      void lim.acquire({ recipients: 100, parts: 200 });
      starts.push({ t: clock.mono(), parts: 200 });
      clock.advance(1);
    }
    for (const s of starts) {
      const inWindow = starts.filter((x) => x.t >= s.t && x.t < s.t + 1000).reduce((a, x) => a + x.parts, 0);
      expect(inWindow).toBeLessThanOrEqual(300);
    }
    expect(starts.length).toBeGreaterThanOrEqual(4);
  });

  it('remembers requests made just before a restart, so no burst follows it', () => {
    const clock = manualClock();
    const lim = createRateLimiter({ clock, limits: () => ({ requestsPerSecond: 5, partsPerSecond: 0 }) });
    const wall = clock.now();
    lim.seed([0, 100, 200, 300, 400].map((ago) => ({ at: wall - 500 + ago, parts: 1 })));
    expect(lim.delayFor({ recipients: 1, parts: 1 })).toBeGreaterThan(400);
  });

  it('handles rates below one request per second', () => {
    const clock = manualClock();
    const lim = createRateLimiter({ clock, limits: () => ({ requestsPerSecond: 0.5, partsPerSecond: 0 }) });
    void lim.acquire({ recipients: 1, parts: 1 });
    expect(lim.delayFor({ recipients: 1, parts: 1 })).toBeGreaterThanOrEqual(2000);
  });
});
