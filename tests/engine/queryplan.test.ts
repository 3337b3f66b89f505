import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineWithSandbox, makeList, numbers, waitFor } from '../helpers/engine.ts';

/**
 * The queries that run per batch, per poll or at every start must find their rows through an
 * index: on a million-message ledger a full scan is the difference between a responsive app and
 * one that stalls for a second on each step. The SQL is the engine's own: every statement it
 * prepares during a real send (against the loopback sandbox) is recorded, and each hot query
 * is found in that record by its shape, then explained. The planner runs without ANALYZE
 * statistics, exactly as on a user's machine.
 */
const prepared = new Set<string>();
const realPrepare = Database.prototype.prepare;
let db: Database.Database;
let close: () => Promise<void>;

beforeAll(async () => {
  // A recording wrapper, not a mock: every statement is still prepared by better-sqlite3.
  Database.prototype.prepare = function (this: Database.Database, sql: string) {
    prepared.add(sql.replace(/\s+/g, ' ').trim());
    return realPrepare.call(this, sql);
  } as typeof Database.prototype.prepare;
  const t = await engineWithSandbox({ settings: { 'rate.recipientsPerRequest': 50 } });
  close = t.close;
  db = t.engine.db;
  makeList(
    t.engine,
    'plans',
    numbers(300).map((phone, i) => ({ phone, first_name: `N${i}` })),
  );
  const c = await t.engine.campaigns.create({ list: 'plans', from: 'ACME', text: 'Hi {first_name}' });
  t.engine.campaigns.send(c.id);
  t.engine.start();
  await t.engine.waitIdle(c.id);
  t.engine.campaigns.status(c.id);
  await waitFor(() => t.engine.campaigns.status(c.id).counts.accepted === 0, 'reports applied');
}, 60_000);

afterAll(async () => {
  Database.prototype.prepare = realPrepare;
  await close?.();
});

/** The engine's statement matching `shape`; the test fails if the engine no longer has one. */
function statement(shape: RegExp): string {
  const hits = [...prepared].filter((s) => shape.test(s));
  expect(hits, `no prepared statement matches ${shape}`).not.toHaveLength(0);
  return hits[0];
}

function plan(sql: string): string[] {
  const params: unknown[] = (sql.match(/\?/g) ?? []).map(() => 1);
  return (
    (realPrepare.call(db, `EXPLAIN QUERY PLAN ${sql}`) as Database.Statement<unknown[]>).all(...params) as Array<{
      detail: string;
    }>
  ).map((r) => r.detail);
}

/** Big tables (one row per recipient or per request) may only be searched, never scanned or sorted. */
function expectIndexed(sql: string, index: RegExp) {
  const p = plan(sql);
  const text = p.join(' | ');
  for (const d of p) {
    expect(d, `${sql}\n  plan: ${text}`).not.toMatch(/^SCAN (messages|batches|contacts|import_rejects|b|m)\b/);
    expect(d, `${sql}\n  plan: ${text}`).not.toMatch(/USE TEMP B-TREE/);
  }
  expect(text, sql).toMatch(index);
}

