import type { DB } from '../db/open.ts';

/** A campaign's cursor (campaigns.claimed_seq): below it, every queued message is a batch's or released. */
export function campaignCursor(db: DB) {
  return db.prepare<[number], number>(`SELECT claimed_seq FROM campaigns WHERE id = ?`).pluck();
}

/**
 * Messages back in the queue below their campaign's cursor (migration 9): a returned batch, a
 * re-sent one, a restored opt-out, a repaired row. The next batch finds queued messages above the
 * cursor, and these in `released` first, so none is skipped. Call it in the transaction that put
 * the rows back to `queued`; a row above the cursor needs nothing (the cursor will reach it).
 */
export function createRelease(db: DB) {
  const cursor = campaignCursor(db);
  const put = db.prepare(`INSERT OR IGNORE INTO released (campaign_id, seq, message_id) VALUES (?, ?, ?)`);
  return function release(campaignId: number, rows: readonly { id: number; seq: number }[]): void {
    if (!rows.length) return;
    const c = cursor.get(campaignId) ?? 0;
    for (const r of rows) if (r.seq <= c) put.run(campaignId, r.seq, r.id);
  };
}
