import fs from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../../electron/engine/db/open.ts';
import { seedCampaign } from '../lib/seed.ts';
import { createCounts } from '../../electron/engine/queue/counts.ts';

/**
 * Fixture: an engine-migrated database holding one big campaign. With `submittingBatch`, the
 * last accepted batch is left `submitting`, as if the app had stopped mid-request.
 */
export async function seedDb(a: {
  file: string;
  recipients: number;
  delivered?: number;
  accepted?: number;
  unwritten?: boolean;
  submittingBatch?: boolean;
}) {
  fs.mkdirSync(path.dirname(a.file), { recursive: true });
  const db = openDatabase(a.file);
  const campaignId = seedCampaign(db, {
    recipients: a.recipients,
    state: 'sending',
    delivered: a.delivered,
    accepted: a.accepted,
    unwritten: a.unwritten,
  });
  if (a.submittingBatch) {
    const id = db.prepare(`SELECT MAX(id) FROM batches WHERE campaign_id = ?`).pluck().get(campaignId) as number;
    db.prepare(
      `UPDATE batches SET state = 'submitting', gateway_ref = NULL, answered_at = NULL, http_status = NULL, next_poll_at = NULL WHERE id = ?`,
    ).run(id);
    db.prepare(`UPDATE messages SET status = 'submitting', accepted_at = NULL WHERE batch_id = ?`).run(id);
    // Writers keep the status counters themselves (migration 4), this fixture too.
    createCounts(db).recount(campaignId);
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { campaignId, bytes: fs.statSync(a.file).size };
}
