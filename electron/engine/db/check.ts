import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DB } from './open.ts';
import type { CheckAnswer, CopyAnswer } from './check-worker.ts';
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
  const workerFile = opts.workerFile === undefined ? checkWorkerFile() : opts.workerFile;
  let worker: Worker;
  try {
    if (!workerFile) throw new Error('its script is not beside the engine');
    worker = new Worker(workerFile, { workerData: { file } });
  } catch (e) {
    log(`page check: could not start (${(e as Error).message}); it is tried again at the next start`);
    return Promise.resolve(null);
  }
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
  const workerFile = opts.workerFile === undefined ? checkWorkerFile() : opts.workerFile;
  let worker: Worker;
  try {
    if (!workerFile) return Promise.resolve(null);
    worker = new Worker(workerFile, { workerData: { file, copyTo: dest } });
  } catch {
    return Promise.resolve(null);
  }
  return new Promise((resolve, reject) => {
    worker.once('message', (a: CopyAnswer) => {
      if (a.kind === 'copied') resolve({ file: dest, bytes: a.bytes });
      else reject(Object.assign(new Error(a.message), { code: a.code }));
    });
    worker.once('error', reject);
    worker.once('exit', () => reject(new Error('the backup thread ended without an answer')));
  });
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
