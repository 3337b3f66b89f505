import type { DB } from '../db/open.ts';

const DELETE_CHUNK = 5000;

/**
 * Deletes a list and everything under it a few thousand rows per transaction, so a 1M-row
 * list never blocks the connection the send loop shares. The list is hidden first (state
 * 'importing'), so a crash half-way leaves something start-up cleanup finishes.
 */
export function deleteListChunked(db: DB, listId: number): void {
  db.prepare(`UPDATE lists SET state = 'importing' WHERE id = ?`).run(listId);
  const contacts = db.prepare(
    `DELETE FROM contacts WHERE id IN (SELECT id FROM contacts WHERE list_id = ? LIMIT ${DELETE_CHUNK})`,
  );
  const rejects = db.prepare(
    `DELETE FROM import_rejects WHERE id IN (SELECT id FROM import_rejects WHERE list_id = ? LIMIT ${DELETE_CHUNK})`,
  );
  while (contacts.run(listId).changes > 0) {
    /* next chunk */
  }
  while (rejects.run(listId).changes > 0) {
    /* next chunk */
  }
  db.prepare(`DELETE FROM lists WHERE id = ?`).run(listId);
}

/** Start-up: removes lists a crash or a closed window left half-imported. Returns how many. */
export function cleanupInterruptedImports(db: DB): number {
  const ids = db.prepare(`SELECT id FROM lists WHERE state = 'importing'`).pluck().all() as number[];
  for (const id of ids) deleteListChunked(db, id);
  return ids.length;
}
