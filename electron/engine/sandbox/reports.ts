import { hash32, mulberry32 } from './random.ts';
import type { SandboxBatch } from './store.ts';

export interface SandboxTiming {
  dispatchMs: number;
  finalMs: number;
}
export interface SandboxProportions {
  delivered: number;
  failed: number;
  rejected: number;
  expired: number;
}

export const DEFAULT_TIMING: SandboxTiming = { dispatchMs: 1_000, finalMs: 4_000 };
export const DEFAULT_PROPORTIONS: SandboxProportions = { delivered: 0.9, failed: 0.05, rejected: 0.03, expired: 0.02 };

/** Sinch-style codes: 0 delivered, 400 queued, 401 dispatched, the 40x range for the rest. */
const CODES = {
  Queued: 400,
  Dispatched: 401,
  Delivered: 0,
  Failed: 402,
  Rejected: 408,
  Expired: 406,
  Unknown: 403,
} as const;
export type SandboxStatus = keyof typeof CODES;

export interface RecipientState {
  status: SandboxStatus;
  code: number;
  at: number;
}

/**
 * Statuses are not stored: they follow from the clock, the seed, the batch's (client) reference and the
 * recipient's position, so they progress by themselves and survive a restart unchanged.
 * Each recipient moves Queued → Dispatched → final at its own jittered times (0.5x to 1.5x
 * of the configured delays), counted from acceptance or from send_at if that is later.
 * If the proportions add up to less than 1, the rest end as Unknown; above 1 they are scaled.
 */
export function createStatusModel(seed: number, timing: SandboxTiming, p: SandboxProportions) {
  const sum = p.delivered + p.failed + p.rejected + p.expired;
  const scale = sum > 1 ? 1 / sum : 1;
  const cuts: Array<[number, SandboxStatus]> = [];
  let acc = 0;
  for (const [k, status] of [
    ['delivered', 'Delivered'],
    ['failed', 'Failed'],
    ['rejected', 'Rejected'],
    ['expired', 'Expired'],
  ] as const) {
    acc += Math.max(0, p[k]) * scale;
    cuts.push([acc, status]);
  }

  function state(b: SandboxBatch, index: number, now: number): RecipientState {
    const held = b.sendAt ? Date.parse(b.sendAt) : NaN;
    const start = Number.isNaN(held) ? b.at : Math.max(b.at, held);
    // Keyed on the client reference when there is one, so the same run replays the same outcomes.
    const rnd = mulberry32(hash32(`${seed}|${b.clientRef ?? b.ref}|${index}|${b.to[index]}`));
    const outcome = rnd();
    const dispatchAt = start + timing.dispatchMs * (0.5 + rnd());
    const finalAt = Math.max(dispatchAt, start + timing.finalMs * (0.5 + rnd()));
    if (now < dispatchAt) return { status: 'Queued', code: CODES.Queued, at: b.at };
    if (now < finalAt) return { status: 'Dispatched', code: CODES.Dispatched, at: Math.round(dispatchAt) };
    let status: SandboxStatus = 'Unknown';
    for (const [cut, s] of cuts)
      if (outcome < cut) {
        status = s;
        break;
      }
    return { status, code: CODES[status], at: Math.round(finalAt) };
  }

  function batchReport(b: SandboxBatch, now: number, withRecipients: boolean) {
    const groups = new Map<
      SandboxStatus,
      { code: number; status: SandboxStatus; count: number; recipients: string[] }
    >();
    b.to.forEach((msisdn, i) => {
      const s = state(b, i, now);
      let g = groups.get(s.status);
      if (!g) groups.set(s.status, (g = { code: s.code, status: s.status, count: 0, recipients: [] }));
      g.count++;
      g.recipients.push(msisdn);
    });
    return {
      type: 'delivery_report_sms',
      batch_id: b.ref,
      total_message_count: b.to.length,
      statuses: [...groups.values()].map((g) =>
        withRecipients ? g : { code: g.code, status: g.status, count: g.count },
      ),
    };
  }

  function recipientReport(b: SandboxBatch, msisdn: string, now: number) {
    const i = b.to.indexOf(msisdn);
    if (i < 0) return null;
    const s = state(b, i, now);
    return {
      type: 'recipient_delivery_report_sms',
      batch_id: b.ref,
      recipient: msisdn,
      code: s.code,
      status: s.status,
      at: new Date(s.at).toISOString(),
    };
  }

  return { state, batchReport, recipientReport };
}
