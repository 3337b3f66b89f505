import type { DB } from '../db/open.ts';
import type { MessageStatus } from '../api.ts';
import { OPEN_STATUSES, UNFINISHED_STATUSES, sqlList } from '../../../shared/vocabulary.ts';
import { createCounts } from './counts.ts';
import { createRelease } from './release.ts';
import { newClientRef } from './ledger.ts';
import { BATCH_ID_SQL, MEMBER_JOIN, STATUS_SQL } from './status.ts';
import { COUNTERS_OFF_SQL, type CountersOffRow } from './counters-check.ts';
import { createLifecycle } from '../campaigns/lifecycle.ts';

/**
 * Queued messages behind their campaign's cursor that no batch holds and that are not released
 * (migration 9): the send loop, which looks above the cursor, would never take them. Per campaign
 * through the (campaign, status, seq) index, below the cursor only (CROSS JOIN: campaigns first).
 */
const STRANDED = `FROM campaigns c CROSS JOIN messages m ON m.campaign_id = c.id AND m.status = 'queued' AND m.seq <= c.claimed_seq
  WHERE NOT EXISTS (SELECT 1 FROM batch_members bm WHERE bm.message_id = m.id)
    AND NOT EXISTS (SELECT 1 FROM released r WHERE r.campaign_id = m.campaign_id AND r.seq = m.seq)`;

export type BatchState = 'submitting' | 'accepted' | 'uncertain' | 'failed' | 'returned' | 'resent';

/**
 * The message statuses each batch state may hold: the ledger's one rule. A batch that answers
 * "returned" or "resent" has given its messages back (batch_id cleared), so it holds none; a
 * message without a batch has never left (queued) or was cancelled before it could.
 */
export const BATCH_HOLDS: Record<BatchState | 'none', readonly MessageStatus[]> = {
  submitting: ['submitting'],
  accepted: ['accepted', 'sent', 'delivered', 'failed', 'rejected', 'expired', 'unknown'],
  uncertain: ['uncertain'],
  failed: ['failed'],
  returned: [],
  resent: [],
  none: ['queued', 'cancelled'],
};

/** Statuses that keep a campaign from being "completed" (shared/vocabulary.ts). */
export const UNFINISHED: readonly MessageStatus[] = UNFINISHED_STATUSES;

export interface Violation {
  rule: string;
  campaignId: number | null;
  batchId: number | null;
  detail: string;
  n: number;
}

/**
 * Finds messages the ledger can no longer account for. `thorough` walks every message and checks
 * the status counters too (the fault suite, after each scenario); without it only the statuses
 * where a stranded recipient can hide are looked at, through indexes (start-up, any size).
 */
