import type { DB } from '../db/open.ts';
import { createCounts } from '../queue/counts.ts';
import { campaignCursor, createRelease } from '../queue/release.ts';
import { runSteps, runStepsYielding, STEP_ROWS } from '../db/steps.ts';
import { UserError } from '../errors.ts';
import { FINISHED_STATES } from '../../../shared/lifecycle.ts';
import { sqlList } from '../../../shared/vocabulary.ts';

/** What a message cancelled this way says, on the messages page and in the export. */
export const OPTED_OUT_REASON = 'Not sent: the number was added to the opt-out list after the campaign was made.';

/**
 * A campaign leaves opted-out numbers out when its messages are made, and the send loop never looks
 * at the list again. So a number added to it later (a customer who replied STOP while a campaign
 * of hours is going out) still had its queued message sent. This cancels those messages in every
 * campaign not finished yet, STEP_ROWS queued messages per transaction in seq order from the
 * lowest, which is where the send loop claims: the first step runs before the caller returns to
 * the event loop, so nothing at the front of a queue can be claimed before it is looked at. A
 * message already handed to the gateway cannot be called back; it is not counted here.
 */
function* optedOutSteps(db: DB, now: number, cancelled: Map<number, number>): Generator<void, void> {
  const counts = createCounts(db);
  const open = db
    .prepare(`SELECT id FROM campaigns WHERE state NOT IN ${sqlList(FINISHED_STATES)} ORDER BY id`)
    .pluck()
    .all() as number[];
  const windowEnd = db
    .prepare<[number, number], number | null>(
      `SELECT MAX(seq) FROM (SELECT seq FROM messages WHERE campaign_id = ? AND status = 'queued' AND seq > ? ORDER BY seq LIMIT ${STEP_ROWS})`,
    )
    .pluck();
  // Queued messages in no batch (migration 9): the released ones below the cursor first (the
  // front of the queue), then windows above the cursor, which a claim between two steps moves on.
  const NOT_A_MEMBER = `AND NOT EXISTS (SELECT 1 FROM batch_members WHERE message_id = messages.id)`;
  const cancel = db.prepare(
    `UPDATE messages SET status = 'cancelled', reason = ?, final_at = ?, updated_at = ?
     WHERE campaign_id = ? AND status = 'queued' AND seq > ? AND seq <= ?
       AND EXISTS (SELECT 1 FROM optouts o WHERE o.msisdn = messages.msisdn) ${NOT_A_MEMBER}`,
  );
  const cancelReleased = db.prepare(
    `UPDATE messages SET status = 'cancelled', reason = ?, final_at = ?, updated_at = ?
     WHERE id IN (SELECT message_id FROM released WHERE campaign_id = ?) AND status = 'queued'
       AND EXISTS (SELECT 1 FROM optouts o WHERE o.msisdn = messages.msisdn) ${NOT_A_MEMBER}`,
  );
  const cursorOf = campaignCursor(db);
  for (const id of open) {
    let after = 0,
      first = true;
    for (;;) {
      const end = db.transaction(() => {
        let n = 0;
        if (first) n += cancelReleased.run(OPTED_OUT_REASON, now, now, id).changes;
        first = false;
        after = Math.max(after, cursorOf.get(id) ?? 0);
        const last = windowEnd.get(id, after);
        if (last != null) n += cancel.run(OPTED_OUT_REASON, now, now, id, after, last).changes;
        counts.move(id, 'queued', 'cancelled', n, now);
        if (n) cancelled.set(id, (cancelled.get(id) ?? 0) + n);
        return last;
      })();
      if (end == null) break;
      after = end;
      yield;
    }
  }
}

/**
 * A row of the settings table, not a setting (no user sees or sets it): present from before the
 * numbers are stored until every step of their cancel ran. The app's closing, or a crash, between
 * the two leaves it, and the next start finishes the cancel before anything is sent
 * (finishInterruptedOptOutCancels).
 */
const PENDING_KEY = 'internal.optoutCancelPending';

/**
 * Numbers are about to be added to the opt-out list: their cancel is due from now on, even if the
 * app stops before it ran. Call before storing them; cancelOptedOut() clears it.
 */
export function optOutCancelDue(db: DB, now: number): void {
  db.prepare(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`).run(
    PENDING_KEY,
    String(now),
  );
}

/** Every cancel marked due ran to its end (none is running): nothing is left for the next start. */
export function optOutCancelsDone(db: DB): void {
  db.prepare(`DELETE FROM settings WHERE key = ?`).run(PENDING_KEY);
}

/**
 * After numbers were added to the opt-out list: their queued messages in campaigns not finished
 * are cancelled, with the event loop turning between steps. Resolves the count per campaign.
 */
export async function cancelOptedOut(db: DB, now: number): Promise<Map<number, number>> {
  const cancelled = new Map<number, number>();
  if (!(await runStepsYielding(db, optedOutSteps(db, now, cancelled))))
    throw new UserError(
      'STOPPED',
      'The app closed while the queued messages to these numbers were being cancelled: they are on the opt-out list, and the rest are cancelled when the app next opens, before anything is sent.',
    );
  return cancelled;
}

/**
 * Start-up, before the send loop: a cancel that the app's closing or a crash cut short is run to
 * its end, all at once. Returns the messages it cancelled, or null when none was due.
 */
export function finishInterruptedOptOutCancels(db: DB, now: number): number | null {
  if (db.prepare(`SELECT 1 FROM settings WHERE key = ?`).pluck().get(PENDING_KEY) === undefined) return null;
  const cancelled = new Map<number, number>();
  runSteps(optedOutSteps(db, now, cancelled));
  optOutCancelsDone(db);
  let n = 0;
  for (const v of cancelled.values()) n += v;
  return n;
}

/**
 * Numbers taken off the opt-out list: the messages their opt-out cancelled (OPTED_OUT_REASON) in
 * campaigns not finished are queued again, where they were in the queue. A campaign cancelled or
 * completed meanwhile keeps them cancelled. Only a campaign's cancelled rows are read (its
 * (campaign, status) index), a few per number. Returns the count per campaign.
 */
export function restoreOptedIn(db: DB, msisdns: string[], now: number): Map<number, number> {
  const restored = new Map<number, number>();
  if (!msisdns.length) return restored;
  const counts = createCounts(db);
  const open = db
    .prepare(`SELECT id FROM campaigns WHERE state NOT IN ${sqlList(FINISHED_STATES)} ORDER BY id`)
    .pluck()
    .all() as number[];
  const requeue = db.prepare<[number, number, string, string], { id: number; seq: number }>(
    `UPDATE messages SET status = 'queued', reason = NULL, final_at = NULL, updated_at = ?
     WHERE campaign_id = ? AND status = 'cancelled' AND reason = ?
       AND msisdn IN (SELECT value FROM json_each(?)) RETURNING id, seq`,
  );
  const release = createRelease(db);
  db.transaction(() => {
    for (let i = 0; i < msisdns.length; i += STEP_ROWS) {
      const chunk = JSON.stringify(msisdns.slice(i, i + STEP_ROWS));
      for (const id of open) {
        const back = requeue.all(now, id, OPTED_OUT_REASON, chunk);
        release(id, back);
        const n = back.length;
        counts.move(id, 'cancelled', 'queued', n, now);
        if (n) restored.set(id, (restored.get(id) ?? 0) + n);
      }
    }
  })();
  return restored;
}
