import { TO_HAND_OVER_STATUSES, type MessageStatus } from './vocabulary.ts';

/**
 * What a status means to the person who sent the campaign. The dashboard tiles, the chart legend,
 * the per-network table and the CLI all count from this one table, so they cannot disagree.
 */
export type Outcome = 'delivered' | 'failed' | 'pending' | 'unknown' | 'cancelled';

export const OUTCOME_OF: Record<MessageStatus, Outcome> = {
  queued: 'pending',
  submitting: 'pending',
  uncertain: 'pending',
  accepted: 'pending',
  sent: 'pending',
  delivered: 'delivered',
  failed: 'failed',
  rejected: 'failed',
  expired: 'failed',
  unknown: 'unknown',
  cancelled: 'cancelled',
};

export const OUTCOMES: readonly Outcome[] = ['delivered', 'failed', 'pending', 'unknown', 'cancelled'];

export function statusesOf(outcome: Outcome): MessageStatus[] {
  return (Object.keys(OUTCOME_OF) as MessageStatus[]).filter((s) => OUTCOME_OF[s] === outcome);
}

export function outcomeCounts(counts: Partial<Record<MessageStatus, number>>): Record<Outcome, number> {
  const out: Record<Outcome, number> = { delivered: 0, failed: 0, pending: 0, unknown: 0, cancelled: 0 };
  for (const [s, n] of Object.entries(counts) as Array<[MessageStatus, number | undefined]>)
    if (OUTCOME_OF[s]) out[OUTCOME_OF[s]] += n ?? 0;
  return out;
}

/**
 * The chart's "Handed to the gateway" line: the transitions into these statuses, added up. A
 * recipient leaves one of them for the other (a lookup found an uncertain batch) or back to queued
 * (re-sent): the ledger then also takes them out of the one left (queue/counts.ts), so the line
 * counts each recipient once, like the tiles.
 */
export const HANDED_STATUSES = ['accepted', 'uncertain'] as const satisfies readonly MessageStatus[];
const handedSet: ReadonlySet<string> = new Set(HANDED_STATUSES);
export const isHandedStatus = (s: string): boolean => handedSet.has(s);

/** The recipients of these statuses, added up (a status the counts leave out counts 0). */
export function countOf(counts: Partial<Record<MessageStatus, number>>, statuses: readonly MessageStatus[]): number {
  let n = 0;
  for (const s of statuses) n += counts[s] ?? 0;
  return n;
}

/** Recipients still to hand over to the gateway (TO_HAND_OVER_STATUSES): 0 once the queue is through. */
export function toHandOver(counts: Partial<Record<MessageStatus, number>>): number {
  return countOf(counts, TO_HAND_OVER_STATUSES);
}

/** Recipients the gateway has been given (whatever came of it): everything but those still to hand over and the cancelled. */
export function handedOver(counts: Record<MessageStatus, number>, recipients: number): number {
  return recipients - toHandOver(counts) - counts.cancelled;
}

/**
 * Recipients whose outcome the user must settle. A campaign the engine calls 'completed' can still
 * hold uncertain recipients (nothing left to send, but a batch may or may not have gone out); it
 * must not look finished. While sending, only batches the engine has given up checking count.
 */
export function undecided(s: { state: string; needsDecision: number; counts: { uncertain: number } }): number {
  return s.state === 'completed' ? Math.max(s.needsDecision, s.counts.uncertain) : s.needsDecision;
}

/**
 * The delivery chart's points at most: the engine buckets a campaign's whole span into this many
 * steps of at least 10 s (campaigns/service.ts chart), and the contract refuses more.
 */
export const CHART_POINTS = 120;