export function checkLedger(db: DB, opts: { thorough?: boolean } = {}): Violation[] {
  const out: Violation[] = [];
  if (opts.thorough) {
    const rows = db
      .prepare<
        [],
        { campaign_id: number; batch_id: number | null; state: string | null; status: MessageStatus; n: number }
      >(
        `SELECT m.campaign_id, ${BATCH_ID_SQL} AS batch_id, b.state, ${STATUS_SQL} AS status, COUNT(*) AS n
       FROM messages m ${MEMBER_JOIN} LEFT JOIN batches b ON b.id = ${BATCH_ID_SQL}
       GROUP BY 1, 2, 4`,
      )
      .all();
    for (const r of rows) {
      const state = (r.batch_id == null ? 'none' : (r.state ?? 'missing')) as BatchState | 'none' | 'missing';
      const allowed = state === 'missing' ? [] : (BATCH_HOLDS[state] ?? []);
      if (!allowed.includes(r.status)) {
        out.push({
          rule: 'batch-holds',
          campaignId: r.campaign_id,
          batchId: r.batch_id,
          n: r.n,
          detail: `${r.n} ${r.status} message(s) on a ${state} batch`,
        });
      }
    }
    const counted = db.prepare<[], CountersOffRow>(COUNTERS_OFF_SQL).all();
    for (const r of counted)
      out.push({
        rule: 'counters',
        campaignId: r.campaign_id,
        batchId: null,
        n: Math.abs(r.real - r.kept),
        detail: `${r.status}: ${r.real} messages, counter says ${r.kept}`,
      });
  } else {
    // Rows are counted here, not by GROUP BY: only the (normally zero) violating rows come back,
    // and no temporary sort is built at every start.
    const tally = new Map<string, Violation>();
    const add = (campaignId: number, batchId: number | null, state: string, status: string) => {
      const key = `${batchId}/${status}`;
      const v = tally.get(key) ?? { rule: 'batch-holds', campaignId, batchId, n: 0, detail: '' };
      v.n++;
      v.detail = `${v.n} ${status} message(s) on a ${state} batch`;
      tally.set(key, v);
    };
    // submitting and uncertain are only right on a batch of the same state (index on campaign, status).
    const rows = db
      .prepare<[], { campaign_id: number; batch_id: number | null; state: string | null; status: MessageStatus }>(
        `SELECT m.campaign_id, m.batch_id, b.state, m.status FROM messages m LEFT JOIN batches b ON b.id = m.batch_id
       WHERE m.campaign_id IN (SELECT id FROM campaigns) AND m.status IN ('submitting', 'uncertain') AND b.state IS NOT m.status`,
      )
      .all();
    for (const r of rows)
      add(r.campaign_id, r.batch_id, r.batch_id == null ? 'missing' : (r.state ?? 'missing'), r.status);
    // A batch that gave its messages back holds none: such batches by (campaign, state), each
    // probed on the messages' batch index. (A million one-recipient requests: no scan of batches.)
    const given = db
      .prepare<[], { campaign_id: number; id: number; state: string; status: MessageStatus }>(
        `SELECT b.campaign_id, b.id, b.state, m.status FROM batches b JOIN messages m ON m.batch_id = b.id
       WHERE b.campaign_id IN (SELECT id FROM campaigns) AND b.state IN ('returned', 'resent') AND m.status NOT IN ('submitting', 'uncertain')`,
      )
      .all();
    for (const r of given) add(r.campaign_id, r.id, r.state, r.status);
    // A member row (migration 9) stands for a message of a batch still submitting or accepted, whose
    // row says queued: anything else is a message the ledger can no longer place. (A small table,
    // walked first: CROSS JOIN keeps the planner from walking the messages instead.)
    const members = db
      .prepare<[], { campaign_id: number; batch_id: number; state: string | null; status: MessageStatus }>(
        `SELECT m.campaign_id, bm.batch_id, b.state, m.status FROM batch_members bm CROSS JOIN messages m ON m.id = bm.message_id
       LEFT JOIN batches b ON b.id = bm.batch_id WHERE m.status != 'queued' OR b.state IS NULL OR b.state NOT IN ('submitting', 'accepted')`,
      )
      .all();
    for (const r of members) add(r.campaign_id, r.batch_id, r.state ?? 'missing', `${r.status} (member)`);
    out.push(...tally.values());
  }
  // A queued message below its campaign's cursor that no batch holds and that is not released
  // would never be sent, and its campaign never end (the send loop looks above the cursor). Per
  // campaign through the (campaign, status, seq) index, below the cursor only (CROSS JOIN: the
  // campaigns first); it walks the messages accepted whose first report has not come yet.
  const stranded = db
    .prepare<[], { campaign_id: number; n: number }>(
      `SELECT c.id AS campaign_id, COUNT(*) AS n ${STRANDED} GROUP BY c.id`,
    )
    .all();
  for (const r of stranded)
    out.push({
      rule: 'stranded',
      campaignId: r.campaign_id,
      batchId: null,
      n: r.n,
      detail: `${r.n} queued message(s) behind the send cursor that no request holds`,
    });
  const done = db
    .prepare<[], { id: number; status: string; n: number }>(
      `SELECT c.id, k.status, k.n FROM campaigns c JOIN campaign_counts k ON k.campaign_id = c.id
     WHERE c.state = 'completed' AND k.status IN ${sqlList(UNFINISHED)} AND k.n > 0`,
    )
    .all();
  for (const r of done)
    out.push({
      rule: 'completed',
      campaignId: r.id,
      batchId: null,
      n: r.n,
      detail: `completed campaign holds ${r.n} ${r.status} message(s)`,
    });
  return out;
}

const REPAIR_REASON =
  'The ledger check found this request did not account for all its recipients; their outcome is being checked with the gateway.';

/**
 * Repairs what checkLedger found, always towards asking the user: a batch holding messages its
 * state does not allow becomes uncertain again (looked up by its client reference, then offered
 * to resolve), and a campaign that still has recipients to settle is not "completed". Nothing is
 * re-queued on a guess: that is how a recipient gets two messages. One transaction.
 */
