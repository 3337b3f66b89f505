import type { Clock } from '../clock.ts';
import { sleep } from '../clock.ts';

export interface RateLimits {
  requestsPerSecond: number;
  /** 0 = no limit */
  partsPerSecond: number;
}
export interface Cost { recipients: number; parts: number }

/**
 * A sliding log of request start times. A request may start at T only if the window (T - W, T]
 * then holds no more than the limit; since every later request checks its own window, no window
 * of length W ever holds more than the limit. A small margin keeps the gateway's view (arrival
 * times jitter by a few ms) within the limit too.
 */
export function createRateLimiter(opts: { clock: Clock; limits: () => RateLimits; marginMs?: number }) {
  const { clock } = opts;
  const margin = opts.marginMs ?? 15;
  const log: Array<{ t: number; parts: number }> = [];

  function windowFor(limits: RateLimits) {
    // Below one request per second the window stretches so that the count is a whole number.
    const rps = limits.requestsPerSecond;
    const windowMs = rps >= 1 ? 1000 : 1000 / rps;
    const maxRequests = Math.max(1, Math.floor((rps * windowMs) / 1000));
    return { windowMs: windowMs + margin, maxRequests };
  }

  /** ms to wait before a request of this cost may start (0 = now) */
  function delayFor(cost: Cost): number {
    const limits = opts.limits();
    const { windowMs, maxRequests } = windowFor(limits);
    const now = clock.mono();
    while (log.length && log[0].t <= now - windowMs) log.shift();
    let wait = 0;
    if (log.length >= maxRequests) wait = Math.max(wait, log[log.length - maxRequests].t + windowMs - now);
    if (limits.partsPerSecond > 0) {
      const pw = 1000 + margin;
      let sum = cost.parts;
      // Walk back from the newest entry: the oldest entries that must leave the window decide the wait.
      for (let i = log.length - 1; i >= 0; i--) {
        if (log[i].t <= now - pw) break;
        sum += log[i].parts;
        if (sum > limits.partsPerSecond) {
          wait = Math.max(wait, log[i].t + pw - now);
          break;
        }
      }
    }
    return Math.max(0, Math.ceil(wait));
  }

  return {
    delayFor,
    /** Waits until the cost fits, then records it. Returns false if aborted before. */
    async acquire(cost: Cost, signal?: AbortSignal): Promise<boolean> {
      for (;;) {
        if (signal?.aborted) return false;
        const d = delayFor(cost);
        if (d === 0) {
          log.push({ t: clock.mono(), parts: cost.parts });
          return true;
        }
        await sleep(d, signal);
      }
    },
    /** Seeds the log with requests made before a restart (wall-clock times), so no burst follows it. */
    seed(events: Array<{ at: number; parts: number }>) {
      const nowWall = clock.now();
      const nowMono = clock.mono();
      for (const e of events.sort((a, b) => a.at - b.at)) {
        const age = nowWall - e.at;
        if (age < 0) log.push({ t: nowMono, parts: e.parts }); // clock went back: treat as just now
        else log.push({ t: nowMono - age, parts: e.parts });
      }
    },
  };
}
export type RateLimiter = ReturnType<typeof createRateLimiter>;
