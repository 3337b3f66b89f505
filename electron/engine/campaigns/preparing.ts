import type { DB } from '../db/open.ts';
import { runSteps, runStepsYielding, STEP_ROWS } from '../db/steps.ts';
import { UserError } from '../errors.ts';
import { createLifecycle } from './lifecycle.ts';

/**
 * A campaign that never finished preparing (create() refused half-way, or the app stopped during
 * its slices) goes with its messages, a few thousand per statement. Only a 'preparing' campaign:
 * nothing was sent from it, and nobody else could see it.
 */
function* discardSteps(db: DB, campaignId: number): Generator<void, void> {
  const messages = db.prepare(
    `DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE campaign_id = ? LIMIT ${STEP_ROWS})
     AND campaign_id IN (SELECT id FROM campaigns WHERE id = ? AND state = 'preparing')`,
  );
  while (messages.run(campaignId, campaignId).changes > 0) yield;
  db.transaction(() => {
    if (!db.prepare(`DELETE FROM campaigns WHERE id = ? AND state = 'preparing'`).run(campaignId).changes) return;
    db.prepare(`DELETE FROM campaign_counts WHERE campaign_id = ?`).run(campaignId);
    db.prepare(`DELETE FROM status_buckets WHERE campaign_id = ?`).run(campaignId);
  })();
}

/**
 * Fills a campaign inserted as 'preparing' (create, re-send to failed): its slices one transaction
 * each with the event loop turning between them, then `finish` (which may refuse) and the move to
 * 'draft' in one last transaction. A refusal, or a close between two slices (`STOPPED`, with the
 * caller's sentence), removes what was written; what a crash leaves, start-up removes.
 */
export async function fillPreparing(
  db: DB,
  campaignId: number,
  slices: Generator<void, void>,
  finish: () => void,
  stopped: string,
): Promise<void> {
  try {
    if (!(await runStepsYielding(db, slices))) throw new UserError('STOPPED', stopped);
    db.transaction(() => {
      finish();
      createLifecycle(db).prepared(campaignId);
    })();
  } catch (e) {
    // yielding as the slices did; closed half-way, start-up finishes it
    if (db.open) await runStepsYielding(db, discardSteps(db, campaignId));
    throw e;
  }
}

/** Start-up: removes campaigns a crash or a close left preparing. Returns how many. */
export function cleanupInterruptedFreezes(db: DB): number {
  const ids = db.prepare(`SELECT id FROM campaigns WHERE state = 'preparing'`).pluck().all() as number[];
  for (const id of ids) runSteps(discardSteps(db, id));
  return ids.length;
}

/** A list a campaign is being prepared from cannot be deleted until it is ready. */
export function preparingFrom(db: DB, listId: number): string | null {
  return (
    (db.prepare(`SELECT name FROM campaigns WHERE list_id = ? AND state = 'preparing' LIMIT 1`).pluck().get(listId) as
      string | undefined) ?? null
  );
}
