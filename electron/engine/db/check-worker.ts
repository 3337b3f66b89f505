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
 * Started with `copyTo`, it makes the daily backup instead (db/check.ts copyInWorker): the whole
 * file in one step of SQLite's online backup from this read-only connection, as `smsdesk backup`
 * does, so the copy's final sync (tens of ms on a big ledger) never stalls the engine's thread.
 *
 * Kept free of the engine's modules but the import-free query it shares with the ledger check and
 * backup.ts's copy (and of TypeScript that needs more than stripping types): Node
 * runs this file as it is, from source and from the dist-node/ bundles (which run from a checkout);
 * the packaged app carries it as dist-electron/ledger-check.cjs (scripts/build-electron.mjs).
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { COUNTERS_OFF_SQL, type CountersOffRow } from '../queue/counters-check.ts';
import { backupTo } from './backup.ts';

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

/** Campaigns whose stored counters differ from a count of their rows (the thorough ledger check's query). */
function countersOff(db: Database.Database): number[] {
  const rows = db.prepare(COUNTERS_OFF_SQL).all() as CountersOffRow[];
  return [...new Set(rows.map((r) => r.campaign_id))].sort((a, b) => a - b);
}

/** What the worker answers to `copyTo`, once. */
export type CopyAnswer = { kind: 'copied'; bytes: number } | { kind: 'failed'; code: string; message: string };

async function copy(file: string, dest: string): Promise<CopyAnswer> {
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: 5000 });
    // one step: between small steps the owner's writes would restart the copy
    return { kind: 'copied', bytes: (await backupTo(db, dest, { stepPages: 0x7fffffff })).bytes };
  } catch (e) {
    return { kind: 'failed', code: String((e as { code?: unknown })?.code ?? ''), message: (e as Error).message };
  } finally {
    db?.close();
  }
}

const job = workerData as { file: string; copyTo?: string };
if (job.copyTo) void copy(job.file, job.copyTo).then((a) => parentPort?.postMessage(a));
else parentPort?.postMessage(check(job.file));
