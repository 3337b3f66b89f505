export type ReportStatus = 'sent' | 'delivered' | 'failed' | 'rejected' | 'expired' | 'unknown';

/**
 * Raw gateway statuses (9bits words, Sinch words, SMPP receipt words) to the product's
 * vocabulary, per docs/gateway-9bits.md. Keys are lower-case letters only, so
 * "DELIVRD", "Delivered" and " delivered " all meet the same entry.
 *
 * Decisions the contract leaves open:
 * - Sinch `Cancelled` (the batch was cancelled before it went out) and `Deleted` map to
 *   `failed`: the recipient did not get the message, and `failed` is what "re-send to the
 *   failed ones" picks up. (`cancelled` in MessageStatus is the user's own local cancel.)
 * - `Undelivered`/`Undeliverable` are spelled-out forms of UNDELIV; `Accepted`/`Sent`/
 *   `Submitted`/`Pending` are non-final hand-over states, like ACCEPTD/ENROUTE.
 */
const TABLE: Record<string, ReportStatus> = {
  queued: 'sent',
  dispatched: 'sent',
  enroute: 'sent',
  acceptd: 'sent',
  accepted: 'sent',
  sent: 'sent',
  submitted: 'sent',
  pending: 'sent',
  delivered: 'delivered',
  delivrd: 'delivered',
  failed: 'failed',
  undeliv: 'failed',
  undelivered: 'failed',
  undeliverable: 'failed',
  deleted: 'failed',
  aborted: 'failed',
  cancelled: 'failed',
  canceled: 'failed',
  rejected: 'rejected',
  rejectd: 'rejected',
  expired: 'expired',
  unknown: 'unknown',
};

/** Sinch codes for the two non-final states, used only when the word itself is missing. */
const CODES: Record<number, ReportStatus> = { 400: 'sent', 401: 'sent' };

/** null = not recognised: the caller keeps the raw status and code and the message's current status. */
export function mapStatus(raw: string, code?: number | null): ReportStatus | null {
  const key = String(raw ?? '')
    .toLowerCase()
    .replace(/[^a-z]/g, '');
  if (key && Object.prototype.hasOwnProperty.call(TABLE, key)) return TABLE[key];
  if (!key && typeof code === 'number' && Object.prototype.hasOwnProperty.call(CODES, code)) return CODES[code];
  return null;
}
