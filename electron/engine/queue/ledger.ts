import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { DB } from '../db/open.ts';
import { campaignCursor, createRelease } from './release.ts';
import { createCounts } from './counts.ts';
import { createLifecycle } from '../campaigns/lifecycle.ts';
import { UNFINISHED_STATUSES, sqlList } from '../../../shared/vocabulary.ts';

export interface QueuedMessage {
  id: number;
  seq: number;
  msisdn: string;
  text: string;
  parts: number;
  resend_ref?: string | null;
  /** found in `released` (back in the queue below the campaign's cursor) */
  released?: boolean;
}
/** A 2xx answer, as the sender hands it to the ledger (at once, or with the next claim). */
export interface AcceptedAnswer {
  batchId: number;
  campaignId: number;
  gatewayRef: string;
  processed: number | null;
  httpStatus: number;
  /** when the answer came: answered_at, the messages' accepted_at */
  at: number;
  firstPollAt: number;
  pollInterval: number;
}
export interface BatchRecord {
  id: number;
  campaignId: number;
  clientRef: string;
  to: string[];
  text: string;
  parts: number;
  messageIds: number[];
}

/**
 * A request's own reference (its `reference_id`, unique in `batches.client_ref`): 32 hex digits,
 * the time in milliseconds then 80 random bits. Time first, so each new reference goes at the end
 * of the unique index instead of on a random page of it (one page written per request, not one
 * per request scattered over an index that grows with every request ever made).
 */
export function newClientRef(now = Date.now()): string {
  return Math.floor(now).toString(16).padStart(12, '0').slice(-12) + randomBytes(10).toString('hex');
}

/**
 * The ledger's state changes for sending. Each function is one transaction, so the file always
 * tells the truth about what may have left the machine.
 */
