import { outcomeCounts, undecided } from './outcome.ts';

/**
 * Desktop notifications for a campaign: when it completes, and when it needs the user (a decision
 * on uncertain recipients, or a pause the user did not ask for). Pure: the Electron shell and the
 * web page each feed it the statuses they receive and show what it returns.
 */
export interface NoticeInput {
  id: number;
  name: string;
  state: string;
  recipients: number;
  needsDecision: number;
  pauseReason: string | null;
  counts: { delivered: number; failed: number; rejected: number; expired: number; uncertain: number };
}
export interface Notice {
  campaignId: number;
  kind: 'completed' | 'decision' | 'paused';
  title: string;
  body: string;
}

const USER_PAUSE = 'Paused by you.';

function fmt(n: number): string {
  return n.toLocaleString('en-NG');
}

/** Remembers the last status of each campaign; a campaign seen for the first time never notifies. */
export function createNoticeTracker() {
  const seen = new Map<number, NoticeInput>();
  return {
    update(s: NoticeInput): Notice | null {
      const prev = seen.get(s.id);
      seen.set(s.id, s);
      if (!prev) return null;
      const decide = undecided(s);
      if (decide > 0 && undecided(prev) === 0) {
        return {
          campaignId: s.id,
          kind: 'decision',
          title: `${s.name}: your decision is needed`,
          body: `${fmt(decide)} recipients may or may not have received the message. Open the campaign to re-send or mark them failed.`,
        };
      }
      if (s.state === 'paused' && prev.state !== 'paused' && s.pauseReason && s.pauseReason !== USER_PAUSE) {
        return { campaignId: s.id, kind: 'paused', title: `${s.name} is paused`, body: s.pauseReason };
      }
      if (s.state === 'completed' && prev.state !== 'completed' && decide === 0) {
        const { failed } = outcomeCounts(s.counts);
        return {
          campaignId: s.id,
          kind: 'completed',
          title: `${s.name} is sent`,
          body: `All ${fmt(s.recipients)} recipients handed to the gateway: ${fmt(s.counts.delivered)} delivered so far, ${fmt(failed)} failed.`,
        };
      }
      return null;
    },
  };
}
