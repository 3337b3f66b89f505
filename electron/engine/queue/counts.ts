import type { DB } from '../db/open.ts';
import type { MessageStatus } from '../api.ts';
import { isHandedStatus } from '../../../shared/outcome.ts';
import { MEMBER_JOIN, STATUS_SQL } from './status.ts';

/** The chart's bucket width (status_buckets.at): the same 10 seconds migration 2 used. */
export const BUCKET_MS = 10_000;

/**
 * The per-campaign status counters (campaign_counts) and the chart's transitions per 10-second
 * bucket (status_buckets). Until migration 4 a trigger moved them for every message row; it was
 * most of the cost of sending (each row fired three statements, twice per message). Now every
 * statement that changes messages.status moves them here, once per statement, in the same
 * transaction: `move` with the statement's changes, where its WHERE fixes the old status.
 */
export function createCounts(db: DB) {
  const take = db.prepare(`UPDATE campaign_counts SET n = n - ? WHERE campaign_id = ? AND status = ?`);
  const give = db.prepare(`INSERT INTO campaign_counts (campaign_id, status, n) VALUES (?, ?, ?)
    ON CONFLICT (campaign_id, status) DO UPDATE SET n = n + excluded.n`);
  const bucket = db.prepare(`INSERT INTO status_buckets (campaign_id, at, status, n) VALUES (?, ?, ?, ?)
    ON CONFLICT (campaign_id, at, status) DO UPDATE SET n = n + excluded.n`);
  const truth = db.prepare<[number], { status: string; n: number }>(
    `SELECT ${STATUS_SQL} AS status, COUNT(*) AS n FROM messages m ${MEMBER_JOIN} WHERE m.campaign_id = ? GROUP BY 1`,
  );
  const clear = db.prepare(`DELETE FROM campaign_counts WHERE campaign_id = ?`);

  /** `n` messages of one campaign went from `from` to `to`; `at` is the updated_at they got. */
  function move(campaignId: number, from: MessageStatus, to: MessageStatus, n: number, at: number): void {
    if (n <= 0 || from === to) return;
    take.run(n, campaignId, from);
    give.run(campaignId, to, n);
    const t = Math.floor(at / BUCKET_MS) * BUCKET_MS;
    bucket.run(campaignId, t, to, n);
    // the chart's handed line adds the handed statuses: leaving one for the other, or for a re-send,
    // is not a second handover (shared/outcome.ts HANDED_STATUSES)
    if (isHandedStatus(from) && (isHandedStatus(to) || to === 'queued')) bucket.run(campaignId, t, from, -n);
  }

  /**
   * Moves added up per campaign, old and new status and chart bucket (each its own `at`), then
   * moved once each (three statements) by `flush`, in the same transaction: a commit of several
   * requests or reports moves the counters once, not once per request.
   */
  function moves() {
    const pending = new Map<
      string,
      { campaignId: number; from: MessageStatus; to: MessageStatus; n: number; at: number }
    >();
    return {
      add(campaignId: number, from: MessageStatus, to: MessageStatus, n: number, at: number) {
        if (n <= 0 || from === to) return;
        const key = `${campaignId}\0${from}\0${to}\0${Math.floor(at / BUCKET_MS)}`;
        const e = pending.get(key);
        if (e) e.n += n;
        else pending.set(key, { campaignId, from, to, n, at });
      },
      flush() {
        for (const e of pending.values()) move(e.campaignId, e.from, e.to, e.n, e.at);
        pending.clear();
      },
    };
  }

  /**
   * Counts one campaign's messages from scratch (O(campaign)): for the rare writers whose old
   * statuses are not known per statement (the start-up repair). The chart buckets keep their history.
   */
  function recount(campaignId: number): void {
    clear.run(campaignId);
    for (const r of truth.all(campaignId)) give.run(campaignId, r.status, r.n);
  }

  return { move, moves, recount };
}
export type Counts = ReturnType<typeof createCounts>;
