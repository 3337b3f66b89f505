import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DB } from './open.ts';
import type { CheckAnswer, CheckpointAnswer, CheckWorkerJob, CopyAnswer } from './check-worker.ts';
import { DatabaseCorruptError, isCorruption, markDamaged } from './corrupt.ts';
import { createLifecycle } from '../campaigns/lifecycle.ts';
import type { PauseCode } from '../../../shared/lifecycle.ts';

/**
 * The full check of the ledger (every page read once: PRAGMA quick_check), after start and beside
 * it. It used to run inside every writing open, 0.4 s of a 1M-message ledger's start with nothing
 * else able to run; a page overwritten in the middle of the file otherwise surfaces only when a
 * read reaches it. It runs in a worker thread on a read-only connection of its own (check-worker.ts),
 * so the engine's event loop keeps going and the owner's writes never wait for it. The engine's
 * close waits for an answer still to come (a short `send --wait` still makes its daily copy).
 *
 * Damage found: the engine stops sending (engine.ts), every campaign sending or scheduled is paused
 * with the sentence saying to restore the backup, and the ledger is marked so the next start checks
 * every page before anything else and offers the backup (db/open.ts, damageMarked).
 */

export const DAMAGED_PAUSE_CODE: PauseCode = 'damaged';

/**
 * The worker's script, the first of these that exists: check-worker.ts beside this file (running
 * from source: Node strips its types); ledger-check.cjs beside the bundle (the Electron bundles in
 * dist-electron/, scripts/build-electron.mjs); the source, from a bundle in dist-node/ (those run
 * only from a checkout: bin/smsdesk.js, scripts/web.mjs). import.meta is empty in the CommonJS
 * bundles and __filename is not defined in ES modules: each place has one of the two.
 */
export function checkWorkerFile(): string | null {
  const dir = path.dirname(typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url));
  const candidates = [
    path.join(dir, 'check-worker.ts'),
    path.join(dir, 'ledger-check.cjs'),
    path.join(dir, '..', 'electron', 'engine', 'db', 'check-worker.ts'),
  ];
  return candidates.find((f) => fs.existsSync(f)) ?? null;
}

/** The worker thread for one job of check-worker.ts; the reason when it cannot start. */
function startWorker(workerData: CheckWorkerJob, file: string | null | undefined): Worker | Error {
  const workerFile = file === undefined ? checkWorkerFile() : file;
  try {
    if (!workerFile) throw new Error('its script is not beside the engine');
    return new Worker(workerFile, { workerData });
  } catch (e) {
    return e as Error;
  }
}

/**
 * Starts the check; resolves with the damage found, or null: none, or the check could not run
 * (logged; everything goes on as before, and the next start tries again). With no damage,
 * `countsOff` gets the campaigns whose status counters differ from their rows, if any.
 */
export function startLedgerCheck(
  file: string,
  log: (line: string) => void,
  opts: { workerFile?: string | null; countsOff?: (campaignIds: number[]) => void } = {},
): Promise<DatabaseCorruptError | null> {
  const started = startWorker({ file }, opts.workerFile);
  if (started instanceof Error) {
    log(`page check: could not start (${started.message}); it is tried again at the next start`);
    return Promise.resolve(null);
  }
  const worker = started;
  // a command that is done does not wait for the check (the engine's close does)
  worker.unref();
  return new Promise((resolve) => {
    worker.once('message', (a: CheckAnswer) => {
      switch (a.kind) {
        case 'ok':
          log(`page check: every page of ${file} read, no damage (${Math.round(a.ms)} ms)`);
          if (a.countsOff.length) opts.countsOff?.(a.countsOff);
          return resolve(null);
        case 'damaged': {
          log(`page check: ${a.problems.length} problem(s) in ${file}, first: ${a.problems[0]}`);
          markDamaged(file, a.problems[0] ?? a.code);
          return resolve(new DatabaseCorruptError(file, Object.assign(new Error(a.problems[0]), { code: a.code })));
        }
        case 'failed':
          log(`page check: could not read ${file} (${a.code || a.message}); it is tried again at the next start`);
          return resolve(null);
      }
    });
    worker.once('error', (e) => {
      log(`page check: ${e.message}; it is tried again at the next start`);
      resolve(null);
    });
    // ended without an answer
    worker.once('exit', () => resolve(null));
  });
}

/**
 * The daily backup of `file` to `dest`, made in the check's worker thread (check-worker.ts): the
 * engine's thread keeps sending while the file is read and the copy synced. Resolves with the
 * copy's size; rejects with the copy's error; null when no worker could start (the caller then
 * copies on its own connection).
 */
export function copyInWorker(
  file: string,
  dest: string,
  opts: { workerFile?: string | null } = {},
): Promise<{ file: string; bytes: number } | null> {
  const worker = startWorker({ file, copyTo: dest }, opts.workerFile);
  if (worker instanceof Error) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    worker.once('message', (a: CopyAnswer) => {
      if (a.kind === 'copied') resolve({ file: dest, bytes: a.bytes });
      else reject(Object.assign(new Error(a.message), { code: a.code }));
    });
    worker.once('error', reject);
    worker.once('exit', () => reject(new Error('the backup thread ended without an answer')));
  });
}