export function createLedger(db: DB) {
  const counts = createCounts(db);
  // The queue: messages released back to it below the cursor first (rare, and few), then the
  // queued messages above the cursor (migration 9: below it, every other queued row is a batch's).
  const releasedStmt = db.prepare<[number, number], QueuedMessage>(
    `SELECT m.id, m.seq, m.msisdn, m.text, m.parts, m.resend_ref, 1 AS released FROM released r JOIN messages m ON m.id = r.message_id
    WHERE r.campaign_id = ? AND m.status = 'queued' ORDER BY r.seq LIMIT ?`,
  );
  const queuedStmt = db.prepare<[number, number, number], QueuedMessage>(
    `SELECT id, seq, msisdn, text, parts, resend_ref FROM messages WHERE campaign_id = ? AND status = 'queued' AND seq > ? ORDER BY seq LIMIT ?`,
  );
  const cursorOf = campaignCursor(db);
  const resendGroup = db.prepare<[number, string], QueuedMessage>(
    `SELECT m.id, m.seq, m.msisdn, m.text, m.parts, m.resend_ref,
      EXISTS (SELECT 1 FROM released r WHERE r.campaign_id = m.campaign_id AND r.seq = m.seq) AS released
    FROM messages m WHERE m.campaign_id = ? AND m.status = 'queued' AND m.resend_ref = ?
      AND NOT EXISTS (SELECT 1 FROM batch_members WHERE message_id = m.id) ORDER BY m.seq`,
  );

  /**
   * Up to `maxBatches` batches in queue order, each the lowest-seq queued messages that share one
   * text, capped by recipients and by parts. A re-sent batch always goes whole and alone.
   */
  function nextBatches(
    campaignId: number,
    maxRecipients: number,
    maxParts: number,
    maxBatches: number,
  ): QueuedMessage[][] {
    const limit = maxRecipients * Math.max(1, maxBatches);
    let rows = releasedStmt.all(campaignId, limit);
    if (!rows.length) rows = queuedStmt.all(campaignId, cursorOf.get(campaignId) ?? 0, limit);
    // A re-sent batch goes whole under its first reference: a part of it under that reference
    // would be answered with the first result by a gateway that honours it, and never sent.
    if (rows.length && rows[0].resend_ref) return [resendGroup.all(campaignId, rows[0].resend_ref)];
    const out: QueuedMessage[][] = [];
    let cur: QueuedMessage[] = [];
    let parts = 0;
    for (const r of rows) {
      if (r.resend_ref) break; // its group goes alone, in a turn of its own
      const full =
        cur.length === maxRecipients || r.text !== cur[0]?.text || (maxParts > 0 && parts + r.parts > maxParts);
      if (cur.length && full) {
        out.push(cur);
        if (out.length === maxBatches) return out;
        cur = [];
        parts = 0;
      }
      cur.push(r);
      parts += r.parts;
    }
    if (cur.length) out.push(cur);
    return out;
  }

  // Prepared once: these run for every request of every campaign.
  const insertBatch =
    db.prepare(`INSERT INTO batches (campaign_id, client_ref, state, recipients, parts, text, created_at, sent_at, first_message_id, last_message_id)
    VALUES (?, ?, 'submitting', ?, ?, ?, ?, ?, ?, ?)`);
  // One statement per batch (ids as a JSON array), not one per message, and no message row
  // written: a member row each (migration 9). A message that is no longer queued (cancelled
  // meanwhile), or already a batch's, is not taken.
  const takeMessages = db.prepare<[number, string]>(
    `INSERT OR IGNORE INTO batch_members (message_id, batch_id)
    SELECT m.id, ? FROM messages m WHERE m.id IN (SELECT value FROM json_each(?)) AND m.status = 'queued' ORDER BY m.id`,
  );
  const MEMBERS = `message_id BETWEEN ? AND ? AND batch_id = ?`;
  const takenOf = db.prepare<[number, number, number], { id: number }>(
    `SELECT message_id AS id FROM batch_members WHERE ${MEMBERS}`,
  );
  const moveCursor = db.prepare(`UPDATE campaigns SET claimed_seq = ? WHERE id = ? AND claimed_seq < ?`);
  const unrelease = db.prepare(
    `DELETE FROM released WHERE campaign_id = ? AND seq IN (SELECT value FROM json_each(?))`,
  );
  const release = createRelease(db);
  const batchOf = db.prepare<
    [number],
    {
      campaign_id: number;
      state: string;
      recipients: number;
      first_message_id: number | null;
      last_message_id: number | null;
      sent_at: number | null;
      answered_at: number | null;
    }
  >(
    `SELECT campaign_id, state, recipients, first_message_id, last_message_id, sent_at, answered_at FROM batches WHERE id = ?`,
  );
  const dropMembers = db.prepare<[number, number, number]>(`DELETE FROM batch_members WHERE ${MEMBERS}`);
  // rows not written yet: a member row, and the row still says queued
  const memberRows = `id IN (SELECT message_id FROM batch_members WHERE ${MEMBERS}) AND status = 'queued'`;
  // The rows of a batch leaving the happy path, written at last (and their member rows dropped).
  const membersFailed = db.prepare(
    `UPDATE messages SET status = 'failed', batch_id = ?, submitted_at = ?, reason = ?, final_at = ?, updated_at = ? WHERE ${memberRows}`,
  );
  const membersUncertain = db.prepare(
    `UPDATE messages SET status = 'uncertain', batch_id = ?, submitted_at = ?, reason = ?, updated_at = ? WHERE ${memberRows}`,
  );
  const membersAccepted = db.prepare(
    // updated_at: the answer's time, or later where the report that writes them set a raw status
    `UPDATE messages SET status = 'accepted', batch_id = ?, submitted_at = ?, accepted_at = ?, updated_at = MAX(updated_at, ?) WHERE ${memberRows}`,
  );
  const membersReturned = db.prepare<[number, number, number], { id: number; seq: number }>(
    `SELECT m.id, m.seq FROM messages m WHERE m.${memberRows}`,
  );
  const deleteBatch = db.prepare('DELETE FROM batches WHERE id = ?');
  // A re-send that came back unprocessed (503) left its row holding the reference: free it.
  const freeRef = db.prepare(
    `UPDATE batches SET client_ref = client_ref || '~' || id WHERE client_ref = ? AND state IN ('returned', 'resent')`,
  );
  const resizeBatch = db.prepare('UPDATE batches SET recipients = ?, parts = ? WHERE id = ?');
  const batchAccepted = db.prepare(
    `UPDATE batches SET state = 'accepted', gateway_ref = ?, processed = ?, http_status = ?, answered_at = ?, next_poll_at = ?, poll_interval = ? WHERE id = ?`,
  );
  // Every transition moves all of the batch's open messages (submitting, or uncertain if a
  // recovery got there first): a batch can never leave a recipient in a state it does not allow.
  // One statement per old status, so its changes say exactly what the counters must move; the
  // uncertain one goes through the (campaign, status) index and finds nothing in a few steps.
  const UNCERTAIN_OF = `campaign_id = ? AND status = 'uncertain' AND +batch_id = ?`;
  // Rows written submitting before migration 9 (a ledger upgraded mid-send).
  const messagesAccepted = db.prepare(
    `UPDATE messages SET status = 'accepted', accepted_at = ?, reason = NULL, updated_at = ? WHERE batch_id = ? AND status = 'submitting'`,
  );
  const uncertainAccepted = db.prepare(
    `UPDATE messages SET status = 'accepted', accepted_at = ?, reason = NULL, updated_at = ? WHERE ${UNCERTAIN_OF}`,
  );
  const batchReturned = db.prepare(
    `UPDATE batches SET state = 'returned', error = ?, http_status = ?, answered_at = ?, dlr_done = 1 WHERE id = ?`,
  );
  const messagesReturned = db.prepare<[number, number], { id: number; seq: number }>(
    `UPDATE messages SET status = 'queued', batch_id = NULL, submitted_at = NULL, updated_at = ? WHERE batch_id = ? AND status = 'submitting' RETURNING id, seq`,
  );
  const uncertainReturned = db.prepare<[number, number, number], { id: number; seq: number }>(
    `UPDATE messages SET status = 'queued', batch_id = NULL, submitted_at = NULL, updated_at = ? WHERE ${UNCERTAIN_OF} RETURNING id, seq`,
  );
  const batchFailed = db.prepare(
    `UPDATE batches SET state = 'failed', error = ?, http_status = ?, answered_at = ?, dlr_done = 1 WHERE id = ?`,
  );
  const messagesFailed = db.prepare(
    `UPDATE messages SET status = 'failed', reason = ?, final_at = ?, updated_at = ? WHERE batch_id = ? AND status = 'submitting'`,
  );
  const uncertainFailed = db.prepare(
    `UPDATE messages SET status = 'failed', reason = ?, final_at = ?, updated_at = ? WHERE ${UNCERTAIN_OF}`,
  );
  const batchUncertain = db.prepare(
    `UPDATE batches SET state = 'uncertain', error = ?, http_status = ?, answered_at = ?, next_poll_at = ?, poll_interval = ? WHERE id = ?`,
  );
  const messagesUncertain = db.prepare(
    `UPDATE messages SET status = 'uncertain', reason = ?, updated_at = ? WHERE batch_id = ? AND status = 'submitting'`,
  );
  const clearRetry = db.prepare(
    `UPDATE campaigns SET retry_count = 0, retry_at = NULL WHERE id = ? AND (retry_count != 0 OR retry_at IS NOT NULL)`,
  );
  // The counters of migration 2 answer "anything left?" without walking the queue. Uncertain
  // counts as left: a campaign is not "completed" while anyone's outcome is undecided.
  const waiting = db.prepare<[number], { n: number | null }>(
    `SELECT SUM(n) AS n FROM campaign_counts WHERE campaign_id = ? AND status IN ${sqlList(UNFINISHED_STATUSES)}`,
  );
  const lifecycle = createLifecycle(db);

  /** The batch as submitting, with its own client reference (inside a transaction). */
  function takeBatch(
    campaignId: number,
    msgs: QueuedMessage[],
    now: number,
    moves: ReturnType<typeof counts.moves>,
  ): BatchRecord | null {
    const clientRef = msgs[0].resend_ref ?? newClientRef(now);
    if (msgs[0].resend_ref) freeRef.run(clientRef);
    const parts = msgs.reduce((s, m) => s + m.parts, 0);
    let first = msgs[0].id,
      last = msgs[0].id,
      seq = 0;
    const fromReleased: number[] = [];
    for (const m of msgs) {
      if (m.id < first) first = m.id;
      if (m.id > last) last = m.id;
      if (m.released) fromReleased.push(m.seq);
      else if (m.seq > seq) seq = m.seq;
    }
    const batchId = Number(
      insertBatch.run(campaignId, clientRef, msgs.length, parts, msgs[0].text, now, now, first, last).lastInsertRowid,
    );
    const n = takeMessages.run(batchId, JSON.stringify(msgs.map((m) => m.id))).changes;
    moves.add(campaignId, 'queued', 'submitting', n, now);
    // The cursor passes every message this batch was given, taken or not: one not taken is no
    // longer queued, and whatever brings it back releases it.
    if (fromReleased.length) unrelease.run(campaignId, JSON.stringify(fromReleased));
    if (seq) moveCursor.run(seq, campaignId, seq);
    let taken = msgs;
    if (n !== msgs.length) {
      const takenIds = new Set(takenOf.all(first, last, batchId).map((r) => r.id));
      taken = msgs.filter((m) => takenIds.has(m.id));
      // Something changed the rows under us (cancel): send only what is still ours.
      if (!taken.length) {
        deleteBatch.run(batchId);
        return null;
      }
      resizeBatch.run(
        taken.length,
        taken.reduce((s, m) => s + m.parts, 0),
        batchId,
      );
    }
    return {
      id: batchId,
      campaignId,
      clientRef,
      to: taken.map((m) => m.msisdn),
      text: taken[0].text,
      parts: taken.reduce((s, m) => s + m.parts, 0),
      messageIds: taken.map((m) => m.id),
    };
  }

  /**
   * Accepted answers: each batch and all its open messages (inside a transaction). An accepted
   * answer also ends its campaign's back-off: the gateway takes requests again.
   */
  function accept(answers: readonly AcceptedAnswer[], moves: ReturnType<typeof counts.moves>): void {
    const campaigns = new Set<number>();
    for (const a of answers) {
      const { batchId, campaignId: cid, at } = a;
      const b = batchOf.get(batchId)!;
      batchAccepted.run(a.gatewayRef, a.processed, a.httpStatus, at, a.firstPollAt, a.pollInterval, batchId);
      if (b.state === 'submitting') {
        // Its members are accepted by the batch row alone (queue/status.ts): no message row
        // written. A batch claimed before migration 9 has no members: its rows say submitting.
        if (b.first_message_id != null) moves.add(cid, 'submitting', 'accepted', b.recipients, at);
        else moves.add(cid, 'submitting', 'accepted', messagesAccepted.run(at, at, batchId).changes, at);
      } else if (b.state === 'uncertain') {
        // a recovery got there first: its rows were written uncertain
        moves.add(cid, 'uncertain', 'accepted', uncertainAccepted.run(at, at, cid, batchId).changes, at);
      }
      campaigns.add(cid);
    }
    for (const cid of campaigns) clearRetry.run(cid);
  }

  /**
   * The accepted answers that came in since the last claim, and the next batches as submitting
   * (one, or several when as many permits and in-flight slots are free at once), in one commit: a
   * request costs at most one commit, not two. An answer still waiting here when the app stops
   * leaves its batch submitting, which start-up makes uncertain and the poller finds by its
   * reference: it is never sent again. Each batch is taken as `takeBatch` takes one (null where
   * its rows changed under us).
   */
  const claimManyWithAnswers = db.transaction(
    (campaignId: number, batches: QueuedMessage[][], now: number, answers: readonly AcceptedAnswer[]) => {
      const moves = counts.moves();
      accept(answers, moves);
      const taken = batches.map((msgs) => takeBatch(campaignId, msgs, now, moves));
      moves.flush();
      return taken;
    },
  );

  /** Accepted answers with no claim to ride on (the queue ran dry, or the app stops). */
  const markAcceptedAll = db.transaction((answers: readonly AcceptedAnswer[]) => {
    const moves = counts.moves();
    accept(answers, moves);
    moves.flush();
  });

  const markAccepted = (
    batchId: number,
    gatewayRef: string,
    processed: number | null,
    httpStatus: number,
    now: number,
    firstPollAt: number,
    pollInterval: number,
  ) =>
    markAcceptedAll([
      {
        batchId,
        campaignId: batchOf.get(batchId)!.campaign_id,
        gatewayRef,
        processed,
        httpStatus,
        at: now,
        firstPollAt,
        pollInterval,
      },
    ]);

  /** The request was not processed (429, 503, never sent): the messages go back to the front of the queue. */
  const markReturned = db.transaction((batchId: number, reason: string, httpStatus: number | null, now: number) => {
    const b = batchOf.get(batchId)!;
    const cid = b.campaign_id;
    batchReturned.run(reason, httpStatus, now, batchId);
    // Its members go back to the front of the queue: their rows were never written.
    const members = membersReturned.all(b.first_message_id!, b.last_message_id!, batchId);
    dropMembers.run(b.first_message_id!, b.last_message_id!, batchId);
    counts.move(cid, 'submitting', 'queued', members.length, now);
    release(cid, members);
    const old = messagesReturned.all(now, batchId);
    counts.move(cid, 'submitting', 'queued', old.length, now);
    release(cid, old);
    const back = uncertainReturned.all(now, cid, batchId);
    counts.move(cid, 'uncertain', 'queued', back.length, now);
    release(cid, back);
  });

  const markFailed = db.transaction((batchId: number, reason: string, httpStatus: number | null, now: number) => {
    const b = batchOf.get(batchId)!;
    const cid = b.campaign_id;
    batchFailed.run(reason, httpStatus, now, batchId);
    counts.move(cid, 'submitting', 'failed', writeMembers(membersFailed, b, batchId, [reason, now, now]), now);
    counts.move(cid, 'submitting', 'failed', messagesFailed.run(reason, now, now, batchId).changes, now);
    counts.move(cid, 'uncertain', 'failed', uncertainFailed.run(reason, now, now, cid, batchId).changes, now);
  });

  const markUncertain = db.transaction(
    (
      batchId: number,
      reason: string,
      httpStatus: number | null,
      now: number,
      firstPollAt: number,
      pollInterval: number,
    ) => {
      const b = batchOf.get(batchId)!;
      const cid = b.campaign_id;
      batchUncertain.run(reason, httpStatus, now, firstPollAt, pollInterval, batchId);
      counts.move(cid, 'submitting', 'uncertain', writeMembers(membersUncertain, b, batchId, [reason, now]), now);
      counts.move(cid, 'submitting', 'uncertain', messagesUncertain.run(reason, now, batchId).changes, now);
    },
  );

  /** A batch still `submitting` at start-up was cut off mid-request: its outcome is unknown. */
  const recoverInterrupted = db.transaction((now: number, firstPollAt: number, pollInterval: number): number => {
    const ids = db.prepare<[], { id: number }>(`SELECT id FROM batches WHERE state = 'submitting'`).all();
    for (const { id } of ids)
      markUncertain(
        id,
        'The app stopped while this request was in flight; the gateway may or may not have accepted it.',
        null,
        now,
        firstPollAt,
        pollInterval,
      );
    // Messages marked submitting without a batch row cannot exist (same transaction), but be safe.
    // (Steered to the (campaign_id, status) index: batch_id IS NULL alone matches every queued message.)
    const strays = counts.moves();
    for (const row of db
      .prepare<[number], { campaign_id: number; id: number; seq: number }>(
        `UPDATE messages SET status = 'queued', updated_at = ?
      WHERE campaign_id IN (SELECT id FROM campaigns) AND status = 'submitting' AND +batch_id IS NULL RETURNING campaign_id, id, seq`,
      )
      .all(now)) {
      strays.add(row.campaign_id, 'submitting', 'queued', 1, now);
      release(row.campaign_id, [row]);
    }
    strays.flush();
    return ids.length;
  });

  type Batch = NonNullable<ReturnType<typeof batchOf.get>>;
  /**
   * Writes the member rows of a batch still unwritten, with `status` (in the statement) and its
   * batch, then drops every member row of the batch: from here on the rows say it all. Returns how
   * many rows it wrote.
   */
  function writeMembers(stmt: Database.Statement, b: Batch, batchId: number, values: unknown[]): number {
    if (b.first_message_id == null || b.last_message_id == null) return 0;
    const n = stmt.run(batchId, b.sent_at, ...values, b.first_message_id, b.last_message_id, batchId).changes;
    dropMembers.run(b.first_message_id, b.last_message_id, batchId);
    return n;
  }

  /**
   * With a batch's first report (the poller, in the report's transaction, after the rows the report
   * names were written with their statuses): the member rows left are written `accepted`, the
   * status the batch row gave them, and the member rows go. Idempotent; returns the rows written.
   */
  const writeAccepted = db.transaction((batchId: number, now: number): number => {
    const b = batchOf.get(batchId);
    if (!b || b.state !== 'accepted') return 0;
    const at = b.answered_at ?? now;
    return writeMembers(membersAccepted, b, batchId, [at, at]);
  });

  /** Finishes the campaign when nothing is waiting to be sent or decided. */
  function completeIfDone(campaignId: number, now: number): boolean {
    if ((waiting.get(campaignId)?.n ?? 0) > 0) return false;
    return lifecycle.complete(campaignId, now);
  }

  /** Request times of the last few seconds, to seed the rate limiter after a restart. */
  function recentRequests(since: number, now: number): Array<{ at: number; parts: number }> {
    // Counted from the answer (see limiter.ts); a request never answered counts as answered now.
    return db
      .prepare<[number, number], { at: number; parts: number }>(
        `SELECT COALESCE(answered_at, ?) AS at, parts FROM batches WHERE sent_at >= ?`,
      )
      .all(now, since);
  }

  return {
    nextBatches,
    claimManyWithAnswers,
    markAccepted,
    markAcceptedAll,
    markReturned,
    markFailed,
    markUncertain,
    recoverInterrupted,
    completeIfDone,
    recentRequests,
    writeAccepted,
  };
}
export type Ledger = ReturnType<typeof createLedger>;
