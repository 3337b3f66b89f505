import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type DB } from '../../electron/engine/db/open.ts';
import { createSettingsStore } from '../../electron/engine/db/settings.ts';
import { createPoller } from '../../electron/engine/dlr/poller.ts';
import { createCounts } from '../../electron/engine/queue/counts.ts';
import { classifyBatchReport } from '../../electron/engine/gateway/reports.ts';
import { mapStatus } from '../../electron/engine/gateway/status.ts';
import type { GatewayClient } from '../../electron/engine/gateway/client.ts';
import { isHandedStatus } from '../../shared/outcome.ts';
import { mulberry32 } from '../../electron/engine/sandbox/random.ts';
import { isFinalStatus } from '../../shared/vocabulary.ts';
import { tempDir, TEST_TOKEN } from '../helpers/engine.ts';
import { MESSAGES_SEEN } from '../../electron/engine/queue/status.ts';

/**
 * Delivery reports as a gateway may really send them (a number twice, numbers that are not in the
 * batch, words the product does not know, a recipient in two groups, "Dispatched" before the final
 * word, several polls), applied by the real poller to a real ledger file. Every row must end as
 * the report says, read group by group and recipient by recipient in the report's order (the rule
 * the user sees: the last word about a recipient wins until one is final, and a final status is
 * never overwritten), and the counters the dashboard shows must equal a full count of the rows.
 */

type Row = {
  id: number;
  campaign_id: number;
  batch_id: number;
  msisdn: string;
  status: string;
  raw_status: string | null;
  raw_code: number | null;
  final_at: number | null;
  reason: string | null;
  updated_at: number;
};
type Group = { code: number | null; status: string; count: number; recipients?: string[] };

const WORDS: Array<[string, number | null]> = [
  ['Delivered', 0],
  ['DELIVRD', null],
  ['Failed', 402],
  ['Rejected', 408],
  ['Expired', 406],
  ['Unknown', 410],
  ['Dispatched', 401],
  ['Queued', 400],
  ['ENROUTE', null],
  ['Being looked at', 499], // a word the product does not know: raw status only
  ['', 400], // no word, a code that still means "sent"
];

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/**
 * With `unwritten`, each accepted batch is as the engine leaves it until its first report
 * (migration 9): member rows, and message rows that still say queued with no batch.
 */
