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
 * Started with `checkpoints`, it stays beside an owner that writes in volume and makes the WAL
 * checkpoints (db/check.ts checkpointsOnceBusy), which SQLite otherwise makes inside its commits.
 *
 * Kept free of the engine's modules but the import-free query it shares with the ledger check and
 * backup.ts's copy (and of TypeScript that needs more than stripping types): Node
 * runs this file as it is, from source and from the dist-node/ bundles (which run from a checkout);
 * the packaged app carries it as dist-electron/ledger-check.cjs (scripts/build-electron.mjs).
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
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

/** What the checkpoint thread answers, once: when told to stop, or when it cannot go on. */
export type CheckpointAnswer = { kind: 'stopped' } | { kind: 'failed'; code: string; message: string };

/**
 * Started with `checkpoints`, it stays: it copies the owner's committed WAL pages back into the file
 * (PRAGMA wal_checkpoint(PASSIVE): it never waits for the owner's writes, nor they for it) every
 * `idleMs`, and again after `busyMs` while the owner keeps writing, until told to stop. A
 * connection of its own that writes only the checkpoint; the owner's thread no longer does it
 * inside a commit (db/check.ts startCheckpoints).
 */
function checkpoints(file: string, busyMs: number, idleMs: number) {
  let db: Database.Database | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let backfilled = -1;
  const end = (a: CheckpointAnswer) => {
    if (timer) clearTimeout(timer);
    timer = null;
    try {
      db?.close();
    } catch {
      /* the answer below says what happened */
    }
    db = null;
    parentPort?.postMessage(a);
    parentPort?.close();
  };
  const failed = (e: unknown) =>
    end({ kind: 'failed', code: String((e as { code?: unknown })?.code ?? ''), message: (e as Error).message });
  const pass = () => {
    timer = null;
    try {
      const [r] = db!.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number; checkpointed: number }>;
      // pages copied this pass, or written meanwhile: the owner is writing, come back soon
      const moving = r.checkpointed !== backfilled || r.log > r.checkpointed;
      backfilled = r.checkpointed;
      timer = setTimeout(pass, moving ? busyMs : idleMs);
    } catch (e) {
      failed(e);
    }
  };
  parentPort?.on('message', (m: unknown) => {
    if (m === 'stop' && db) end({ kind: 'stopped' });
  });
  try {
    db = new Database(file, { fileMustExist: true, timeout: 0 });
    db.pragma('synchronous = NORMAL');
    pass();
  } catch (e) {
    failed(e);
  }
}

/**
 * The check and the daily copy are background work: on a 2-core office PC their full core came out
 * of the send loop's, the gateway's and the window's. On Linux a thread has a nice value of its own,
 * so this thread alone goes below normal (nice 10: about a tenth of a core when the others want
 * both; all of it when they do not). In the 500-requests/s job, the first second after a start sent
 * 386 requests on average (6 runs) against 307 (12 runs) before. Nice 19 helped less (342): the
 * check then ran into the seconds after. Where a thread's priority cannot be set this way (macOS,
 * Windows) it runs as before. The checkpoint thread keeps its priority: it keeps up with the writes.
 */
function runInBackground(): void {
  try {
    const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0 && tid !== process.pid)
      os.setPriority(tid, os.constants.priority.PRIORITY_BELOW_NORMAL);
  } catch {
    /* no /proc (not Linux), or not allowed: the work is the same, only its share of the CPU differs */
  }
}

/** One job per thread: the check (file alone), the daily copy, or the checkpoints. */
export interface CheckWorkerJob {
  file: string;
  copyTo?: string;
  checkpoints?: { busyMs: number; idleMs: number };
}
const job = workerData as CheckWorkerJob;
if (job.checkpoints) checkpoints(job.file, job.checkpoints.busyMs, job.checkpoints.idleMs);
else {
  runInBackground();
  if (job.copyTo) void copy(job.file, job.copyTo).then((a) => parentPort?.postMessage(a));
  else parentPort?.postMessage(check(job.file));
}
