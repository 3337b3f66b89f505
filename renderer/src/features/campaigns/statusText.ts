import type { MessageStatus } from '../../../../electron/engine/api.ts';

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
  delivered: 'good', failed: 'bad', rejected: 'bad', expired: 'bad', uncertain: 'warn', unknown: 'warn', cancelled: 'muted', queued: 'muted',
};

export const STATUS_ORDER: MessageStatus[] = ['delivered', 'sent', 'accepted', 'submitting', 'queued', 'uncertain', 'failed', 'rejected', 'expired', 'unknown', 'cancelled'];

export const STATE_LABEL: Record<string, string> = {
  draft: 'Not started', scheduled: 'Scheduled', sending: 'Sending', paused: 'Paused', cancelled: 'Cancelled', completed: 'Completed',
};
