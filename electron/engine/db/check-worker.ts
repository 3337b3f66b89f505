/**
 * The worker thread of db/check.ts: reads every page of the ledger once (PRAGMA quick_check) on a
 * connection of its own, so the engine's thread goes on sending meanwhile. Read-only: a WAL reader
 * takes no lock the owner's writes wait for.
 *
 * After the pages, the same connection compares the status counters (campaign_counts, moved by
 * queue/counts.ts in the transaction of every status change) with a count of the rows, in one read
 * transaction (a snapshot: counters and rows are always committed together), and names the
 * campaigns whose counters are off; the engine counts those again.
 *
 * Kept free of the engine's modules (and of TypeScript that needs more than stripping types): Node
 * runs this file as it is, from source and from the dist-node/ bundles (which run from a checkout);
 * the packaged app carries it as dist-electron/ledger-check.cjs (scripts/build-electron.mjs).
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

/** What the worker answers, once. */
export type CheckAnswer =
  | { kind: 'ok'; ms: number; countsOff: number[] }
  | { kind: 'damaged'; problems: string[]; code: string; ms: number }
  | { kind: 'failed'; code: string; message: string };

function check(file: string): CheckAnswer {
  const t0 = performance.now();
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: 5000 });
    const problems = (db.pragma('quick_check(5)') as Array<{ quick_check: string }>)
      .map((r) => r.quick_check)
      .filter((r) => r !== 'ok');
    if (problems.length) return { kind: 'damaged', problems, code: 'SQLITE_CORRUPT', ms: performance.now() - t0 };
    const countsOff = db.transaction(() => countersOff(db!))();
    return { kind: 'ok', ms: performance.now() - t0, countsOff };
  } catch (e) {
    const code = String((e as { code?: unknown })?.code ?? '');
    // pages so broken that SQLite gives up reading them are damage too, not a failed check
    if (/^SQLITE_(CORRUPT|NOTADB)/.test(code))
      return { kind: 'damaged', problems: [(e as Error).message], code, ms: performance.now() - t0 };
    return { kind: 'failed', code, message: (e as Error).message };
  } finally {
    db?.close();
  }
}

/** Campaigns whose stored counters differ from a count of their rows (zero counters count as absent). */
function countersOff(db: Database.Database): number[] {
  type Row = { campaign_id: number; status: string; n: number };
  const key = (r: Row) => `${r.campaign_id}\0${r.status}`;
  const stored = new Map<string, Row>();
  for (const r of db.prepare('SELECT campaign_id, status, n FROM campaign_counts WHERE n != 0').all() as Row[])
    stored.set(key(r), r);
  const off = new Set<number>();
  const rows = db
    .prepare('SELECT campaign_id, status, COUNT(*) AS n FROM messages GROUP BY campaign_id, status')
    .all() as Row[];
  for (const r of rows) {
    const s = stored.get(key(r));
    if (s?.n !== r.n) off.add(r.campaign_id);
    stored.delete(key(r));
  }
  for (const s of stored.values()) off.add(s.campaign_id);
  return [...off].sort((a, b) => a - b);
}

parentPort?.postMessage(check((workerData as { file: string }).file));
