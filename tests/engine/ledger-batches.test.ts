import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/engine/db/open.ts';
import { createLedger, newClientRef } from '../../electron/engine/queue/ledger.ts';
import { BATCH_ID_SQL, MEMBER_JOIN, STATUS_SQL } from '../../electron/engine/queue/status.ts';

/** A sending campaign whose queue holds these texts in seq order (parts each 1 unless given). */
function queue(rows: Array<{ text: string; parts?: number; resend?: string }>) {
  const db = openDatabase(':memory:');
  db.prepare(
    `INSERT INTO campaigns (id, name, sender, template, state, mode, recipients, created_at) VALUES (1, 'c', 'ACME', 't', 'sending', 'sandbox', ?, 0)`,
  ).run(rows.length);
  const add = db.prepare(
    `INSERT INTO messages (campaign_id, seq, msisdn, text, encoding, parts, status, resend_ref, updated_at) VALUES (1, ?, ?, ?, 'GSM-7', ?, 'queued', ?, 0)`,
  );
  rows.forEach((r, i) =>
    add.run(i + 1, `2348030000${String(i).padStart(3, '0')}`, r.text, r.parts ?? 1, r.resend ?? null),
  );
  db.prepare(`INSERT INTO campaign_counts VALUES (1, 'queued', ?)`).run(rows.length);
  return { db, ledger: createLedger(db) };
}
const seqs = (batches: Array<Array<{ seq: number }>>) => batches.map((b) => b.map((m) => m.seq));

describe('the next batches, several at once', () => {
  it('cuts them as one batch is cut: queue order, one text each, capped by recipients and by parts', () => {
    const { ledger } = queue([
      ...Array.from({ length: 5 }, () => ({ text: 'A' })),
      { text: 'B', parts: 2 },
      { text: 'B', parts: 2 },
      { text: 'B', parts: 2 },
      { text: 'A' },
    ]);
    expect(seqs(ledger.nextBatches(1, 3, 0, 4))).toEqual([[1, 2, 3], [4, 5], [6, 7, 8], [9]]);
    // 4 parts a request: the B messages (2 parts each) go two at a time
    expect(seqs(ledger.nextBatches(1, 3, 4, 4))).toEqual([[1, 2, 3], [4, 5], [6, 7], [8]]);
    // no more than asked for: two, or one
    expect(seqs(ledger.nextBatches(1, 3, 0, 2))).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    expect(seqs(ledger.nextBatches(1, 3, 0, 1))).toEqual([[1, 2, 3]]);
  });

  it('a re-sent batch goes whole and alone, and stops the batches before it', () => {
    const { ledger } = queue([{ text: 'A' }, { text: 'A', resend: 'r1' }, { text: 'A', resend: 'r1' }, { text: 'A' }]);
    // the batches before a re-sent group end where it starts
    expect(seqs(ledger.nextBatches(1, 10, 0, 4))).toEqual([[1]]);
    const [first] = ledger.claimManyWithAnswers(1, ledger.nextBatches(1, 10, 0, 1), 1000, []);
    expect(first?.messageIds).toHaveLength(1);
    // then the group, alone even when more are asked for and it is smaller than the cap
    expect(seqs(ledger.nextBatches(1, 10, 0, 4))).toEqual([[2, 3]]);
  });

  it('claims them in one commit: each batch its own reference and rows, the counters moved once per batch', () => {
    const { db, ledger } = queue(Array.from({ length: 7 }, () => ({ text: 'A' })));
    const found = ledger.nextBatches(1, 3, 0, 4);
    const claimed = ledger.claimManyWithAnswers(1, found, 1000, []);
    expect(claimed.map((b) => b?.messageIds.length)).toEqual([3, 3, 1]);
    expect(new Set(claimed.map((b) => b?.clientRef)).size).toBe(3);
    expect(
      db
        .prepare(
          `SELECT ${BATCH_ID_SQL} AS batch_id, COUNT(*) AS n FROM messages m ${MEMBER_JOIN} WHERE ${STATUS_SQL} = 'submitting' GROUP BY 1 ORDER BY 1`,
        )
        .all(),
    ).toEqual(claimed.map((b) => ({ batch_id: b!.id, n: b!.messageIds.length })));
    expect(db.prepare(`SELECT status, n FROM campaign_counts WHERE n != 0`).all()).toEqual([
      { status: 'submitting', n: 7 },
    ]);
    expect(ledger.nextBatches(1, 3, 0, 4)).toEqual([]);
  });
});

describe('a request reference', () => {
  it('is 32 hex digits, sorts by time (new ones go at the end of the unique index), and never repeats', () => {
    const a = newClientRef(1_700_000_000_000);
    const b = newClientRef(1_700_000_000_001);
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(a < b).toBe(true);
    const same = new Set(Array.from({ length: 10_000 }, () => newClientRef(1_700_000_000_000)));
    expect(same.size).toBe(10_000);
    const { ledger } = queue(Array.from({ length: 3 }, () => ({ text: 'A' })));
    const [x, y] = ledger.claimManyWithAnswers(1, ledger.nextBatches(1, 1, 0, 2), 1_700_000_000_000, []);
    expect([x!.clientRef, y!.clientRef].every((r) => /^[0-9a-f]{32}$/.test(r))).toBe(true);
    expect(x!.clientRef.slice(0, 12)).toBe((1_700_000_000_000).toString(16).padStart(12, '0'));
  });
});
