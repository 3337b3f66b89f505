import type Database from 'better-sqlite3';
import type { DB } from '../db/open.ts';
import { sqlList, type CampaignState, type GatewayMode, type MessageStatus } from '../../../shared/vocabulary.ts';
import { PAUSABLE_STATES, REOPENABLE_STATES, type PauseCode } from '../../../shared/lifecycle.ts';

/**
 * The only SQL that writes a campaign's state (tests/unit/campaign-lifecycle.test.ts greps electron/
 * to hold that). Which move is allowed is decided in shared/lifecycle.ts, the same rules the
 * window's buttons follow; the WHERE clauses here repeat them so a move that raced another one
 * (a report completing the campaign while the user pauses) changes nothing instead of undoing it.
 * Statements are prepared on first use: the sender, the ledger, the service and a restore each
 * make their own lifecycle and use a few of them.
 */
export type Lifecycle = ReturnType<typeof createLifecycle>;

export function createLifecycle(db: DB) {
  const cache = new Map<string, Database.Statement<unknown[], unknown>>();
  const sql = (text: string) => {
    let s = cache.get(text);
    if (!s) {
      s = db.prepare(text);
      cache.set(text, s);
    }
    return s;
  };
  const pausable = sqlList(PAUSABLE_STATES);

  return {
    /** create() wrote its last slice: the campaign is a draft anyone can see, send or cancel. */
    prepared(id: number): void {
      sql(`UPDATE campaigns SET state = 'draft' WHERE id = ? AND state = 'preparing'`).run(id);
    },
    /** The user's send, resume or pause (service.ts has checked the move): clears any retry wait. */
    enter(
      id: number,
      state: CampaignState,
      extra: {
        pause_reason?: string | null;
        pause_code?: PauseCode | null;
        started_at?: number | null;
        mode?: GatewayMode | null;
      } = {},
    ): void {
      sql(`UPDATE campaigns SET state = ?, pause_reason = ?, pause_code = ?,
      started_at = COALESCE(started_at, ?), mode = COALESCE(mode, ?), retry_at = NULL WHERE id = ?`).run(
        state,
        extra.pause_reason ?? null,
        extra.pause_code ?? null,
        extra.started_at ?? null,
        extra.mode ?? null,
        id,
      );
    },
    /** The sender's pause of one campaign, if it is still sending or scheduled; true if it was. */
    pause(id: number, reason: string, code: PauseCode): boolean {
      return (
        sql(
          `UPDATE campaigns SET state = 'paused', pause_reason = ?, pause_code = ? WHERE id = ? AND state IN ${pausable}`,
        ).run(reason, code, id).changes > 0
      );
    },
    /** The sender's pause of every campaign sending or scheduled (a refused token stops them all); their ids. */
    pauseAll(reason: string, code: PauseCode): number[] {
      return (
        sql(
          `UPDATE campaigns SET state = 'paused', pause_reason = ?, pause_code = ? WHERE state IN ${pausable} RETURNING id`,
        ).all(reason, code) as { id: number }[]
      ).map((r) => r.id);
    },
    /** After a restore: every campaign that was sending or scheduled is paused, retries forgotten; how many. */
    pauseAllForRestore(reason: string): number {
      const code: PauseCode = 'restore';
      return sql(
        `UPDATE campaigns SET state = 'paused', pause_code = ?, pause_reason = ?, retry_at = NULL WHERE state IN ${pausable}`,
      ).run(code, reason).changes;
    },
    /** Ids of the campaigns paused for this reason (a saved token resumes the 'auth' ones). */
    pausedFor(code: PauseCode): number[] {
      return (
        sql(`SELECT id FROM campaigns WHERE state = 'paused' AND pause_code = ?`).all(code) as { id: number }[]
      ).map((r) => r.id);
    },
    /** Scheduled campaigns whose time has come start sending; true if any did. */
    promoteDue(now: number): boolean {
      // Asked before every request: a read costs microseconds, while an UPDATE that finds nothing
      // still takes the write lock and commits.
      if (!sql(`SELECT 1 FROM campaigns WHERE state = 'scheduled' AND send_at <= ? LIMIT 1`).get(now)) return false;
      return (
        sql(
          `UPDATE campaigns SET state = 'sending', started_at = COALESCE(started_at, ?) WHERE state = 'scheduled' AND send_at <= ?`,
        ).run(now, now).changes > 0
      );
    },
    /** Nothing left to send or decide (the ledger checked): a sending campaign is completed. */
    complete(id: number, now: number): boolean {
      return (
        sql(
          `UPDATE campaigns SET state = 'completed', finished_at = ?, retry_at = NULL WHERE id = ? AND state = 'sending'`,
        ).run(now, id).changes > 0
      );
    },
    cancel(id: number, now: number): void {
      sql(`UPDATE campaigns SET state = 'cancelled', finished_at = ?, retry_at = NULL WHERE id = ?`).run(now, id);
    },
    /** The user chose to resend undecided recipients of a campaign that is sending or completed. */
    reopenForResend(id: number): void {
      sql(`UPDATE campaigns SET state = 'sending', finished_at = NULL, retry_at = NULL WHERE id = ?`).run(id);
    },
    /** An automatic resend queued recipients again: a completed (or sending) campaign sends them. */
    reopenIfDone(id: number): void {
      sql(
        `UPDATE campaigns SET state = 'sending', finished_at = NULL WHERE id = ? AND state IN ${sqlList(REOPENABLE_STATES)}`,
      ).run(id);
    },
    /** A repair left recipients unfinished in completed campaigns: those send again; how many. */
    reopenUnfinished(unfinished: readonly MessageStatus[]): number {
      return sql(`UPDATE campaigns SET state = 'sending', finished_at = NULL WHERE state = 'completed' AND id IN
      (SELECT campaign_id FROM campaign_counts WHERE status IN ${sqlList(unfinished)} AND n > 0)`).run().changes;
    },
  };
}
