import type { DB } from '../db/open.ts';
import { createCounts } from '../queue/counts.ts';
import { runSteps, runStepsYielding, STEP_ROWS } from '../db/steps.ts';
import { UserError } from '../errors.ts';

const CANCEL_REASON = 'Cancelled before sending.';

/**
 * A cancelled campaign's queued messages, STEP_ROWS per transaction with their counters. The
 * campaign is cancelled before the first (the send loop claims nothing more from it), so what is
 * still queued between two chunks can only wait to be cancelled.
 */
function* cancelSteps(db: DB, campaignId: number, now: number): Generator<void, void> {
  const counts = createCounts(db);
  // What is queued and in no batch (migration 9): above the cursor, and the released rows below
  // it. A message a batch holds is sent and recorded, never cancelled after the fact.
  const chunk = db.prepare(
    `UPDATE messages SET status = 'cancelled', reason = ?, final_at = ?, updated_at = ?
     WHERE id IN (SELECT id FROM messages WHERE campaign_id = ? AND status = 'queued'
       AND seq > (SELECT claimed_seq FROM campaigns WHERE id = ?) LIMIT ${STEP_ROWS})
       AND NOT EXISTS (SELECT 1 FROM batch_members WHERE message_id = messages.id)`,
  );
  const released = db.prepare(
    `UPDATE messages SET status = 'cancelled', reason = ?, final_at = ?, updated_at = ?
     WHERE id IN (SELECT message_id FROM released WHERE campaign_id = ?) AND status = 'queued'
       AND NOT EXISTS (SELECT 1 FROM batch_members WHERE message_id = messages.id)`,
  );
  const step = db.transaction(() => {
    const n =
      released.run(CANCEL_REASON, now, now, campaignId).changes +
      chunk.run(CANCEL_REASON, now, now, campaignId, campaignId).changes;
    counts.move(campaignId, 'queued', 'cancelled', n, now);
    return n;
  });
  while (step() > 0) yield;
}

/** The user's cancel: the event loop turns between chunks (850,000 queued took 3.2 s in one statement). */
export async function cancelQueuedYielding(db: DB, campaignId: number, now: number): Promise<void> {
  if (!(await runStepsYielding(db, cancelSteps(db, campaignId, now))))
    throw new UserError(
      'STOPPED',
      'The app closed while cancelling: the campaign is cancelled, and its last queued messages are at the next start.',
    );
}

/** Start-up: a cancel the app's closing cut short is finished (nothing queued stays in a cancelled campaign). */
export function finishInterruptedCancels(db: DB, now: number): number {
  const ids = db
    .prepare(
      `SELECT c.id FROM campaigns c JOIN campaign_counts k ON k.campaign_id = c.id
       WHERE c.state = 'cancelled' AND k.status = 'queued' AND k.n > 0`,
    )
    .pluck()
    .all() as number[];
  for (const id of ids) runSteps(cancelSteps(db, id, now));
  return ids.length;
}
