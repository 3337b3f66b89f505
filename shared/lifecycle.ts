import type { CampaignState } from './vocabulary.ts';

/**
 * A campaign's lifecycle rules, in one place: the engine's guards (electron/engine/campaigns/
 * service.ts, queue/sender.ts through electron/engine/campaigns/lifecycle.ts), the dashboard's
 * buttons (renderer DashboardPage Controls), whether the window keeps refreshing (useCampaign) and
 * what the close prompt counts (electron/close.ts) all ask these, so a button the window shows is
 * one the engine honours. The state lists are `satisfies CampaignState[]` and go into SQL through
 * sqlList, so a renamed state fails tsc here and in every statement at once.
 */

/** Why a campaign is paused; stored in campaigns.pause_code (plain text in users' files: add words, never rename). */
export const PAUSE_CODES = [
  'user', // the user pressed Pause (or "Pause and close")
  'auth', // the gateway refused the token: lifted by itself once a new token is saved
  'request', // the gateway refused the request (sender ID, message field, settings): the user fixes and resumes
  'mode', // started on the sandbox and a token is now set, or the other way round
  'restore', // a backup was restored: recipients after it would get the message twice
  'damaged', // the check after start found the ledger damaged: restore the newest backup (electron/engine/db/check.ts)
] as const;
export type PauseCode = (typeof PAUSE_CODES)[number];

/** The states Pause acts on (the sender pauses these too, for auth, request and mode). */
export const PAUSABLE_STATES = ['sending', 'scheduled'] as const satisfies readonly CampaignState[];
/** Nothing more happens to these: no send, pause, resume or cancel. */
export const FINISHED_STATES = ['cancelled', 'completed'] as const satisfies readonly CampaignState[];
/** A resend or an invariant repair puts these back to 'sending' (a paused or cancelled one stays as it is). */
export const REOPENABLE_STATES = ['sending', 'completed'] as const satisfies readonly CampaignState[];

function among(list: readonly CampaignState[]) {
  const set: ReadonlySet<CampaignState> = new Set(list);
  return (s: CampaignState) => set.has(s);
}

/** "Send now": a draft is started (the engine's send also restarts a paused one, like Resume). */
export const canSend = (s: CampaignState): boolean => s === 'draft';
export const canPause = among(PAUSABLE_STATES);
/** "Resume": a paused campaign (the engine's resume also starts a draft, like Send now). */
export const canResume = (s: CampaignState): boolean => s === 'paused';
/** Send and Resume both start these; any other state leaves the campaign as it is. */
export const canStart = (s: CampaignState): boolean => canSend(s) || canResume(s);
export const isFinished = among(FINISHED_STATES);
/** create() is still writing its messages: nobody sees it, and nothing acts on it (campaigns/preparing.ts). */
export const isPreparing = (s: CampaignState): boolean => s === 'preparing';
export const canCancel = (s: CampaignState): boolean => !isFinished(s) && !isPreparing(s);
/** Still live: the dashboard keeps refreshing it, and it can still be cancelled. */
export const isLive = canCancel;
/** A resend of undecided recipients puts the campaign back to sending (see REOPENABLE_STATES). */
export const reopensOnResend = among(REOPENABLE_STATES);
/** Closing the window asks first while any campaign is in this state. */
export const isSending = (s: CampaignState): boolean => s === 'sending';
