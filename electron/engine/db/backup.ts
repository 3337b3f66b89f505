import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import type { DB } from './open.ts';
import { backupsDir, ensurePrivateDir, PRIVATE_FILE_MODE } from '../paths.ts';

/**
 * Copies of the ledger in `<data folder>/backups`, named with their time (UTC) and schema version:
 * one a day while the engine runs, and one before any migration touches an older file.
 *
 * Daily copies use SQLite's online backup (better-sqlite3's db.backup()). The engine's are made in
 * the check's worker thread (db/check.ts copyInWorker), the whole file in one step from a read-only
 * connection: a snapshot, whatever the owner writes meanwhile, and the copy's final sync (tens of
 * ms on a big ledger) never holds up the send loop. Without a worker, `backupTo` on the engine's
 * own connection copies a hundred pages per event-loop turn, and every write made meanwhile lands
 * in the copy too. VACUUM INTO would write a smaller file but is one synchronous statement: close
 * to a second on a 170 MB ledger with sending stopped.
 * The copy before a migration does use VACUUM INTO: nothing runs yet at that point, and the
 * migration must not start before the copy is complete.
 */

export type BackupKind = 'daily' | 'before-migration';
export interface BackupInfo {
  file: string;
  name: string;
  at: number;
  version: number;
  kind: BackupKind;
  bytes: number;
}

export const DAY_MS = 24 * 3600_000;
const NAME = /^smsdesk-(\d{4}-\d{2}-\d{2})-(\d{2})(\d{2})(\d{2})-v(\d+)(-before-migration)?(?:-(\d+))?\.db$/;

export function backupName(at: number, version: number, kind: BackupKind, n = 0): string {
  const iso = new Date(at).toISOString();
  const t = `${iso.slice(0, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
  return `smsdesk-${t}-v${version}${kind === 'before-migration' ? '-before-migration' : ''}${n ? `-${n}` : ''}.db`;
}

export function parseBackupName(name: string): { at: number; version: number; kind: BackupKind } | null {
  const m = NAME.exec(name);
  if (!m) return null;
  const at = Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4]}Z`);
  if (!Number.isFinite(at)) return null;
  return { at, version: Number(m[5]), kind: m[6] ? 'before-migration' : 'daily' };
}

/** Newest first. */
export function listBackups(dataDir: string): BackupInfo[] {
  const dir = backupsDir(dataDir);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const out: BackupInfo[] = [];
  for (const name of names) {
    const p = parseBackupName(name);
    if (!p) continue;
    const file = path.join(dir, name);
    let bytes: number;
    try {
      bytes = fs.statSync(file).size;
    } catch {
      continue;
    }
    out.push({ file, name, bytes, ...p });
  }
  return out.sort((a, b) => b.at - a.at || (a.name < b.name ? 1 : -1));
}

