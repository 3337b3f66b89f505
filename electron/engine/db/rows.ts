import type { DB } from './open.ts';

/**
 * Rows go into one table `perStatement` at a time: one INSERT with that many value lists, one call
 * into SQLite, instead of one per row (about a third of the storing time of an import). The rest
 * go in one more statement at `flush()`. Same rows, same order, same rowids as one INSERT each.
 * Use it inside one transaction and flush before anything reads the table back; a transaction
 * that throws leaves values behind: `clear()` them before the next.
 */
export function batchedInsert(db: DB, table: string, columns: readonly string[], perStatement = 20) {
  const width = columns.length;
  const one = `(${columns.map(() => '?').join(', ')})`;
  const sql = (n: number) => `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array(n).fill(one).join(', ')}`;
  const many = db.prepare(sql(perStatement));
  // the rest in one statement too, prepared once per size: an import's 500-row slice ends with up to
  // 19 contacts and 19 rejects, 40,000 calls per million rows one by one
  const rest = new Map<number, ReturnType<DB['prepare']>>();
  const full = width * perStatement;
  const args: unknown[] = [];
  return {
    /** one row's values, in the order of `columns` */
    add(...values: unknown[]) {
      // a row short or long would shift every row after it into the wrong columns
      if (values.length !== width) throw new Error(`${table}: ${values.length} values for ${width} columns`);
      for (const v of values) args.push(v);
      if (args.length === full) {
        many.run(args);
        args.length = 0;
      }
    },
    flush() {
      if (!args.length) return;
      const n = args.length / width;
      let st = rest.get(n);
      if (!st) rest.set(n, (st = db.prepare(sql(n))));
      st.run(args);
      args.length = 0;
    },
    clear() {
      args.length = 0;
    },
  };
}
