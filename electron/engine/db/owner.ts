import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase, type DB } from './open.ts';
import { LATEST_VERSION } from './migrations.ts';
import { ensurePrivateDir, ensurePrivateFile, PRIVATE_FILE_MODE } from '../paths.ts';

/**
 * One owner per data folder. The owner is the only process that writes the ledger, runs the
 * start-up recovery and talks to the gateway, so two windows can never split the rate limit or
 * take each other's request in flight for an interrupted one.
 *
 * The lock is SQLite's own file lock on a small separate file (owner.lock): a transaction begun
 * with BEGIN EXCLUSIVE and never ended holds the POSIX fcntl lock (LockFileEx on Windows) for as
 * long as the connection is open. The operating system drops it when the process dies, however
 * it dies (SIGKILL, power cut), so there is no stale lock to clean up. Nothing is ever written to
 * that file, so it never has a journal to roll back. SQLite tracks these locks per inode inside a
 * process too, so a second engine in the same process (a test, a restarted worker) also sees it held.
 *
 * An exclusive lock also keeps others from reading the lock file, so who holds it is written
 * beside it, in owner.json (pid, since, what). That record is only a description: the lock is the
 * truth, and a record whose process is gone is ignored.
 */

export const LOCK_FILE = 'owner.lock';
export const INFO_FILE = 'owner.json';

export interface OwnerInfo {
  pid: number;
  /** epoch ms the lock was taken */
  since: number;
  /** what holds it, for the sentence: "smsdesk send", "SMS Desk app", … */
  what: string;
  /** true for owners that stay (the app, web mode, send --wait): nobody waits for them to end */
  long: boolean;
}

export interface OwnerLock {
  readonly info: OwnerInfo;
  /** drops the lock (and its record); idempotent */
  release(): void;
}

export type Claim = { lock: OwnerLock; holder: null } | { lock: null; holder: OwnerInfo | null };

/** A command that would change state while another process owns the folder. */
export class FolderBusyError extends Error {
  readonly code = 'FOLDER_BUSY';
  constructor(
    readonly holder: OwnerInfo | null,
    detail?: string,
  ) {
    super(detail ?? ownerSentence(holder));
  }
}

