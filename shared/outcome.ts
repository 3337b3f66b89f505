import type { MessageStatus } from './vocabulary.ts';

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

/** Recipients the gateway has been given (whatever came of it): everything but queued, submitting and cancelled. */
export function handedOver(counts: Record<MessageStatus, number>, recipients: number): number {
  return recipients - counts.queued - counts.submitting - counts.cancelled;
}

/**
 * The delivery chart's points at most: the engine buckets a campaign's whole span into this many
 * steps of at least 10 s (campaigns/service.ts chart), and the contract refuses more.
 */
export const CHART_POINTS = 120;
