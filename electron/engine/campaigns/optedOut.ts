import type { DB } from '../db/open.ts';
import { createCounts } from '../queue/counts.ts';
import { runStepsYielding, STEP_ROWS } from '../db/steps.ts';
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
  const cancel = db.prepare(
    `UPDATE messages SET status = 'cancelled', reason = ?, final_at = ?, updated_at = ?
     WHERE campaign_id = ? AND status = 'queued' AND seq > ? AND seq <= ?
       AND EXISTS (SELECT 1 FROM optouts o WHERE o.msisdn = messages.msisdn)`,
  );
  for (const id of open) {
    let after = 0;
    for (;;) {
      const end = db.transaction(() => {
        const last = windowEnd.get(id, after);
        if (last == null) return null;
        const n = cancel.run(OPTED_OUT_REASON, now, now, id, after, last).changes;
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
 * After numbers were added to the opt-out list: their queued messages in campaigns not finished
 * are cancelled, with the event loop turning between steps. Resolves the count per campaign.
 */
export async function cancelOptedOut(db: DB, now: number): Promise<Map<number, number>> {
  const cancelled = new Map<number, number>();
  if (!(await runStepsYielding(db, optedOutSteps(db, now, cancelled))))
    throw new UserError(
      'STOPPED',
      'The app closed while the queued messages to these numbers were being cancelled: they are on the opt-out list, so add them again once it is open to cancel the rest.',
    );
  return cancelled;
}