function ledger(rand: () => number, unwritten = false): { db: DB; campaigns: number[]; t0: number } {
  const dir = tempDir('smsdesk-poller-');
  dirs.push(dir);
  const db = openDatabase(path.join(dir, 'smsdesk.db'));
  const t0 = Date.now() - 60_000;
  const campaigns: number[] = [];
  let seq = 0;
  let batchNo = 0;
  const addCampaign = db.prepare(
    `INSERT INTO campaigns (name, sender, template, state, mode, recipients, parts, created_at, started_at) VALUES (?, 'ACME', 'Hi', 'sending', 'live', 0, 0, ?, ?)`,
  );
  const addBatch = db.prepare(
    `INSERT INTO batches (campaign_id, client_ref, gateway_ref, state, recipients, parts, text, created_at, sent_at, answered_at, http_status, next_poll_at, poll_interval)
     VALUES (?, ?, ?, ?, ?, ?, 'Hi', ?, ?, ?, ?, ?, 15000)`,
  );
  const addMessage = db.prepare(
    `INSERT INTO messages (campaign_id, seq, msisdn, text, encoding, parts, status, batch_id, raw_status, raw_code, accepted_at, final_at, updated_at)
     VALUES (?, ?, ?, 'Hi', 'GSM-7', 1, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const addMember = db.prepare(`INSERT INTO batch_members (message_id, batch_id) VALUES (?, ?)`);
  const range = db.prepare(
    `UPDATE batches SET first_message_id = (SELECT MIN(message_id) FROM batch_members WHERE batch_id = batches.id),
      last_message_id = (SELECT MAX(message_id) FROM batch_members WHERE batch_id = batches.id) WHERE id = ?`,
  );
  db.transaction(() => {
    for (let c = 0; c < 2; c++) {
      const cid = Number(addCampaign.run(`c${c}`, t0, t0).lastInsertRowid);
      campaigns.push(cid);
      for (let k = 0; k < 12; k++) {
        const uncertain = k === 3;
        const n = 5 + Math.floor(rand() * 20);
        const ref = `ref-${++batchNo}`;
        const bid = Number(
          addBatch.run(
            cid,
            ref,
            uncertain ? null : ref,
            uncertain ? 'uncertain' : 'accepted',
            n,
            n,
            t0,
            t0,
            uncertain ? null : t0,
            uncertain ? null : 200,
            t0,
          ).lastInsertRowid,
        );
        for (let i = 0; i < n; i++) {
          // A number twice in one batch (a list re-sent by hand) now and then: both rows follow the report.
          const msisdn =
            i > 0 && rand() < 0.08
              ? `2348030${String(bid * 100 + i - 1).padStart(6, '0')}`
              : `2348030${String(bid * 100 + i).padStart(6, '0')}`;
          let status = uncertain ? 'uncertain' : 'accepted';
          let raw: string | null = null,
            code: number | null = null,
            finalAt: number | null = null;
          if (unwritten && !uncertain) {
            const id = Number(
              addMessage.run(cid, ++seq, msisdn, 'queued', null, null, null, null, null, t0).lastInsertRowid,
            );
            addMember.run(id, bid);
            continue;
          }
          if (!uncertain && rand() < 0.2) [status, raw, code] = ['sent', 'Dispatched', 401];
          else if (!uncertain && rand() < 0.1) [status, raw, code, finalAt] = ['delivered', 'Delivered', 0, t0];
          addMessage.run(cid, ++seq, msisdn, status, bid, raw, code, uncertain ? null : t0, finalAt, t0);
        }
        if (unwritten && !uncertain) range.run(bid);
      }
      createCounts(db).recount(cid);
    }
  })();
  return { db, campaigns, t0 };
}

/** One poll's reports: per open batch, groups drawn at random over its numbers and some strangers. */
function reports(db: DB, rand: () => number, round: number, rounds: number): Map<string, string> {
  const out = new Map<string, string>();
  const batches = db
    .prepare<[], { id: number; client_ref: string; recipients: number }>(
      `SELECT id, client_ref, recipients FROM batches WHERE dlr_done = 0 AND state IN ('accepted', 'uncertain')`,
    )
    .all();
  const numbersOf = db
    .prepare<[number], string>(`SELECT msisdn FROM ${MESSAGES_SEEN} AS m WHERE batch_id = ? ORDER BY id`)
    .pluck();
  for (const b of batches) {
    const nums = numbersOf.all(b.id);
    const groups: Group[] = [];
    let total = b.recipients;
    const last = round === rounds - 1;
    if (!last && rand() < 0.1) {
      // A summary without lists: every recipient in one word, which settles the batch only if the count says all.
      const [word, code] = WORDS[Math.floor(rand() * 3)];
      const all = rand() < 0.5;
      groups.push({ code, status: word, count: all ? b.recipients : b.recipients - 1 });
      total = all ? b.recipients : b.recipients - 1;
    } else {
      const nGroups = 1 + Math.floor(rand() * 4);
      for (let g = 0; g < nGroups; g++) {
        const [word, code] = last && g === 0 ? WORDS[Math.floor(rand() * 6)] : WORDS[Math.floor(rand() * WORDS.length)];
        const recipients: string[] = [];
        for (const n of nums) if (rand() < (last && g === 0 ? 0.9 : 0.4)) recipients.push(n);
        if (rand() < 0.3 && recipients.length) recipients.push(recipients[0]); // listed twice
        if (rand() < 0.3) recipients.push(`2349099${String(Math.floor(rand() * 1e6)).padStart(6, '0')}`); // not in the batch
        groups.push({ code, status: word, count: recipients.length, recipients });
      }
    }
    out.set(
      b.client_ref,
      JSON.stringify({
        type: 'delivery_report_sms',
        batch_id: b.client_ref,
        total_message_count: total,
        statuses: groups,
      }),
    );
  }
  return out;
}

function reasonFor(status: string, raw: string): string | null {
  return status === 'delivered' || status === 'sent' ? null : `Gateway report: ${raw}`;
}

/**
 * What the rows must become: the report read in order, one recipient at a time (the contract, not
 * the code). `into` counts each status change by campaign and new status, as the chart shows them.
 */
function expected(
  rows: Row[],
  bodies: Map<string, string>,
  refOf: Map<number, string>,
  now: number,
  into: Map<string, number>,
): Row[] {
  const out = rows.map((r) => ({ ...r }));
  const moveTo = (r: Row, status: string) => {
    if (r.status === status) return;
    const bump = (s: string, n: number) => {
      const k = `${r.campaign_id} ${s}`;
      into.set(k, (into.get(k) ?? 0) + n);
    };
    bump(status, 1);
    // the chart's handed line counts a recipient once (shared/outcome.ts HANDED_STATUSES)
    if (isHandedStatus(r.status) && (isHandedStatus(status) || status === 'queued')) bump(r.status, -1);
    r.status = status;
  };
  const byBatch = new Map<number, Row[]>();
  for (const r of out) byBatch.set(r.batch_id, [...(byBatch.get(r.batch_id) ?? []), r]);
  for (const [bid, list] of byBatch) {
    const body = bodies.get(refOf.get(bid)!);
    if (!body) continue;
    const report = JSON.parse(body) as { total_message_count: number; statuses: Group[] };
    for (const r of list) {
      if (r.status !== 'uncertain') continue;
      moveTo(r, 'accepted');
      Object.assign(r, { reason: null, updated_at: now });
    }
    const listed = report.statuses.every((g) => Array.isArray(g.recipients));
    for (const g of report.statuses) {
      const mapped = mapStatus(g.status, g.code);
      const set = (r: Row) => {
        if (isFinalStatus(r.status)) return;
        if (mapped) {
          moveTo(r, mapped);
          Object.assign(r, {
            raw_status: g.status,
            raw_code: g.code,
            final_at: isFinalStatus(mapped) ? now : null,
            reason: reasonFor(mapped, g.status),
            updated_at: now,
          });
        } else Object.assign(r, { raw_status: g.status, raw_code: g.code, updated_at: now });
      };
      if (g.recipients) for (const m of g.recipients) for (const r of list) if (r.msisdn === m) set(r);
      const all = g.count === list.length || report.total_message_count === list.length;
      if (!g.recipients && !listed && report.statuses.length === 1 && mapped && all) for (const r of list) set(r);
    }
  }
  return out;
}

describe('delivery reports applied by the poller', () => {
  it.each([
    [1, false],
    [2, false],
    [3, false],
    [1, true],
    [2, true],
    [3, true],
  ])(
    'end every row as the report says and keep the counters equal to the rows (seed %i, rows not written yet: %s)',
    async (seed, unwritten) => {
      const rand = mulberry32(seed);
      const { db, campaigns } = ledger(rand, unwritten);
      // the rows as readers see them: a row not written yet says what its batch says (queue/status.ts)
      const rowsSql = db.prepare<[], Row>(
        `SELECT id, campaign_id, batch_id, msisdn, status, raw_status, raw_code, final_at, reason, updated_at FROM ${MESSAGES_SEEN} AS m ORDER BY id`,
      );
      const refOf = new Map(
        db
          .prepare<[], { id: number; client_ref: string }>(`SELECT id, client_ref FROM batches`)
          .all()
          .map((b) => [b.id, b.client_ref]),
      );
      let bodies = new Map<string, string>();
      let now = Date.now();
      const client: GatewayClient = {
        send: () => Promise.reject(new Error('not in this test')),
        checkToken: () => Promise.resolve({ ok: true, message: '' }),
        fetchRecipientReport: () => Promise.resolve({ kind: 'not-found' }),
        fetchBatchReport: (ref) =>
          Promise.resolve(
            bodies.has(ref)
              ? classifyBatchReport(
                  {
                    kind: 'answer',
                    status: 200,
                    statusText: 'OK',
                    headers: {},
                    body: bodies.get(ref)!,
                    incomplete: false,
                  },
                  { host: 'test', token: TEST_TOKEN, now },
                  ref,
                )
              : { kind: 'not-found' },
          ),
      };
      const poller = createPoller({
        db,
        settings: createSettingsStore(db),
        clock: { now: () => now, mono: () => performance.now() },
        clientFor: () => client,
        mode: () => 'live',
        changed: () => {},
        log: () => {},
      });
      const into = new Map<string, number>();
      const rounds = 3;
      for (let round = 0; round < rounds; round++) {
        now += 20_000; // each poll in its own chart bucket
        bodies = reports(db, rand, round, rounds);
        const want = expected(rowsSql.all(), bodies, refOf, now, into);
        for (const cid of campaigns) await poller.pollCampaign(cid);
        const got = rowsSql.all();
        expect(got).toEqual(want);
        // A batch is done exactly when none of its rows is open any more (and it was found).
        const open = db
          .prepare<[], { id: number; dlr_done: number; open: number; state: string }>(
            `SELECT b.id, b.dlr_done, b.state, (SELECT COUNT(*) FROM messages m WHERE m.batch_id = b.id AND m.final_at IS NULL) AS open FROM batches b`,
          )
          .all();
        for (const b of open) expect(b, `batch ${b.id}`).toMatchObject({ dlr_done: b.open === 0 ? 1 : 0 });
        // The dashboard's counters and the chart's transitions against a full count.
        for (const cid of campaigns) {
          const kept = db
            .prepare<[number], { status: string; n: number }>(
              `SELECT status, n FROM campaign_counts WHERE campaign_id = ? AND n <> 0 ORDER BY status`,
            )
            .all(cid);
          const truth = db
            .prepare<[number], { status: string; n: number }>(
              `SELECT status, COUNT(*) AS n FROM messages WHERE campaign_id = ? GROUP BY status ORDER BY status`,
            )
            .all(cid);
          expect(kept).toEqual(truth);
          // The seeded rows put nothing in the chart: every bucket there is the poller's.
          const charted = db
            .prepare<[number], { status: string; n: number }>(
              `SELECT status, SUM(n) AS n FROM status_buckets WHERE campaign_id = ? GROUP BY status`,
            )
            .all(cid);
          const moved = [...into]
            .filter(([k]) => k.startsWith(`${cid} `))
            .map(([k, n]) => [k.split(' ')[1], n] as const);
          expect(new Map(charted.map((r) => [r.status, r.n]))).toEqual(new Map(moved));
        }
      }
      // Most recipients got their final word: the reports above were not all ignored.
      const final = db.prepare(`SELECT COUNT(*) FROM messages WHERE final_at IS NOT NULL`).pluck().get() as number;
      expect(final).toBeGreaterThan(rowsSql.all().length * 0.7);
      db.close();
    },
  );
});