export function repairLedger(db: DB, found: Violation[], now: number, pollInterval: number): number {
  if (!found.length) return 0;
  let fixed = 0;
  db.transaction(() => {
    const batchIds = [
      ...new Set(found.filter((v) => v.rule === 'batch-holds' && v.batchId != null).map((v) => v.batchId!)),
    ];
    const existing = db.prepare<[number], { id: number }>('SELECT id FROM batches WHERE id = ?');
    const toUncertainBatch =
      db.prepare(`UPDATE batches SET state = 'uncertain', dlr_done = 0, polls = 0, next_poll_at = ?, poll_interval = COALESCE(poll_interval, ?),
      error = COALESCE(error, ?) WHERE id = ?`);
    const toUncertainMsgs = db.prepare(`UPDATE messages SET status = 'uncertain', reason = ?, updated_at = ?
      WHERE batch_id = ? AND status IN ${sqlList(OPEN_STATUSES)}`);
    // A batch's members are written with it, whatever their rows said.
    const membersUncertain =
      db.prepare(`UPDATE messages SET status = 'uncertain', batch_id = ?, reason = ?, updated_at = ?
      WHERE id IN (SELECT message_id FROM batch_members WHERE batch_id = ?) AND status IN ${sqlList(OPEN_STATUSES)}`);
    const dropMembers = db.prepare(`DELETE FROM batch_members WHERE batch_id = ?`);
    for (const id of batchIds) {
      if (!existing.get(id)) continue;
      toUncertainBatch.run(now, pollInterval, REPAIR_REASON, id);
      fixed += membersUncertain.run(id, REPAIR_REASON, now, id).changes;
      dropMembers.run(id);
      fixed += toUncertainMsgs.run(REPAIR_REASON, now, id).changes;
    }
    // Members of a batch that is missing: the request may have left, so like an uncertain
    // orphan below they are asked about (written uncertain with no batch, then given one).
    db.prepare(
      `UPDATE messages SET status = 'uncertain', batch_id = NULL, reason = ?, updated_at = ?
      WHERE id IN (SELECT bm.message_id FROM batch_members bm LEFT JOIN batches b ON b.id = bm.batch_id WHERE b.id IS NULL)`,
    ).run(REPAIR_REASON, now);
    db.exec(`DELETE FROM batch_members WHERE batch_id NOT IN (SELECT id FROM batches)`);
    // Stranded below the cursor (never in a batch): back in the queue's front.
    const strandedRows = db
      .prepare<[], { campaign_id: number; id: number; seq: number }>(`SELECT m.campaign_id, m.id, m.seq ${STRANDED}`)
      .all();
    const releaseNow = createRelease(db);
    for (const r of strandedRows) {
      releaseNow(r.campaign_id, [r]);
      fixed++;
    }
    // Messages pointing at no batch (or a missing one): submitting ones never left (the batch row is
    // written in the same transaction), so they queue again; uncertain ones get a batch record of
    // their own, which the gateway will not know, so the user is asked about them.
    const orphans = db
      .prepare<[], { id: number; campaign_id: number; status: string; text: string; parts: number }>(
        `SELECT m.id, m.campaign_id, m.status, m.text, m.parts FROM messages m LEFT JOIN batches b ON b.id = m.batch_id
       WHERE m.campaign_id IN (SELECT id FROM campaigns) AND m.status IN ('submitting', 'uncertain') AND b.id IS NULL`,
      )
      .all();
    const requeue = db.prepare<[number, number], { id: number; seq: number }>(
      `UPDATE messages SET status = 'queued', batch_id = NULL, submitted_at = NULL, updated_at = ? WHERE id = ? RETURNING id, seq`,
    );
    const release = createRelease(db);
    const byCampaign = new Map<number, typeof orphans>();
    for (const o of orphans) {
      if (o.status === 'submitting') {
        release(o.campaign_id, requeue.all(now, o.id));
        fixed++;
        continue;
      }
      byCampaign.set(o.campaign_id, [...(byCampaign.get(o.campaign_id) ?? []), o]);
    }
    const insertBatch =
      db.prepare(`INSERT INTO batches (campaign_id, client_ref, state, recipients, parts, text, created_at, error, next_poll_at, poll_interval, polls)
      VALUES (?, ?, 'uncertain', ?, ?, ?, ?, ?, ?, ?, 1)`);
    const attach = db.prepare(`UPDATE messages SET batch_id = ?, reason = ?, updated_at = ? WHERE id = ?`);
    for (const [cid, ms] of byCampaign) {
      const bid = Number(
        insertBatch.run(
          cid,
          newClientRef(now),
          ms.length,
          ms.reduce((s, m) => s + m.parts, 0),
          ms[0].text,
          now,
          REPAIR_REASON,
          now,
          pollInterval,
        ).lastInsertRowid,
      );
      for (const m of ms) {
        attach.run(bid, REPAIR_REASON, now, m.id);
        fixed++;
      }
    }
    // Last, from the counters as they are now: a campaign with anything left is sending again.
    // The writes above change statuses their WHERE does not fix one by one (a repair is rare):
    // the campaigns they touched are counted again from their rows.
    const counts = createCounts(db);
    const touched = new Set<number>(
      [...found.map((v) => v.campaignId), ...orphans.map((o) => o.campaign_id)].filter((c): c is number => c != null),
    );
    for (const cid of touched) counts.recount(cid);
    const reopened = createLifecycle(db).reopenUnfinished(UNFINISHED);
    fixed += reopened;
  })();
  return fixed;
}
