import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../electron/engine/queue/limiter.ts';
import type { Clock } from '../../electron/engine/clock.ts';

/** A clock the test moves by hand: the limiter's arithmetic, without waiting. */
function manualClock(start = 1_000_000): Clock & { advance(ms: number): void } {
  let mono = 0,
    wall = start;
  return {
    now: () => wall,
    mono: () => mono,
    advance(ms) {
      mono += ms;
      wall += ms;
    },
  };
}

function maxInAnyWindow(times: number[], windowMs: number): number {
  let best = 0;
  for (let i = 0; i < times.length; i++)
    best = Math.max(best, times.filter((t) => t >= times[i] && t < times[i] + windowMs).length);
  return best;
}

/**
 * Simulates requests whose arrival at the gateway lies anywhere between send and answer
 * (jitter), and checks the gateway's own one-second windows.
 */
async function simulate(
  rps: number,
  latency: (i: number) => number,
  arrivalShare: (i: number) => number,
  durationMs: number,
  partsPerSecond = 0,
  parts = 1,
) {
  const clock = manualClock();
  const lim = createRateLimiter({ clock, limits: () => ({ requestsPerSecond: rps, partsPerSecond }) });
  const arrivals: number[] = [];
  const sends: number[] = [];
  let i = 0;
  while (clock.mono() < durationMs) {
    const d = lim.delayFor({ recipients: 1, parts });
    if (d > 0) {
      clock.advance(Number.isFinite(d) ? d : 1);
      continue;
    }
    const permit = (await lim.acquire({ recipients: 1, parts }))!;
    const lat = latency(i);
    sends.push(clock.mono());
    arrivals.push(clock.mono() + lat * arrivalShare(i));
    clock.advance(lat);
    permit.release();
    i++;
  }
  return { arrivals: arrivals.sort((a, b) => a - b), sends };
}

describe('rate limiter', () => {
  it('keeps every one-second window at the gateway within the limit, whatever the network jitter', async () => {
    // Latency swings between 1 and 120 ms; the request reaches the gateway anywhere within it.
    const { arrivals } = await simulate(
      5,
      (i) => 1 + ((i * 37) % 120),
      (i) => ((i * 7919) % 100) / 100,
      20_000,
    );
    expect(maxInAnyWindow(arrivals, 1000)).toBeLessThanOrEqual(5);
  });

  it('stays close to the limit when answers are quick', async () => {
    const { sends } = await simulate(
      50,
      () => 2,
      () => 0.5,
      10_000,
    );
    const achieved = sends.length / 10;
    expect(achieved).toBeGreaterThanOrEqual(50 * 0.95);
    expect(achieved).toBeLessThanOrEqual(50 * 1.01);
  });

  it('limits message parts per second when that limit is set', async () => {
    const { arrivals } = await simulate(
      100,
      () => 3,
      () => 0.5,
      5000,
      300,
      200,
    );
    // Each request carries 200 parts: at most one per second fits 300 parts.
    expect(maxInAnyWindow(arrivals, 1000)).toBeLessThanOrEqual(1);
    expect(arrivals.length).toBeGreaterThanOrEqual(4);
  });

  it('counts a request still in flight, so a slow gateway never sees a burst', async () => {
    const clock = manualClock();
    const lim = createRateLimiter({ clock, limits: () => ({ requestsPerSecond: 2, partsPerSecond: 0 }) });
    const a = (await lim.acquire({ recipients: 1, parts: 1 }))!;
    const b = (await lim.acquire({ recipients: 1, parts: 1 }))!;
    clock.advance(5000); // both still unanswered after 5 s
    expect(lim.delayFor({ recipients: 1, parts: 1 })).toBe(Infinity);
    a.release();
    expect(lim.delayFor({ recipients: 1, parts: 1 })).toBeGreaterThanOrEqual(1000);
    b.release();
  });

  it('remembers requests made just before a restart, so no burst follows it', () => {
    const clock = manualClock();
    const lim = createRateLimiter({ clock, limits: () => ({ requestsPerSecond: 5, partsPerSecond: 0 }) });
    const wall = clock.now();
    lim.seed([0, 100, 200, 300, 400].map((ago) => ({ at: wall - 500 + ago, parts: 1 })));
    expect(lim.delayFor({ recipients: 1, parts: 1 })).toBeGreaterThan(400);
  });

  it('after a restart, waits exactly until the oldest request of the last second leaves the window, in whatever order they were seeded', async () => {
    const clock = manualClock();
    const lim = createRateLimiter({ clock, limits: () => ({ requestsPerSecond: 5, partsPerSecond: 0 }) });
    const wall = clock.now();
    lim.seed([100, 500, 200, 400, 300].map((ago) => ({ at: wall - ago, parts: 1 })));
    // the window is 1 s plus the 5 ms margin: the one answered 500 ms ago leaves it in 505 ms
    expect(lim.delayFor({ recipients: 1, parts: 1 })).toBe(505);
    clock.advance(505);
    expect(lim.delayFor({ recipients: 1, parts: 1 })).toBe(0);
    // one goes (in flight, so it counts): the next waits for the second oldest, 100 ms more
    const permit = (await lim.acquire({ recipients: 1, parts: 1 }))!;
    expect(lim.delayFor({ recipients: 1, parts: 1 })).toBe(100);
    permit.release();
  });

  it('handles rates below one request per second', async () => {
    const clock = manualClock();
    const lim = createRateLimiter({ clock, limits: () => ({ requestsPerSecond: 0.5, partsPerSecond: 0 }) });
    (await lim.acquire({ recipients: 1, parts: 1 }))!.release();
    expect(lim.delayFor({ recipients: 1, parts: 1 })).toBeGreaterThanOrEqual(2000);
  });
});
