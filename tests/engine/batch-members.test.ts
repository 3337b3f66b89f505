/**
 * Migration 9: a claim writes member rows, not message rows, and a message row stays `queued` until
 * its batch leaves the happy path or its first report is applied. What the user sees must not
 * change: the messages page, its filters, the export and the counters show submitting and accepted
 * from the batch; and the queue neither skips a message nor hands one to two requests, whatever
 * mix of answers, returns, unknown outcomes and opt-outs comes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/engine/db/open.ts';
import { createLedger, type AcceptedAnswer, type BatchRecord } from '../../electron/engine/queue/ledger.ts';
import { checkLedger } from '../../electron/engine/queue/invariants.ts';
import { cancelOptedOut, optOutCancelDue, restoreOptedIn } from '../../electron/engine/campaigns/optedOut.ts';
import { engineWithSandbox, makeList, numbers, waitFor } from '../helpers/engine.ts';
import { isFinalStatus } from '../../shared/vocabulary.ts';

describe('a message a batch holds, before its row is written', () => {
  it('shows as accepted on the messages page, in its filters and in the export, and is the same once written', async () => {
    // reports polled an hour after acceptance: the rows stay unwritten for the whole check
    const t = await engineWithSandbox({
      settings: { 'dlr.initialIntervalMs': 3_600_000, 'dlr.maxIntervalMs': 3_600_000, 'rate.recipientsPerRequest': 7 },
    });
    try {
      const { engine } = t;
      makeList(
        engine,
        'm',
        numbers(40).map((phone) => ({ phone })),
      );
      const c = await engine.campaigns.create({ list: 'm', from: 'ACME', text: 'Hello' });
      engine.campaigns.send(c.id);
      engine.start();
      await waitFor(() => engine.campaigns.status(c.id).counts.accepted === 40, 'every request to be accepted');
      const raw = engine.db
        .prepare(`SELECT COUNT(*) FROM messages WHERE campaign_id = ? AND status = 'queued'`)
        .pluck()
        .get(c.id);
      expect(raw, 'the rows are not written while sending').toBe(40);

      const page = engine.campaigns.messages(c.id, { offset: 0, limit: 100 });
      expect(page.total).toBe(40);
      expect(new Set(page.rows.map((r) => r.status))).toEqual(new Set(['accepted']));
      for (const r of page.rows) {
        expect(r.acceptedAt, `seq ${r.seq}`).toBeGreaterThan(0);
        expect(r.submittedAt, `seq ${r.seq}`).toBeGreaterThan(0);
      }
      expect(engine.campaigns.messages(c.id, { offset: 0, limit: 100, status: 'accepted' }).total).toBe(40);
      expect(engine.campaigns.messages(c.id, { offset: 0, limit: 100, status: 'queued' }).total).toBe(0);
      expect(engine.campaigns.messages(c.id, { offset: 0, limit: 100, status: 'submitting' }).total).toBe(0);
      const net = engine.campaigns.networks(c.id);
      expect(JSON.stringify(net)).not.toContain('"queued"');
      expect(checkLedger(engine.db, { thorough: true })).toEqual([]);

      const file = path.join(t.dataDir, 'r.csv');
      await engine.campaigns.export(c.id, file, 'csv');
      const lines = fs.readFileSync(file, 'utf8').slice(1).trim().split('\r\n');
      const head = lines[0].split(',');
      const col = (name: string) => head.indexOf(name);
      expect(lines.slice(1).map((l) => l.split(',')[col('status')])).toEqual(Array(40).fill('accepted'));
      expect(lines.slice(1).every((l) => l.split(',')[col('accepted_at')] !== '')).toBe(true);

      // the first report writes the rows: what the page showed is what they now say
      const before = page.rows.map((r) => ({ seq: r.seq, submittedAt: r.submittedAt, acceptedAt: r.acceptedAt }));
      engine.settings.set('dlr.initialIntervalMs', 100);
      await engine.pollReports(c.id, { waitMs: 10_000 });
      const after = engine.campaigns.messages(c.id, { offset: 0, limit: 100 }).rows;
      expect(after.map((r) => ({ seq: r.seq, submittedAt: r.submittedAt, acceptedAt: r.acceptedAt }))).toEqual(before);
      // every report was final by now: each row says its reported status, and the counters agree
      expect(after.filter((r) => !isFinalStatus(r.status)).map((r) => `${r.seq}: ${r.status}`)).toEqual([]);
      expect(engine.campaigns.status(c.id).counts.accepted).toBe(0);
      expect(
        engine.db.prepare(`SELECT COUNT(*) FROM batch_members`).pluck().get(),
        'no member row is left once the rows are written',
      ).toBe(0);
      expect(checkLedger(engine.db, { thorough: true })).toEqual([]);
    } finally {
      await t.close();
    }
  });
});

/** a seeded random number generator (mulberry32), so a failure can be run again */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The gateway's 2xx for a batch of campaign 1, its reports not due for a long time. */
const answered = (b: BatchRecord, at: number): AcceptedAnswer => ({
  batchId: b.id,
  campaignId: 1,
  gatewayRef: `g${b.id}`,
  processed: b.to.length,
  httpStatus: 200,
  at,
  firstPollAt: at + 1e9,
  pollInterval: 1e9,
});

