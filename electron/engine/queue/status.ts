/**
 * What a message's status is while its row is not written (migration 9, docs/batch-ledger.md).
 *
 * A claim does not write the message rows it hands to a batch: it appends a `batch_members` row
 * per message, and the message row keeps saying `queued`. The row is written when its batch leaves
 * the happy path (uncertain, failed: the ledger), when it goes back to the queue (returned: the
 * member rows are deleted), or before the batch's first report is applied (the poller). A member
 * row exists only while that has not happened, so for a reader:
 *
 * - a message with a member row has its batch's status: `submitting` until the gateway answered,
 *   then `accepted`;
 * - any other message has the status its row says.
 *
 * Every reader that shows or counts statuses goes through these fragments, so the rule is written
 * once. `m` is the messages table's alias in the statement.
 */
export const MEMBER_JOIN = `LEFT JOIN batch_members bm ON bm.message_id = m.id LEFT JOIN batches bmb ON bmb.id = bm.batch_id`;

/** the status a reader shows (needs MEMBER_JOIN) */
export const STATUS_SQL = `(CASE WHEN bm.batch_id IS NULL THEN m.status WHEN bmb.state = 'submitting' THEN 'submitting' ELSE 'accepted' END)`;

/** the message's batch, written or not (needs MEMBER_JOIN) */
export const BATCH_ID_SQL = `COALESCE(m.batch_id, bm.batch_id)`;

/**
 * Every column of a message row as a reader sees it (needs MEMBER_JOIN): `SELECT ${MESSAGE_COLUMNS}`
 * in place of `SELECT *`.
 */
export const MESSAGE_COLUMNS = `m.id, m.campaign_id, m.seq, m.contact_id, m.msisdn, m.network, m.fields, m.text, m.encoding, m.parts,
  ${STATUS_SQL} AS status, ${BATCH_ID_SQL} AS batch_id, m.raw_status, m.raw_code, m.reason,
  COALESCE(m.submitted_at, CASE WHEN bm.batch_id IS NOT NULL THEN bmb.sent_at END) AS submitted_at,
  COALESCE(m.accepted_at, CASE WHEN bmb.state = 'accepted' THEN bmb.answered_at END) AS accepted_at,
  m.final_at, CASE WHEN bm.batch_id IS NULL THEN m.updated_at ELSE COALESCE(bmb.answered_at, bmb.sent_at) END AS updated_at,
  m.resend_ref`;

/**
 * A status filter on the status readers see (needs MEMBER_JOIN), in a form that still finds a
 * written status through the (campaign_id, status, seq) index: `?` is bound to the status.
 */
export function statusIs(status: string): { sql: string; args: string[] } {
  if (status === 'queued') return { sql: `m.status = 'queued' AND bm.batch_id IS NULL`, args: [] };
  if (status === 'submitting' || status === 'accepted')
    return { sql: `m.status IN (?, 'queued') AND ${STATUS_SQL} = ?`, args: [status, status] };
  return { sql: `m.status = ?`, args: [status] };
}

/**
 * The messages table as readers see it, for a read-only statement: `FROM ${MESSAGES_SEEN} AS m`
 * in place of `FROM messages m` (the fault checks, a one-off count).
 */
export const MESSAGES_SEEN = `(SELECT ${MESSAGE_COLUMNS} FROM messages m ${MEMBER_JOIN})`;
