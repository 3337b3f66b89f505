import { randomUUID } from 'node:crypto';
import type { DB } from '../db/open.ts';
import { createCounts } from './counts.ts';
import { createLifecycle } from '../campaigns/lifecycle.ts';

export interface QueuedMessage {
  id: number;
  seq: number;
  msisdn: string;
  text: string;
  parts: number;
  resend_ref?: string | null;
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
 * The ledger's state changes for sending. Each function is one transaction, so the file always
 * tells the truth about what may have left the machine.
 */
export function createLedger(db: DB) {
  const counts = createCounts(db);
  const queuedStmt = db.prepare<[number, number], QueuedMessage>(
    `SELECT id, seq, msisdn, text, parts, resend_ref FROM messages WHERE campaign_id = ? AND status = 'queued' ORDER BY seq LIMIT ?`,
  );
  const resendGroup = db.prepare<[number, string], QueuedMessage>(
    `SELECT id, seq, msisdn, text, parts, resend_ref FROM messages WHERE campaign_id = ? AND status = 'queued' AND resend_ref = ? ORDER BY seq`,
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
    const rows = queuedStmt.all(campaignId, maxRecipients * Math.max(1, maxBatches));
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
    db.prepare(`INSERT INTO batches (campaign_id, client_ref, state, recipients, parts, text, created_at, sent_at)
    VALUES (?, ?, 'submitting', ?, ?, ?, ?, ?)`);
  // One statement per batch (ids as a JSON array), not one per message.
  const takeMessages = db.prepare<
    [number, number, number, string]
  >(`UPDATE messages SET status = 'submitting', batch_id = ?, submitted_at = ?, updated_at = ?
    WHERE id IN (SELECT value FROM json_each(?)) AND status = 'queued'`);
  const takenOf = db.prepare<[number], { id: number }>(`SELECT id FROM messages WHERE batch_id = ?`);
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
  const messagesAccepted = db.prepare(
    `UPDATE messages SET status = 'accepted', accepted_at = ?, reason = NULL, updated_at = ? WHERE batch_id = ? AND status = 'submitting'`,
  );
  const uncertainAccepted = db.prepare(
    `UPDATE messages SET status = 'accepted', accepted_at = ?, reason = NULL, updated_at = ? WHERE ${UNCERTAIN_OF}`,
  );
  const batchReturned = db.prepare(
    `UPDATE batches SET state = 'returned', error = ?, http_status = ?, answered_at = ?, dlr_done = 1 WHERE id = ?`,
  );
  const messagesReturned = db.prepare(
    `UPDATE messages SET status = 'queued', batch_id = NULL, submitted_at = NULL, updated_at = ? WHERE batch_id = ? AND status = 'submitting'`,
  );
  const uncertainReturned = db.prepare(
    `UPDATE messages SET status = 'queued', batch_id = NULL, submitted_at = NULL, updated_at = ? WHERE ${UNCERTAIN_OF}`,
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
  const campaignOf = db.prepare<[number], number>(`SELECT campaign_id FROM batches WHERE id = ?`).pluck();
  // The counters of migration 2 answer "anything left?" without walking the queue. Uncertain
  // counts as left: a campaign is not "completed" while anyone's outcome is undecided.
  const waiting = db.prepare<[number], { n: number | null }>(
    `SELECT SUM(n) AS n FROM campaign_counts WHERE campaign_id = ? AND status IN ('queued', 'submitting', 'uncertain')`,
  );
  const lifecycle = createLifecycle(db);

  /** The batch as submitting, with its own client reference (inside a transaction). */
  function takeBatch(campaignId: number, msgs: QueuedMessage[], now: number): BatchRecord | null {
    const clientRef = msgs[0].resend_ref ?? randomUUID().replace(/-/g, '');
    if (msgs[0].resend_ref) freeRef.run(clientRef);
    const parts = msgs.reduce((s, m) => s + m.parts, 0);
    const batchId = Number(
      insertBatch.run(campaignId, clientRef, msgs.length, parts, msgs[0].text, now, now).lastInsertRowid,
    );
    const n = takeMessages.run(batchId, now, now, JSON.stringify(msgs.map((m) => m.id))).changes;
    counts.move(campaignId, 'queued', 'submitting', n, now);
    let taken = msgs;
    if (n !== msgs.length) {
      const takenIds = new Set(takenOf.all(batchId).map((r) => r.id));
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
  function accept(answers: readonly AcceptedAnswer[]): void {
    const campaigns = new Set<number>();
    for (const a of answers) {
      const { batchId, campaignId: cid, at } = a;
      batchAccepted.run(a.gatewayRef, a.processed, a.httpStatus, at, a.firstPollAt, a.pollInterval, batchId);
      counts.move(cid, 'submitting', 'accepted', messagesAccepted.run(at, at, batchId).changes, at);
      counts.move(cid, 'uncertain', 'accepted', uncertainAccepted.run(at, at, cid, batchId).changes, at);
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
      accept(answers);
      return batches.map((msgs) => takeBatch(campaignId, msgs, now));
    },
  );

  /** Accepted answers with no claim to ride on (the queue ran dry, or the app stops). */
  const markAcceptedAll = db.transaction(accept);

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
        campaignId: campaignOf.get(batchId)!,
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
    const cid = campaignOf.get(batchId)!;
    batchReturned.run(reason, httpStatus, now, batchId);
    counts.move(cid, 'submitting', 'queued', messagesReturned.run(now, batchId).changes, now);
    counts.move(cid, 'uncertain', 'queued', uncertainReturned.run(now, cid, batchId).changes, now);
  });

  const markFailed = db.transaction((batchId: number, reason: string, httpStatus: number | null, now: number) => {
    const cid = campaignOf.get(batchId)!;
    batchFailed.run(reason, httpStatus, now, batchId);
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
      const cid = campaignOf.get(batchId)!;
      batchUncertain.run(reason, httpStatus, now, firstPollAt, pollInterval, batchId);
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
    const strays = counts.tally();
    for (const { campaign_id } of db
      .prepare<[number], { campaign_id: number }>(
        `UPDATE messages SET status = 'queued', updated_at = ?
      WHERE campaign_id IN (SELECT id FROM campaigns) AND status = 'submitting' AND +batch_id IS NULL RETURNING campaign_id`,
      )
      .all(now))
      strays.add(campaign_id, 'submitting', 'queued');
    strays.flush(now);
    return ids.length;
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
  };
}
export type Ledger = ReturnType<typeof createLedger>;
