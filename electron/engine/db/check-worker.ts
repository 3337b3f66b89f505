/**
 * The worker thread of db/check.ts: reads every page of the ledger once (PRAGMA quick_check) on a
 * connection of its own, so the engine's thread goes on sending meanwhile. Read-only: a WAL reader
 * takes no lock the owner's writes wait for.
 *
 * Kept free of the engine's modules (and of TypeScript that needs more than stripping types): Node
 * runs this file as it is, from source and from the dist-node/ bundles (which run from a checkout);
 * the packaged app carries it as dist-electron/ledger-check.cjs (scripts/build-electron.mjs).
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

/** What the worker answers, once. */
export type CheckAnswer =
  | { kind: 'ok'; ms: number }
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
    const ms = performance.now() - t0;
    return problems.length ? { kind: 'damaged', problems, code: 'SQLITE_CORRUPT', ms } : { kind: 'ok', ms };
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

parentPort?.postMessage(check((workerData as { file: string }).file));
