import type { Clock } from '../clock.ts';
import { sleep } from '../clock.ts';

export interface RateLimits {
  requestsPerSecond: number;
  /** 0 = no limit */
  partsPerSecond: number;
}
export interface Cost {
  recipients: number;
  parts: number;
}
export interface Permit {
  release(): void;
}

interface Entry {
  end: number;
  parts: number;
}

/**
 * Counts each request in the window from the moment its answer came back (in flight = counted
 * "now and later"). The gateway necessarily saw a request before we saw its answer, and sees the
 * next one after we send it, so whatever the network jitter, no window of W at the gateway holds
 * more than the limit. The price is one round trip per window: at 20 ms latency, 98 % of the limit.
 */
export function createRateLimiter(opts: { clock: Clock; limits: () => RateLimits; marginMs?: number }) {
  const { clock } = opts;
  const margin = opts.marginMs ?? 5;
  // Kept in order of `end` (answers come in on a monotonic clock; seeds are sorted in), so the
  // window's requests are a tail of the list: asked before every request, no filter or sort.
  const entries: Entry[] = [];
  let inFlight = 0;
  const waiters = new Set<() => void>();

  function windowFor(limits: RateLimits) {
    // Below one request per second the window stretches so that the count is a whole number.
    const rps = limits.requestsPerSecond;
    const windowMs = rps >= 1 ? 1000 : 1000 / rps;
    const maxRequests = Math.max(1, Math.floor((rps * windowMs) / 1000));
    return { windowMs: windowMs + margin, maxRequests };
  }

  function prune(now: number, keepMs: number) {
    let n = 0;
    while (n < entries.length && entries[n].end <= now - keepMs) n++;
    if (n) entries.splice(0, n);
  }

  /** index of the first entry that ended after `t` */
  function firstAfter(t: number): number {
    let i = 0;
    while (i < entries.length && entries[i].end <= t) i++;
    return i;
  }

  function insert(e: Entry) {
    let i = entries.length;
    while (i > 0 && entries[i - 1].end > e.end) i--;
    entries.splice(i, 0, e);
  }

  /** ms to wait before a request of this cost may start: 0 = now, Infinity = until an answer arrives */
  function delayFor(cost: Cost): number {
    const limits = opts.limits();
    const { windowMs, maxRequests } = windowFor(limits);
    const pw = 1000 + margin;
    const now = clock.mono();
    prune(now, Math.max(windowMs, pw));
    let wait = 0;
    // Requests: in flight ones count until they end; finished ones until end + W.
    const from = firstAfter(now - windowMs);
    const ended = entries.length - from;
    const count = ended + inFlight;
    if (count >= maxRequests) {
      const mustLeave = count - maxRequests + 1;
      wait = mustLeave <= ended ? entries[from + mustLeave - 1].end + windowMs - now : Infinity;
    }
    if (limits.partsPerSecond > 0 && wait !== Infinity) {
      const inWin = entries.slice(firstAfter(now - pw));
      let sum = cost.parts + inflightParts + inWin.reduce((s, e) => s + e.parts, 0);
      // A single request over the limit may still go alone (otherwise it never could).
      if (sum > limits.partsPerSecond && !(inWin.length === 0 && inFlight === 0)) {
        let i = 0;
        while (sum > limits.partsPerSecond && i < inWin.length) sum -= inWin[i++].parts;
        wait = sum > limits.partsPerSecond ? Infinity : Math.max(wait, inWin[i - 1].end + pw - now);
      }
    }
    return wait === Infinity ? Infinity : Math.max(0, Math.ceil(wait));
  }

  let inflightParts = 0;

  function grant(cost: Cost): Permit {
    inFlight++;
    inflightParts += cost.parts;
    let done = false;
    return {
      release() {
        if (done) return;
        done = true;
        inFlight--;
        inflightParts -= cost.parts;
        insert({ end: clock.mono(), parts: cost.parts });
        for (const w of [...waiters]) w();
      },
    };
  }

  return {
    delayFor,
    /** A permit now if the cost fits now, else null (never waits). */
    tryAcquire(cost: Cost): Permit | null {
      return delayFor(cost) === 0 ? grant(cost) : null;
    },
    /** Waits until the cost fits; returns a permit to release when the answer arrives, or null if aborted. */
    async acquire(cost: Cost, signal?: AbortSignal): Promise<Permit | null> {
      for (;;) {
        if (signal?.aborted) return null;
        const d = delayFor(cost);
        if (d === 0) return grant(cost);
        if (d === Infinity) {
          // Wait for an answer to come back (or a short while, whichever is first).
          await new Promise<void>((resolve) => {
            const done = () => {
              waiters.delete(done);
              clearTimeout(t);
              signal?.removeEventListener('abort', done);
              resolve();
            };
            const t = setTimeout(done, 50);
            waiters.add(done);
            signal?.addEventListener('abort', done, { once: true });
          });
        } else {
          await sleep(d, signal);
        }
      }
    },
    /** Seeds requests answered before a restart (wall-clock times), so no burst follows it. */
    seed(events: Array<{ at: number; parts: number }>) {
      const nowWall = clock.now();
      const nowMono = clock.mono();
      for (const e of events) {
        const age = nowWall - e.at;
        insert({ end: age < 0 ? nowMono : nowMono - age, parts: e.parts });
      }
    },
    inFlight: () => inFlight,
  };
}
export type RateLimiter = ReturnType<typeof createRateLimiter>;
