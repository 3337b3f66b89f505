/**
 * What the opt-out page and `smsdesk optout add|import` say when adding numbers also cancelled
 * messages still queued to them (electron/engine/campaigns/optedOut.ts); empty when none were.
 */
export function cancelledSentence(
  r: { cancelled: number; campaigns: number },
  count: (n: number) => string = String,
): string {
  if (!r.cancelled) return '';
  const messages = r.cancelled === 1 ? 'message' : 'messages';
  const campaigns = r.campaigns === 1 ? 'a campaign' : `${count(r.campaigns)} campaigns`;
  return `${count(r.cancelled)} queued ${messages} to opted-out numbers in ${campaigns} not finished will not be sent.`;
}

/**
 * What the opt-out page and `smsdesk optout remove` say when taking numbers off the list queued
 * again the messages their opt-out had cancelled; empty when none were.
 */
export function restoredSentence(
  r: { restored: number; campaigns: number },
  count: (n: number) => string = String,
): string {
  if (!r.restored) return '';
  const messages = r.restored === 1 ? 'message' : 'messages';
  const campaigns = r.campaigns === 1 ? 'a campaign' : `${count(r.campaigns)} campaigns`;
  return `${count(r.restored)} ${messages} that the opt-out had cancelled in ${campaigns} not finished will be sent after all.`;
}
