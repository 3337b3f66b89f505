/**
 * The words the ledger, the contract and the window share: a message's status, a campaign's state,
 * how a send time is kept, whether the sandbox or the live gateway sends. The zod schemas
 * (shared/ipc/schemas.ts), the SQL lists (electron/engine/campaigns/rows.ts), the engine's types
 * (electron/engine/api.ts) and the labels (renderer/src/features/campaigns/statusText.ts) derive
 * from these arrays; a label table is a `Record<…>` over them, so a forgotten word fails tsc.
 * The ledger stores these words as plain text in users' files: a new word is free, renaming or
 * dropping one needs a migration that rewrites the stored rows.
 */

/** A recipient's message, from the ledger's point of view (see docs/gateway-9bits.md for the gateway's own words). */
export const MESSAGE_STATUSES = [
  'queued',
  'submitting',
  'uncertain',
  'accepted',
  'failed',
  'sent',
  'delivered',
  'rejected',
  'expired',
  'unknown',
  'cancelled',
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** Final: no further change expected from the gateway (the poller stops asking about these). */
export const FINAL_STATUSES = [
  'failed',
  'delivered',
  'rejected',
  'expired',
  'unknown',
  'cancelled',
] as const satisfies readonly MessageStatus[];
export type FinalStatus = (typeof FINAL_STATUSES)[number];

const finalSet: ReadonlySet<string> = new Set(FINAL_STATUSES);
export function isFinalStatus(s: string): s is FinalStatus {
  return finalSet.has(s);
}

/** Not final: the gateway may still move these (the poller asks, the ledger check counts them as open). */
export const OPEN_STATUSES: readonly MessageStatus[] = MESSAGE_STATUSES.filter((s) => !isFinalStatus(s));

/** Still to hand over to the gateway: waiting in the queue, or in a request whose answer is not in yet. */
export const TO_HAND_OVER_STATUSES = ['queued', 'submitting'] as const satisfies readonly MessageStatus[];

/** Statuses that keep a campaign from being "completed": something may still leave, or nobody decided. */
export const UNFINISHED_STATUSES = [...TO_HAND_OVER_STATUSES, 'uncertain'] as const satisfies readonly MessageStatus[];

/** Handed over and accepted, a final delivery report still to come: open, but not unfinished. */
export const AWAITING_REPORT_STATUSES: readonly MessageStatus[] = OPEN_STATUSES.filter(
  (s) => !(UNFINISHED_STATUSES as readonly string[]).includes(s),
);

/** What one report lookup of a batch (the uncertain-batch check) got from the gateway. */
export const LOOKUP_ANSWERS = ['found', 'not-found', 'not-found-early', 'error'] as const;
export type LookupAnswer = (typeof LOOKUP_ANSWERS)[number];

/** 'preparing': create() is still writing its messages; no call lists, opens or sends it (campaigns/preparing.ts). */
export const CAMPAIGN_STATES = [
  'preparing',
  'draft',
  'scheduled',
  'sending',
  'paused',
  'cancelled',
  'completed',
] as const;
export type CampaignState = (typeof CAMPAIGN_STATES)[number];

/** 'local': SMS Desk sends at the time; 'gateway': handed to 9bits now with a send_at */
export const SCHEDULE_MODES = ['local', 'gateway'] as const;
export type ScheduleMode = (typeof SCHEDULE_MODES)[number];

/** which gateway sends: the built-in sandbox (no token set) or the live 9bits gateway */
export const GATEWAY_MODES = ['sandbox', 'live'] as const;
export type GatewayMode = (typeof GATEWAY_MODES)[number];

/** `('a','b')` for SQL `IN` / `NOT IN`; only for these fixed words (never user text), so quoting is safe. */
export function sqlList(words: readonly string[]): string {
  for (const w of words) if (!/^[a-z_-]+$/.test(w)) throw new Error(`not a vocabulary word: ${w}`);
  return `(${words.map((w) => `'${w}'`).join(',')})`;
}