/** How a backup is named to the user: its time, to the minute, in UTC (the app, the command and the file name agree). */
export function backupWhen(at: number): string {
  const iso = new Date(at).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function freeName(dataDir: string, at: number, version: number, kind: BackupKind): string {
  const dir = backupsDir(dataDir);
  for (let n = 0; ; n++) {
    const file = path.join(dir, backupName(at, version, kind, n));
    if (!fs.existsSync(file)) return file;
  }
}

/** An empty file only the user can read: SQLite (backup, VACUUM INTO) fills it and keeps its mode. */
function privateEmpty(file: string): void {
  fs.rmSync(file, { force: true });
  fs.writeFileSync(file, '', { mode: PRIVATE_FILE_MODE, flag: 'wx' });
}

function removeCopy(file: string): void {
  for (const f of [file, `${file}-journal`, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
}

/**
 * A finished copy stands alone: the online backup copies the WAL flag of page 1, and a WAL file
 * cannot be opened read-only without its -shm beside it.
 */
function standalone(file: string): void {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = DELETE');
  } finally {
    db.close();
  }
}

/**
 * Online backup of an open ledger to `dest` (through a temporary file renamed at the end, so a
 * half-made copy never carries a backup's name). `stepPages` pages per event-loop turn: small on the
 * engine's own connection (sending goes on between steps), all at once from another connection,
 * where any write by the owner between steps would restart the copy.
 */
export async function backupTo(
  db: DB,
  dest: string,
  opts: { stepPages?: number } = {},
): Promise<{ file: string; bytes: number }> {
  const tmp = `${dest}.${process.pid}.partial`;
  privateEmpty(tmp);
  try {
    const step = opts.stepPages ?? 100;
    await db.backup(tmp, { progress: () => step });
    standalone(tmp);
    fs.renameSync(tmp, dest);
  } catch (e) {
    removeCopy(tmp);
    throw e;
  }
  return { file: dest, bytes: fs.statSync(dest).size };
}

/** Deletes the oldest backups beyond `keep` (only files named like ours). */
export function pruneBackups(dataDir: string, keep: number): string[] {
  const gone: string[] = [];
  for (const b of listBackups(dataDir).slice(Math.max(1, keep))) {
    try {
      fs.rmSync(b.file);
      gone.push(b.file);
    } catch {
      /* in use elsewhere (Windows): next time */
    }
  }
  return gone;
}

/** The copy of a file that is about to be migrated, with its old schema version in the name. */
export function copyBeforeMigration(db: DB, dataDir: string, version: number, now = Date.now()): BackupInfo {
  ensurePrivateDir(backupsDir(dataDir));
  const file = freeName(dataDir, now, version, 'before-migration');
  const tmp = `${file}.${process.pid}.partial`;
  privateEmpty(tmp);
  try {
    db.prepare('VACUUM INTO ?').run(tmp);
    fs.renameSync(tmp, file);
  } catch (e) {
    removeCopy(tmp);
    throw e;
  }
  return { file, name: path.basename(file), at: now, version, kind: 'before-migration', bytes: fs.statSync(file).size };
}

/** Copies cut off by a crash or a kill mid-backup (only the folder's owner makes backups, so none is in progress). */
function removePartials(dataDir: string): void {
  let names: string[] = [];
  try {
    names = fs.readdirSync(backupsDir(dataDir));
  } catch {
    return;
  }
  for (const n of names)
    if (/\.partial(-journal|-wal|-shm)?$/.test(n)) fs.rmSync(path.join(backupsDir(dataDir), n), { force: true });
}

export interface BackupScheduler {
  /** makes a backup now if the newest is a day old (or there is none), then checks again every `checkEveryMs` */
  start(): void;
  /** the backup running now (if any) resolves before this does: the database can then be closed */
  stop(): Promise<void>;
  /** one backup now, whatever the age of the newest (tests, and before a risky step) */
  runNow(): Promise<BackupInfo>;
  /** resolves once no backup is being made (a failed one included) */
  idle(): Promise<void>;
}

export function createBackupScheduler(deps: {
  db: DB;
  dataDir: string;
  now: () => number;
  keep: () => number;
  version: () => number;
  log: (line: string) => void;
  /** how often the age of the newest backup is looked at while running (default: hourly) */
  checkEveryMs?: number;
  /**
   * makes the copy (default: backupTo on `db`, a hundred pages per turn); the engine's copies it in
   * a worker thread (db/check.ts copyInWorker), null when none could start
   */
  copy?: (dest: string) => Promise<{ file: string; bytes: number } | null>;
}): BackupScheduler {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<BackupInfo | null> | null = null;
  let stopped = false;

  async function make(): Promise<BackupInfo> {
    ensurePrivateDir(backupsDir(deps.dataDir));
    const at = deps.now();
    const version = deps.version();
    const file = freeName(deps.dataDir, at, version, 'daily');
    const r = (await deps.copy?.(file)) ?? (await backupTo(deps.db, file));
    const gone = pruneBackups(deps.dataDir, deps.keep());
    deps.log(`backup: ${r.file} (${r.bytes} bytes)${gone.length ? `; ${gone.length} older backup(s) removed` : ''}`);
    return { file, name: path.basename(file), at, version, kind: 'daily', bytes: r.bytes };
  }

  function run(force: boolean): Promise<BackupInfo | null> {
    if (running) return running;
    const newest = listBackups(deps.dataDir).find((b) => b.kind === 'daily');
    if (!force && newest && deps.now() - newest.at < DAY_MS) return Promise.resolve(null);
    running = make()
      .catch((e: Error) => {
        // a failed backup must never stop sending: say so, try again at the next check
        deps.log(`backup failed: ${e.message}`);
        if (force) throw e;
        return null;
      })
      .finally(() => {
        running = null;
      });
    return running;
  }

  return {
    start() {
      if (timer || stopped) return;
      removePartials(deps.dataDir);
      void run(false);
      timer = setInterval(() => {
        if (!stopped) void run(false);
      }, deps.checkEveryMs ?? 3600_000);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      await running?.catch(() => null);
    },
    async runNow() {
      if (running) await running.catch(() => null);
      return (await run(true))!;
    },
    async idle() {
      await running?.catch(() => null);
    },
  };
}

/**
 * `smsdesk backup --out FILE`: a copy of the ledger in `dataDir` while the app may be sending from
 * it (a read-only connection; WAL readers never hold up the writer). The whole file is copied in
 * one step: between small steps the app's writes would restart the copy again and again.
 */
export async function backupFile(
  dbFile: string,
  dest: string,
  opts: { force?: boolean } = {},
): Promise<{ file: string; bytes: number }> {
  const out = path.resolve(dest);
  if (path.resolve(dbFile) === out)
    throw Object.assign(new Error(`${out} is the ledger itself; write the backup to another file.`), {
      code: 'BAD_INPUT',
    });
  if (fs.existsSync(out) && !opts.force)
    throw Object.assign(new Error(`${out} already exists; choose another file, or add --force to overwrite it.`), {
      code: 'EXISTS',
    });
  if (!fs.existsSync(dbFile))
    throw Object.assign(new Error(`There is no ledger at ${dbFile} to back up; check --data-dir.`), {
      code: 'NOT_FOUND',
    });
  if (!fs.existsSync(path.dirname(out)))
    throw Object.assign(
      new Error(`The folder ${path.dirname(out)} does not exist; create it first or choose another place.`),
      { code: 'NOT_FOUND' },
    );
  const db = new Database(dbFile, { readonly: true, fileMustExist: true, timeout: 5000 });
  try {
    // a copy of a damaged ledger would pass for a good one: refuse before anything is written
    const problem = db.pragma('quick_check(1)', { simple: true }) as string;
    if (problem !== 'ok') throw Object.assign(new Error(problem), { code: 'SQLITE_CORRUPT' });
    return await backupTo(db, out, { stepPages: 0x7fffffff });
  } finally {
    db.close();
  }
}