describe('the queue under every outcome of a request', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`seed ${seed}: no message is skipped and none is in two requests the gateway took`, async () => {
      const random = rng(seed);
      const db = openDatabase(':memory:');
      const N = 60;
      db.prepare(
        `INSERT INTO campaigns (id, name, sender, template, state, mode, recipients, created_at) VALUES (1, 'c', 'ACME', 't', 'sending', 'sandbox', ?, 0)`,
      ).run(N);
      const add = db.prepare(
        `INSERT INTO messages (campaign_id, seq, msisdn, text, encoding, parts, status, updated_at) VALUES (1, ?, ?, ?, 'GSM-7', 1, 'queued', 0)`,
      );
      const msisdn = (i: number) => `2348030000${String(i).padStart(3, '0')}`;
      for (let i = 1; i <= N; i++) add.run(i, msisdn(i), random() < 0.7 ? 'A' : 'B');
      db.prepare(`INSERT INTO campaign_counts VALUES (1, 'queued', ?)`).run(N);
      const ledger = createLedger(db);
      const open = new Map<number, BatchRecord>(); // submitting, waiting for an answer
      const uncertain = new Map<number, BatchRecord>();
      const held = new Set<number>(); // message ids in an open or uncertain batch
      const took = new Map<number, number>(); // message id -> requests the gateway took it in
      const optedOut = new Set<string>();
      let now = 1_000;
      const answer = (b: BatchRecord) => {
        open.delete(b.id);
        uncertain.delete(b.id);
        for (const id of b.messageIds) held.delete(id);
      };
      const check = (what: string) => expect(checkLedger(db, { thorough: true }), what).toEqual([]);

      for (let step = 0; step < 400; step++) {
        now += 10;
        const r = random();
        if (r < 0.4 || open.size === 0) {
          const found = ledger.nextBatches(1, 1 + Math.floor(random() * 6), 0, 1 + Math.floor(random() * 4));
          for (const b of ledger.claimManyWithAnswers(1, found, now, [])) {
            if (!b) continue;
            for (const id of b.messageIds) {
              expect(held.has(id), `step ${step}: message ${id} handed to a second request`).toBe(false);
              held.add(id);
            }
            open.set(b.id, b);
          }
        } else {
          const pick = [...open.values()][Math.floor(random() * open.size)];
          const k = random();
          if (k < 0.5) {
            ledger.markAcceptedAll([answered(pick, now)]);
            for (const id of pick.messageIds) took.set(id, (took.get(id) ?? 0) + 1);
            answer(pick);
          } else if (k < 0.7) {
            ledger.markReturned(pick.id, 'busy', 503, now);
            answer(pick);
          } else if (k < 0.8) {
            ledger.markFailed(pick.id, 'refused', 400, now);
            answer(pick);
          } else {
            ledger.markUncertain(pick.id, 'timeout', null, now, now + 1e9, 1e9);
            open.delete(pick.id);
            uncertain.set(pick.id, pick);
          }
        }
        // an unknown outcome later proves not taken (returned) now and then
        if (uncertain.size && random() < 0.1) {
          const u = [...uncertain.values()][0];
          ledger.markReturned(u.id, 'not found', null, now);
          answer(u);
        }
        // a customer opts out, or back in
        const o = random();
        if (o < 0.05) {
          const n = msisdn(1 + Math.floor(random() * N));
          db.prepare(`INSERT OR IGNORE INTO optouts (msisdn, added_at) VALUES (?, ?)`).run(n, now);
          optedOut.add(n);
          optOutCancelDue(db, now);
          await cancelOptedOut(db, now);
        } else if (optedOut.size && o < 0.1) {
          const n = [...optedOut][0];
          db.prepare(`DELETE FROM optouts WHERE msisdn = ?`).run(n);
          optedOut.delete(n);
          restoreOptedIn(db, [n], now);
        }
        if (step % 20 === 0) check(`step ${step}`);
      }
      // the rest of the queue goes, every answer accepted
      for (const b of [...open.values()]) {
        ledger.markAcceptedAll([answered(b, now)]);
        for (const id of b.messageIds) took.set(id, (took.get(id) ?? 0) + 1);
      }
      for (let found = ledger.nextBatches(1, 5, 0, 4); found.length; found = ledger.nextBatches(1, 5, 0, 4)) {
        const claimed = ledger.claimManyWithAnswers(1, found, now, []).filter((b) => b != null);
        expect(claimed.length, 'a batch found is a batch taken').toBeGreaterThan(0);
        ledger.markAcceptedAll(claimed.map((b) => answered(b, now)));
        for (const b of claimed) for (const id of b.messageIds) took.set(id, (took.get(id) ?? 0) + 1);
      }
      check('at the end');
      const counts = Object.fromEntries(
        db
          .prepare<[], { status: string; n: number }>(`SELECT status, n FROM campaign_counts WHERE n != 0`)
          .all()
          .map((r) => [r.status, r.n]),
      );
      expect(counts.queued ?? 0, 'nothing is left in the queue').toBe(0);
      expect(counts.submitting ?? 0).toBe(0);
      expect(
        [...took.values()].filter((n) => n > 1),
        'messages the gateway took twice',
      ).toEqual([]);
      // every message is accounted for: taken once, failed, cancelled (opted out) or still uncertain
      const total = Object.values(counts).reduce((s: number, n) => s + (n as number), 0);
      expect(total).toBe(N);
      expect(took.size).toBe(counts.accepted ?? 0);
      db.close();
    });
  }
});
