import type { DB } from '../db/open.ts';
import { runSteps, runStepsYielding, STEP_ROWS } from '../db/steps.ts';
import { UserError } from '../errors.ts';

/**
 * Deletes a list and everything under it a few thousand rows per transaction, so a 1M-row
 * list never holds one long write. The list is hidden first (state 'importing'), so a crash
 * half-way leaves something start-up cleanup finishes. One chunk per step.
 */
function* deleteSteps(db: DB, listId: number): Generator<void, void> {
  db.prepare(`UPDATE lists SET state = 'importing' WHERE id = ?`).run(listId);
  const contacts = db.prepare(
    `DELETE FROM contacts WHERE id IN (SELECT id FROM contacts WHERE list_id = ? LIMIT ${STEP_ROWS})`,
  );
  const rejects = db.prepare(
    `DELETE FROM import_rejects WHERE id IN (SELECT id FROM import_rejects WHERE list_id = ? LIMIT ${STEP_ROWS})`,
  );
  while (contacts.run(listId).changes > 0) yield;
  while (rejects.run(listId).changes > 0) yield;
  db.prepare(`DELETE FROM lists WHERE id = ?`).run(listId);
}

/** All at once: start-up cleanup (nothing else runs yet) and an import that gives up. */
export function deleteListChunked(db: DB, listId: number): void {
  runSteps(deleteSteps(db, listId));
}

/**
 * The user's delete: the event loop turns between chunks (a chunk is a few ms), so a send, a
 * report or the window's next call is not held up for the whole list (~1.2 s for 850,000 contacts).
 */
export async function deleteListYielding(db: DB, listId: number): Promise<void> {
  if (!(await runStepsYielding(db, deleteSteps(db, listId))))
    throw new UserError('STOPPED', 'The app closed while the list was being deleted; the rest goes at the next start.');
}

/** Start-up: removes lists a crash or a closed window left half-imported. Returns how many. */
export function cleanupInterruptedImports(db: DB): number {
  const ids = db.prepare(`SELECT id FROM lists WHERE state = 'importing'`).pluck().all() as number[];
  for (const id of ids) deleteListChunked(db, id);
  return ids.length;
}
