import type { CampaignStatus, CampaignSummary } from '../api.ts';
import { heldRateSentence } from '../../../shared/rateHeld.ts';
import { toSendSentence } from '../../../shared/optouts.ts';
import { AWAITING_REPORT_STATUSES, UNFINISHED_STATUSES, type MessageStatus } from '../../../shared/vocabulary.ts';

export function statusJson(s: CampaignStatus) {
  return {
    id: s.id,
    name: s.name,
    state: s.state,
    recipients: s.recipients,
    parts: s.parts,
    suppressed: s.suppressed,
    counts: s.counts,
    needsDecision: s.needsDecision,
    shortBatches: s.shortBatches,
    pauseReason: s.pauseReason,
    heldByAnswers: s.heldByAnswers,
    toSend: s.toSend,
    sandbox: s.sandbox,
  };
}

export function statusText(s: CampaignStatus): string {
  const c = s.counts;
  const lines = [
    `Campaign ${s.id} "${s.name}": ${s.state}${s.pauseReason ? ` (${s.pauseReason})` : ''}`,
    `  recipients ${s.recipients}, parts ${s.parts}${s.suppressed ? `, ${s.suppressed} skipped (opt-out list)` : ''}`,
    `  queued ${c.queued}, submitting ${c.submitting}, accepted ${c.accepted}, sent ${c.sent}, delivered ${c.delivered}`,
    `  failed ${c.failed}, rejected ${c.rejected}, expired ${c.expired}, unknown ${c.unknown}, uncertain ${c.uncertain}, cancelled ${c.cancelled}`,
  ];
  if (s.toSend && c.cancelled > 0) lines.push(`  ${toSendSentence(c.cancelled, s.toSend)}`);
  // The campaign stays "sending" until these are settled: say how, as `send --wait` ends here.
  const checking = c.uncertain - s.needsDecision;
  if (checking > 0)
    lines.push(
      `  ${checking} recipient(s) with an unknown outcome are still to be checked against the delivery reports: \`smsdesk dlr ${s.id} --wait 60\``,
    );
  if (s.needsDecision)
    lines.push(
      `  ${s.needsDecision} recipient(s) may or may not have been sent: decide with \`smsdesk resolve ${s.id} --resend\` or \`--mark-failed\``,
    );
  // Handed over, no final report yet: `send --wait` ends once nothing is left to send, the reports come later.
  const sum = (statuses: readonly MessageStatus[]) => statuses.reduce((n, st) => n + c[st], 0);
  const awaiting = sum(AWAITING_REPORT_STATUSES);
  if (awaiting > 0 && sum(UNFINISHED_STATUSES) === 0)
    lines.push(
      `  ${awaiting} recipient(s) have no final delivery report yet (looked up while SMS Desk or a command runs): \`smsdesk dlr ${s.id} --wait 60\` waits for them`,
    );
  if (s.shortBatches)
    lines.push(`  ${s.shortBatches} batch(es) were processed only in part by the gateway: check the export`);
  if (s.heldByAnswers)
    lines.push(
      `  ${heldRateSentence(s.heldByAnswers, s.rateLimit, {
        rate: (r) => `${r} requests/s`,
        count: String,
        raise: `raise it: \`smsdesk config set rate.maxInFlight ${s.heldByAnswers.enough}\``,
      })}`,
    );
  return lines.join('\n');
}

export function campaignJson(c: CampaignSummary) {
  return {
    id: c.id,
    name: c.name,
    recipients: c.recipients,
    parts: c.parts,
    state: c.state,
    suppressed: c.suppressed,
    sender: c.sender,
    list: c.listName,
    sendAt: c.sendAt ? new Date(c.sendAt).toISOString() : null,
    schedule: c.scheduleMode,
  };
}
