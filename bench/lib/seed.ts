import type { DB } from '../../electron/engine/db/open.ts';
import { MEMBER_JOIN, STATUS_SQL } from '../../electron/engine/queue/status.ts';

export const SEED_TEXT = 'Hello Ada, your order is ready for pickup in Lagos. Thank you for shopping with ACME.';

/**
 * msisdn of recipient n (1-based): distinct, valid-looking Nigerian mobiles, in no order of their
 * own (n times a number prime to 10^8, modulo 10^8, is a permutation), as in a real list: numbers
 * sorted like the seqs would land every index keyed by number in order and hide what scattered
 * writes cost (migration 7).
 */
const SCATTER = 7919;
export const SQL_MSISDN = `'23480' || printf('%08d', n * ${SCATTER} % 100000000)`;
export const msisdnOf = (n: number) => `23480${String((n * SCATTER) % 100_000_000).padStart(8, '0')}`;

/**
 * Writes a campaign with `recipients` messages straight into an engine-migrated database, as
 * campaigns.create would have frozen them. A fixture, not a measurement: the create path has
 * its own figure. Statuses, when given, are laid out by seq so batches stay contiguous:
 * `accepted` messages belong to accepted batches of `perBatch` recipients.
 */
export function seedCampaign(
  db: DB,
  o: {
    recipients: number;
    state: 'sending' | 'draft' | 'completed';
    perBatch?: number;
    /** fractions of recipients, in seq order: delivered, accepted (waiting for reports), rest queued */
    delivered?: number;
    accepted?: number;
    /**
     * the accepted ones as the engine leaves them until their batch's first report (migration 9):
     * member rows, message rows still queued; without it they are written accepted
     */
    unwritten?: boolean;
    now?: number;
  },
): number {
  const now = o.now ?? Date.now();
  // Integers go into the SQL text: bound JS numbers are REAL, and (n - 1) / 100.0 is no batch id.
  const per = Math.floor(o.perBatch ?? 100);
  const n = o.recipients;
  const nDelivered = Math.round(((o.delivered ?? 0) * n) / per) * per;
  const nAccepted = Math.round(((o.accepted ?? 0) * n) / per) * per;
  const sentUpTo = nDelivered + nAccepted;
  return db.transaction(() => {
    const cid = Number(
      db
        .prepare(
          `INSERT INTO campaigns (name, sender, template, state, mode, recipients, parts, created_at, started_at)
      VALUES (?, 'ACME', 'Hello {first_name}, your order is ready for pickup in {city}. Thank you for shopping with ACME.', ?, 'live', ?, ?, ?, ?)`,
        )
        .run(`bench ${n}`, o.state, n, n, now, o.state === 'draft' ? null : now).lastInsertRowid,
    );
    const base = Number(db.prepare('SELECT COALESCE(MAX(id), 0) AS m FROM batches').pluck().get());
    if (sentUpTo > 0) {
      db.prepare(
        `WITH RECURSIVE b(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM b WHERE i < ?)
        INSERT INTO batches (id, campaign_id, client_ref, gateway_ref, state, recipients, parts, text, created_at, sent_at, answered_at, http_status, processed, next_poll_at, poll_interval, polls, dlr_done)
        SELECT ${base} + i, ?, 'c' || ? || '-' || i, 'g' || ? || '-' || i, 'accepted', ?, ?, ?, ?, ?, ?, 200, ?, ?, 15000, CASE WHEN i * ${per} <= ? THEN 1 ELSE 0 END, CASE WHEN i * ${per} <= ? THEN 1 ELSE 0 END FROM b`,
      ).run(
        sentUpTo / per,
        cid,
        cid,
        cid,
        per,
        per,
        SEED_TEXT,
        now - 60_000,
        now - 60_000,
        now - 60_000,
        per,
        now - 1000,
        nDelivered,
        nDelivered,
      );
    }
    db.prepare(
      `WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ?)
      INSERT INTO messages (campaign_id, seq, msisdn, network, fields, text, encoding, parts, status, batch_id, raw_status, raw_code, submitted_at, accepted_at, final_at, updated_at)
      SELECT ?, n, ${SQL_MSISDN}, 'MTN', '{"Phone":"0' || substr(${SQL_MSISDN}, 4) || '","First Name":"Ada","City":"Lagos"}', ?, 'GSM-7', 1,
        CASE WHEN n <= ? THEN 'delivered' WHEN n <= ? THEN 'accepted' ELSE 'queued' END,
        CASE WHEN n <= ? THEN ${base} + (n - 1) / ${per} + 1 END,
        CASE WHEN n <= ? THEN 'Delivered' END, CASE WHEN n <= ? THEN 0 END,
        CASE WHEN n <= ? THEN ? END, CASE WHEN n <= ? THEN ? END, CASE WHEN n <= ? THEN ? END, ?
      FROM s`,
    ).run(
      n,
      cid,
      SEED_TEXT,
      nDelivered,
      sentUpTo,
      sentUpTo,
      nDelivered,
      nDelivered,
      sentUpTo,
      now - 60_000,
      sentUpTo,
      now - 60_000,
      nDelivered,
      now - 30_000,
      now,
    );
    if (o.unwritten && nAccepted > 0) {
      db.prepare(
        `INSERT INTO batch_members (message_id, batch_id) SELECT id, batch_id FROM messages WHERE campaign_id = ? AND status = 'accepted' ORDER BY id`,
      ).run(cid);
      db.prepare(
        `UPDATE batches SET first_message_id = (SELECT MIN(id) FROM messages WHERE batch_id = batches.id),
          last_message_id = (SELECT MAX(id) FROM messages WHERE batch_id = batches.id)
        WHERE campaign_id = ? AND dlr_done = 0`,
      ).run(cid);
      db.prepare(
        `UPDATE messages SET status = 'queued', batch_id = NULL, submitted_at = NULL, accepted_at = NULL WHERE campaign_id = ? AND status = 'accepted'`,
      ).run(cid);
      db.prepare(`UPDATE campaigns SET claimed_seq = ? WHERE id = ?`).run(sentUpTo, cid);
    }
    // campaigns.create counts what it inserts (no insert trigger since migration 2's rewrite);
    // setting the counts outright is right with or without such a trigger.
    db.prepare(
      `INSERT INTO campaign_counts (campaign_id, status, n) SELECT m.campaign_id, ${STATUS_SQL}, COUNT(*) FROM messages m ${MEMBER_JOIN} WHERE m.campaign_id = ? GROUP BY 1, 2
      ON CONFLICT (campaign_id, status) DO UPDATE SET n = excluded.n`,
    ).run(cid);
    return cid;
  })();
}