describe('hot queries use indexes (EXPLAIN QUERY PLAN)', () => {
  it("send loop: the next batch is the campaign's lowest queued seqs above its cursor, read in index order", () => {
    const sql = statement(
      /FROM messages WHERE campaign_id = \? AND status = 'queued' AND seq > \? ORDER BY seq LIMIT \?/,
    );
    expectIndexed(
      sql,
      /SEARCH messages USING (COVERING )?INDEX messages_campaign_status_seq \(campaign_id=\? AND status=\? AND seq>\?\)/,
    );
    // the released ones (back in the queue below the cursor) by their key, in seq order
    expectIndexed(
      statement(
        /FROM released r JOIN messages m ON m.id = r.message_id\s+WHERE r.campaign_id = \? AND m.status = 'queued' ORDER BY r.seq/,
      ),
      /SEARCH r USING PRIMARY KEY \(campaign_id=\?\)/,
    );
  });

  it('send loop: a claim reads its rows by key and writes member rows only; a batch finds its members by key', () => {
    expectIndexed(
      statement(
        /^INSERT OR IGNORE INTO batch_members \(message_id, batch_id\)\s+SELECT m.id, \? FROM messages m WHERE m.id IN \(SELECT value FROM json_each\(\?\)\)/,
      ),
      /USING INTEGER PRIMARY KEY/,
    );
    expectIndexed(
      statement(/^DELETE FROM batch_members WHERE message_id BETWEEN \? AND \? AND batch_id = \?/),
      /SEARCH batch_members USING INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)/,
    );
    // rows written submitting before migration 9
    expectIndexed(
      statement(
        /^UPDATE messages SET status = 'accepted', accepted_at = \?, (reason = NULL, )?updated_at = \? WHERE batch_id = \?/,
      ),
      /USING INDEX messages_batch(_msisdn)? \(batch_id=\?\)/,
    );
  });

  it('dashboard: status counts per campaign without scanning its messages', () => {
    const sql = statement(
      /FROM (campaign_counts WHERE campaign_id = \?|messages WHERE campaign_id = \? GROUP BY status)/,
    );
    expectIndexed(
      sql,
      /SEARCH (campaign_counts USING PRIMARY KEY|messages USING (COVERING )?INDEX messages_campaign_status_seq) \(campaign_id=\?\)/,
    );
  });

  it('dashboard: the rate and the short requests come from a few index entries, not from every request of the campaign', () => {
    // a personalised text makes one request per recipient: walking them made status() 33 ms at 120,000
    expectIndexed(
      statement(
        /^SELECT COUNT\(\*\) AS n, SUM\(recipients\) AS r, MIN\(answered_at\) AS first, AVG\(answered_at - sent_at\) AS waited FROM batches/,
      ),
      /SEARCH batches USING INDEX batches_campaign_answered \(campaign_id=\? AND answered_at>\? AND answered_at<\?\)/,
    );
    expectIndexed(
      statement(/^SELECT COUNT\(\*\) AS n FROM batches WHERE campaign_id = \? AND processed < recipients$/),
      /SEARCH batches USING (COVERING )?INDEX batches_short \(campaign_id=\?\)/,
    );
  });

  it('poller: due batches come from the partial poll index, already in next_poll_at order', () => {
    const sql = statement(
      /FROM batches b JOIN campaigns c ON c.id = b.campaign_id WHERE b.dlr_done = 0 AND b.state IN \('accepted', 'uncertain'\) AND .*next_poll_at <= \?.*ORDER BY b.next_poll_at LIMIT/,
    );
    expectIndexed(sql, /SEARCH b USING INDEX batches_poll/);
    expectIndexed(
      statement(/^SELECT MIN\(next_poll_at\) AS t FROM batches WHERE dlr_done = 0/),
      /USING (COVERING )?INDEX batches_poll/,
    );
  });

  it("poller: a report reads its batch's row ids from the batch index alone, then updates each status group by key", () => {
    expectIndexed(
      statement(/^SELECT id, msisdn FROM messages WHERE batch_id = \?$/),
      /SEARCH messages USING COVERING INDEX messages_batch_msisdn \(batch_id=\?\)/,
    );
    const sql = statement(
      /^UPDATE OR FAIL messages SET status = \?, raw_status = \?, raw_code = \?, final_at = \?, reason = \?, updated_at = \? WHERE id IN \(SELECT value FROM json_each\(\?\)\) AND status = \?/,
    );
    expectIndexed(sql, /USING INTEGER PRIMARY KEY \(rowid=\?\)/);
  });

  it('send loop: the uncertain rows of a batch (normally none) are found through the (campaign, status) index', () => {
    const sql = statement(
      /^UPDATE messages SET status = 'accepted'.* WHERE campaign_id = \? AND status = 'uncertain' AND \+batch_id = \?/,
    );
    expectIndexed(sql, /SEARCH messages USING INDEX messages_campaign_status_seq \(campaign_id=\? AND status=\?\)/);
  });

  it('start-up: the rate limiter is seeded from the last seconds of requests only', () => {
    const sql = statement(/FROM batches WHERE sent_at >= \?/);
    expectIndexed(sql, /SEARCH batches USING (COVERING )?INDEX batches_sent_at \(sent_at>\?\)/);
  });

  it('start-up: the recovery statements below exist (so the known gaps cannot pass by vanishing)', () => {
    statement(/FROM batches WHERE state = 'submitting'/);
    statement(/^UPDATE messages SET status = 'queued'.* WHERE .*status = 'submitting' AND \+?batch_id IS NULL/);
  });

  // Was a gap (no index led with batches.state); closed by batches_submitting in migration 2.
  it('start-up: batches interrupted mid-request are found without a scan of batches', () => {
    const sql = statement(/FROM batches WHERE state = 'submitting'/);
    expectIndexed(sql, /SEARCH batches USING (COVERING )?INDEX \w+ \(state=\?\)/);
  });

  // Was a gap: `status = 'submitting' AND batch_id IS NULL` went through the batch index, i.e.
  // every message never sent yet (30-70 ms at each start with 200,000 queued); now steered to
  // messages_campaign_status_seq.
  it('start-up: stray submitting messages are found by status, not among every queued message', () => {
    const sql = statement(
      /^UPDATE messages SET status = 'queued'.* WHERE .*status = 'submitting' AND \+?batch_id IS NULL/,
    );
    expectIndexed(sql, /SEARCH messages USING (COVERING )?INDEX \w+ \([^)]*status=\?/);
  });

  // The ledger check runs at every start: stranded recipients by status, given-back batches by state.
  it('start-up: the ledger check finds stranded recipients and given-back batches without a scan', () => {
    expectIndexed(
      statement(
        /^SELECT m\.campaign_id, .* WHERE m\.campaign_id IN \(SELECT id FROM campaigns\) AND m\.status IN \('submitting', 'uncertain'\)/,
      ),
      /SEARCH m USING (COVERING )?INDEX messages_campaign_status_seq \(campaign_id=\? AND status=\?\)/,
    );
    expectIndexed(
      statement(/^SELECT b\.campaign_id, b\.id, b\.state, m\.status/),
      /SEARCH b USING (COVERING )?INDEX batches_campaign_state \(campaign_id=\? AND state=\?\)/,
    );
    // member rows that no longer fit: the small members table walked, each message by its key
    const members = plan(statement(/^SELECT m\.campaign_id, bm\.batch_id, b\.state, m\.status FROM batch_members bm/));
    expect(members.join(' | ')).toMatch(/^SCAN bm\b.*SEARCH m USING INTEGER PRIMARY KEY/);
    // queued messages behind the cursor that nothing holds: per campaign, below its cursor only
    expectIndexed(
      statement(/^SELECT c\.id AS campaign_id, COUNT\(\*\) AS n FROM campaigns c CROSS JOIN messages m/),
      /SEARCH m USING (COVERING )?INDEX messages_campaign_status_seq \(campaign_id=\? AND status=\? AND seq<\?\)/,
    );
  });
});
