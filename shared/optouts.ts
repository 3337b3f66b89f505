/** "3 queued messages … in 2 campaigns": the count of messages, then where they are. */
function inCampaigns(n: number, campaigns: number, what: string, count: (n: number) => string): string {
  return `${count(n)} ${what.replace('{s}', n === 1 ? '' : 's')} in ${campaigns === 1 ? 'a campaign' : `${count(campaigns)} campaigns`} not finished`;
}

/**
 * What the opt-out page and `smsdesk optout add|import` say when adding numbers also cancelled
 * messages still queued to them (electron/engine/campaigns/optedOut.ts); empty when none were.
 */
export function cancelledSentence(
  r: { cancelled: number; campaigns: number },
  count: (n: number) => string = String,
): string {
  if (!r.cancelled) return '';
  return `${inCampaigns(r.cancelled, r.campaigns, 'queued message{s} to opted-out numbers', count)} will not be sent.`;
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
  return `${inCampaigns(r.restored, r.campaigns, 'message{s} that the opt-out had cancelled', count)} will be sent after all.`;
}

/**
 * What a draft's banner and `smsdesk status` say once recipients opted out after it was made
 * (campaigns.status toSend); `cost` adds the price where the place shows one.
 */
export function toSendSentence(
  cancelled: number,
  toSend: { recipients: number; parts: number },
  f: { count: (n: number) => string; cost?: (parts: number) => string } = { count: String },
): string {
  const parts = `${f.count(toSend.parts)} part${toSend.parts === 1 ? '' : 's'}`;
  return `${f.count(cancelled)} of them opted out since the campaign was made and will not be sent: it sends to ${f.count(toSend.recipients)}, ${parts}${f.cost ? `, about ${f.cost(toSend.parts)}` : ''}.`;
}