function hhmm(t: number): string {
  const d = new Date(t);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** Who owns the folder, and what to do about it, in one sentence. */
export function ownerSentence(holder: OwnerInfo | null): string {
  if (!holder) return 'Another SMS Desk process is using this data folder; use that window or stop it first.';
  const doing = /\bsend\b/.test(holder.what) ? 'sending from' : 'using';
  return `SMS Desk is ${doing} this folder: process ${holder.pid} (${holder.what}), since ${hhmm(holder.since)}; use that window or stop it first.`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The record of the current holder, or null when there is none (or it belongs to a dead process). */
export function readOwnerInfo(dataDir: string): OwnerInfo | null {
  try {
    const v = JSON.parse(fs.readFileSync(path.join(dataDir, INFO_FILE), 'utf8')) as Partial<OwnerInfo>;
    if (typeof v.pid !== 'number' || typeof v.since !== 'number' || typeof v.what !== 'string') return null;
    if (!alive(v.pid)) return null;
    return { pid: v.pid, since: v.since, what: v.what, long: v.long === true };
  } catch {
    return null;
  }
}

function isBusy(e: unknown): boolean {
  return /^SQLITE_(BUSY|LOCKED)/.test(String((e as { code?: unknown })?.code ?? ''));
}

/** One attempt: the lock, or null when someone holds it. Other errors (read-only folder) throw. */
function tryLock(dataDir: string, what: string, long: boolean, now: number): OwnerLock | null {
  ensurePrivateDir(dataDir);
  ensurePrivateFile(path.join(dataDir, LOCK_FILE));
  const db = new Database(path.join(dataDir, LOCK_FILE), { timeout: 0 });
  try {
    db.exec('BEGIN EXCLUSIVE');
  } catch (e) {
    db.close();
    if (isBusy(e)) return null;
    throw e;
  }
  const info: OwnerInfo = { pid: process.pid, since: now, what, long };
  const infoFile = path.join(dataDir, INFO_FILE);
  try {
    // Written whole then renamed: a reader never sees half a record.
    const tmp = `${infoFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(info), { mode: PRIVATE_FILE_MODE });
    fs.renameSync(tmp, infoFile);
  } catch {
    /* the record is a courtesy; the lock alone keeps others out */
  }
  let held = true;
  return {
    info,
    release() {
      if (!held) return;
      held = false;
      // The record goes first: while the lock is still held, a newcomer finding no record waits.
      try {
        if (readOwnerInfo(dataDir)?.pid === process.pid) fs.rmSync(infoFile, { force: true });
      } catch {
        /* best effort */
      }
      db.close();
    },
  };
}

/**
 * Takes the folder if it is free. When it is held by a short command (a `status`, a `config set`)
 * the claim waits up to waitMs for it to end; a long-lived owner is reported at once.
 */
export async function claimFolder(
  dataDir: string,
  opts: { what: string; long: boolean; waitMs?: number; now?: () => number },
): Promise<Claim> {
  const now = opts.now ?? Date.now;
  const deadline = Date.now() + (opts.waitMs ?? 0);
  for (;;) {
    const lock = tryLock(dataDir, opts.what, opts.long, now());
    if (lock) return { lock, holder: null };
    const holder = readOwnerInfo(dataDir);
    // A holder in this very process is an engine closing (a worker being replaced): wait for it.
    if ((holder && holder.long && holder.pid !== process.pid) || Date.now() >= deadline) return { lock: null, holder };
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The ledger for a process that does not own the folder: read-only, no recovery, no migration.
 * The WAL's -shm/-wal are made by SQLite when the folder is writable; when they cannot be, the
 * open fails with openDatabase's sentence.
 */
export function openReader(file: string, holder: OwnerInfo | null): DB {
  const notReady = () =>
    new FolderBusyError(
      holder,
      `Another SMS Desk process${holder ? ` (process ${holder.pid}, ${holder.what})` : ''} is setting up this data folder; try again in a moment.`,
    );
  if (!fs.existsSync(file)) throw notReady();
  // A file the owner has only just created (or is migrating) is not one to read yet.
  let version = LATEST_VERSION;
  try {
    const peek = new Database(file, { readonly: true, fileMustExist: true });
    try {
      version = peek.pragma('user_version', { simple: true }) as number;
    } finally {
      peek.close();
    }
  } catch {
    /* openDatabase below says what is wrong with it */
  }
  if (version < LATEST_VERSION) throw notReady();
  return openDatabase(file, { readonly: true });
}

/** How long a reader waits for an owner that is still setting the folder up (a first start). */
const READY_WAIT_MS = 3000;

/**
 * The folder for one engine: owned (the lock, the ledger read-write) when it is free, else read
 * only, or refused for an engine that must write. A reader that finds the ledger not made yet (four
 * commands started at once in a new folder) waits a moment for the owner instead of failing.
 */
export async function openFolder(
  dataDir: string,
  file: string,
  want: { what: string; long: boolean; need: 'write' | 'auto'; waitMs?: number },
): Promise<{ lock: OwnerLock | null; holder: OwnerInfo | null; db: DB }> {
  const readyBy = Date.now() + READY_WAIT_MS;
  for (;;) {
    const { lock, holder } = await claimFolder(dataDir, {
      what: want.what,
      long: want.long,
      waitMs: want.waitMs ?? (want.need === 'write' ? 3000 : 0),
    })
      // A folder that cannot hold the lock file cannot hold the ledger either: openDatabase says why.
      .catch((e) => {
        openDatabase(file).close();
        throw e;
      });
    if (lock) {
      try {
        return { lock, holder: null, db: openDatabase(file) };
      } catch (e) {
        lock.release();
        throw e;
      }
    }
    if (want.need === 'write') throw new FolderBusyError(holder);
    try {
      return { lock: null, holder, db: openReader(file, holder) };
    } catch (e) {
      if (!(e instanceof FolderBusyError) || Date.now() >= readyBy) throw e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
