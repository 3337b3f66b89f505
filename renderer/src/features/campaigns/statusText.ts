import type { CampaignState, MessageStatus } from '../../../../shared/vocabulary.ts';

export const STATUS_LABEL: Record<MessageStatus, string> = {
  queued: 'Waiting to send',
  submitting: 'Sending now',
  uncertain: 'Uncertain',
  accepted: 'Accepted by gateway',
  sent: 'Sent, awaiting report',
  delivered: 'Delivered',
  failed: 'Failed',
  rejected: 'Rejected',
  expired: 'Expired',
  unknown: 'Unknown',
  cancelled: 'Cancelled',
};

export const STATUS_TONE: Partial<Record<MessageStatus, 'good' | 'bad' | 'warn' | 'muted'>> = {
  delivered: 'good',
  failed: 'bad',
  rejected: 'bad',
  expired: 'bad',
  uncertain: 'warn',
  unknown: 'warn',
  cancelled: 'muted',
  queued: 'muted',
};

/** every status in the order the dashboard shows them; a status left out fails tsc below */
export const STATUS_ORDER = [
  'delivered',
  'sent',
  'accepted',
  'submitting',
  'queued',
  'uncertain',
  'failed',
  'rejected',
  'expired',
  'unknown',
  'cancelled',
] as const satisfies readonly MessageStatus[];
type Unordered = Exclude<MessageStatus, (typeof STATUS_ORDER)[number]>;
const everyStatusOrdered: [Unordered] extends [never] ? true : Unordered = true;
void everyStatusOrdered;

export const STATE_LABEL: Record<CampaignState, string> = {
  preparing: 'Preparing',
  draft: 'Not started',
  scheduled: 'Scheduled',
  sending: 'Sending',
  paused: 'Paused',
  cancelled: 'Cancelled',
  completed: 'Completed',
};

/**
 * The state badge: its words and its css modifier. The engine keeps a campaign "sending" while
 * any recipient is undecided, so one with nothing left to send (`waiting`: toHandOver, shared/outcome.ts)
 * that waits only for the user says so.
 */
export function stateBadge(
  state: CampaignState,
  undecidedCount: number,
  waiting = Infinity,
): { label: string; tone: string } {
  if (undecidedCount > 0 && (state === 'completed' || (state === 'sending' && waiting === 0)))
    return { label: 'Needs your decision', tone: 'decide' };
  return { label: STATE_LABEL[state], tone: state };
}
