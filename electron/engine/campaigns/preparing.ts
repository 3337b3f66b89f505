import type { DB } from '../db/open.ts';
import { runSteps, runStepsYielding } from '../db/steps.ts';

const DELETE_CHUNK = 5000;

/**
 * A campaign that never finished preparing (create() refused half-way, or the app stopped during
 * its slices) goes with its messages, a few thousand per statement. Only a 'preparing' campaign:
 * nothing was sent from it, and nobody else could see it.
 */
function* discardSteps(db: DB, campaignId: number): Generator<void, void> {
  const messages = db.prepare(
    `DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE campaign_id = ? LIMIT ${DELETE_CHUNK})
     AND campaign_id IN (SELECT id FROM campaigns WHERE id = ? AND state = 'preparing')`,
  );
  while (messages.run(campaignId, campaignId).changes > 0) yield;
  db.transaction(() => {
    if (!db.prepare(`DELETE FROM campaigns WHERE id = ? AND state = 'preparing'`).run(campaignId).changes) return;
    db.prepare(`DELETE FROM campaign_counts WHERE campaign_id = ?`).run(campaignId);
    db.prepare(`DELETE FROM status_buckets WHERE campaign_id = ?`).run(campaignId);
  })();
}

/** After a refusal: the event loop turns between chunks, as it did while the slices went in. */
export async function discardPreparing(db: DB, campaignId: number): Promise<void> {
  await runStepsYielding(db, discardSteps(db, campaignId)); // closed half-way: start-up finishes it
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