/** SQLite's own threshold (pages in the WAL) for the checkpoint a commit makes. */
export const DEFAULT_AUTOCHECKPOINT = 1000;
/**
 * The owner's threshold while the checkpoint thread runs: only a WAL the thread has not kept up
 * with (it cannot go past a reader's snapshot, and never completes while commits keep coming)
 * makes a commit checkpoint, and then most pages are already copied.
 */
export const BACKSTOP_AUTOCHECKPOINT = 8192;

export interface Checkpoints {
  /** ends the thread (its connection closed), the owner's own checkpoints back as before */
  stop(): Promise<void>;
}

/**
 * WAL checkpoints beside the owner, in a thread of their own (check-worker.ts `checkpoints`). SQLite
 * makes one inside the commit that takes the WAL past 1000 pages: it copies those pages into the
 * file and syncs it, 1-10 ms of the engine's thread (80 ms seen on this host) every ~25 requests
 * at 500 requests/s, and about a fifth of a big import's commit time. The owner's connection keeps
 * a backstop (BACKSTOP_AUTOCHECKPOINT); when the thread cannot start or stops on an error, the
 * owner checkpoints as before and the log says why.
 */
export function startCheckpoints(
  db: DB,
  file: string,
  log: (line: string) => void,
  opts: { workerFile?: string | null; busyMs?: number; idleMs?: number } = {},
): Checkpoints {
  const started = startWorker(
    { file, checkpoints: { busyMs: opts.busyMs ?? 20, idleMs: opts.idleMs ?? 250 } },
    opts.workerFile,
  );
  if (started instanceof Error) {
    log(`checkpoints: no thread of their own (${started.message}); the engine's thread makes them`);
    return { stop: async () => {} };
  }
  const worker = started;
  worker.unref();
  db.pragma(`wal_autocheckpoint = ${BACKSTOP_AUTOCHECKPOINT}`);
  let stopping = false;
  const backToOwner = () => {
    if (db.open) db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`);
  };
  const ended = new Promise<void>((resolve) => {
    worker.on('message', (a: CheckpointAnswer) => {
      if (a.kind === 'failed')
        log(`checkpoints: the thread stopped (${a.code || a.message}); the engine's thread makes them again`);
    });
    worker.once('error', (e) =>
      log(`checkpoints: the thread stopped (${e.message}); the engine's thread makes them again`),
    );
    worker.once('exit', () => {
      if (!stopping) backToOwner();
      resolve();
    });
  });
  return {
    async stop() {
      if (stopping) return ended;
      stopping = true;
      backToOwner();
      // held while its answer comes: unref'd, a process with nothing else to do would end first
      worker.ref();
      worker.postMessage('stop');
      return ended;
    },
  };
}

/** The WAL size past which an owner's checkpoints go to their thread (256 pages of 4 KB). */
export const BUSY_WAL_BYTES = 1024 * 1024;
/** How often the WAL's size is looked at until then. */
export const BUSY_LOOK_MS = 250;

/**
 * The checkpoint thread, started once the owner writes in volume: when its WAL file has grown past
 * `bytes` (looked at every `everyMs`, a stat). Starting the thread costs ~100 ms of CPU (the
 * thread, its modules, better-sqlite3); an owner that writes a few pages (a test, a short send, a
 * settings change) checkpoints in its commits as before and never pays it. A bulk send or an
 * import passes 1 MB within a fraction of a second, well before SQLite's own first checkpoint at
 * 1,000 pages.
 */
export function checkpointsOnceBusy(
  db: DB,
  file: string,
  log: (line: string) => void,
  opts: { bytes?: number; everyMs?: number; workerFile?: string | null; busyMs?: number; idleMs?: number } = {},
): Checkpoints {
  let started: Checkpoints | null = null;
  const wal = `${file}-wal`;
  const timer = setInterval(() => {
    let size = 0;
    try {
      size = fs.statSync(wal).size;
    } catch {
      /* no WAL yet */
    }
    if (size < (opts.bytes ?? BUSY_WAL_BYTES)) return;
    clearInterval(timer);
    started = startCheckpoints(db, file, log, opts);
  }, opts.everyMs ?? BUSY_LOOK_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await started?.stop();
    },
  };
}

/**
 * Every campaign sending or scheduled is paused with the sentence naming the backup; their ids.
 * A ledger too damaged to take even that write still has its sending stopped by the engine.
 */
export function pauseForDamage(db: DB, damage: DatabaseCorruptError, log: (line: string) => void): number[] {
  try {
    return createLifecycle(db).pauseAll(damage.message, DAMAGED_PAUSE_CODE);
  } catch (e) {
    if (!isCorruption(e)) throw e;
    log(`page check: could not pause the campaigns (${(e as Error).message})`);
    return [];
  }
}
