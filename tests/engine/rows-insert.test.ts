/**
 * db/rows.ts: rows stored 20 to a statement (contacts and rejects of an import, a campaign's
 * messages) are the same rows, in the same order, with the same ids, as one INSERT each.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { batchedInsert } from '../../electron/engine/db/rows.ts';

const table = () => {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, b TEXT)');
  return db;
};

describe('batchedInsert', () => {
  it('45 rows (two full statements and 5 left for the flush) keep their order and ids', () => {
    const db = table();
    const rows = batchedInsert(db, 't', ['a', 'b']);
    db.transaction(() => {
      for (let i = 1; i <= 45; i++) rows.add(i, `r${i}`);
      // the 40 of two full statements are in before the flush, the last 5 only after it
      expect(db.prepare('SELECT COUNT(*) FROM t').pluck().get()).toBe(40);
      rows.flush();
    })();
    const got = db.prepare('SELECT id, a, b FROM t ORDER BY id').all() as Array<{ id: number; a: number; b: string }>;
    expect(got).toHaveLength(45);
    expect(got.every((r, i) => r.id === i + 1 && r.a === i + 1 && r.b === `r${i + 1}`)).toBe(true);
  });

  it('refuses a row with the wrong number of values instead of shifting the rows after it', () => {
    const db = table();
    const rows = batchedInsert(db, 't', ['a', 'b']);
    expect(() => rows.add(1)).toThrow('t: 1 values for 2 columns');
  });

  it('values left by a transaction that threw are cleared, not written with the next', () => {
    const db = table();
    const rows = batchedInsert(db, 't', ['a', 'b']);
    expect(() =>
      db.transaction(() => {
        for (let i = 1; i <= 25; i++) rows.add(i, 'lost');
        throw new Error('refused');
      })(),
    ).toThrow('refused');
    rows.clear();
    db.transaction(() => {
      rows.add(99, 'kept');
      rows.flush();
    })();
    expect(db.prepare('SELECT a, b FROM t').all()).toEqual([{ a: 99, b: 'kept' }]);
  });
});
