import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { migrations, LATEST_VERSION, type Migration } from './migrations.ts';
import { ensurePrivateDir, PRIVATE_FILE_MODE, tighten } from '../paths.ts';
import { copyBeforeMigration, listBackups } from './backup.ts';
import { clearDamageMark, cutShort, damageMarked, DatabaseCorruptError, isCorruption } from './corrupt.ts';

export type DB = Database.Database;

export class DatabaseTooNewError extends Error {
  readonly code = 'DB_TOO_NEW';
  constructor(file: string, found: number) {
    super(
      `The data file ${file} was written by a newer version of SMS Desk (schema ${found}, this version knows up to ${LATEST_VERSION}). Install the newer SMS Desk, or choose another data folder.`,
    );
  }
}

/**
 * Opens (creating if needed) the ledger, in WAL mode, and brings its schema up to date.
 * Each migration runs in its own transaction together with the user_version bump, so a crash
 * mid-migration leaves the file at the previous version, still openable.
 */
export class DataFileError extends Error {
  readonly code = 'STORAGE';
}

/** A read-only or full disk, a missing permission: one sentence with what to do, not SQLite's words. */
function cannotOpen(file: string, e: unknown): Error {
  const code = String((e as { code?: unknown })?.code ?? '');
  const why = /FULL|ENOSPC/.test(code)
    ? 'the disk is full'
    : /READONLY|EROFS|EACCES|EPERM|CANTOPEN|ENOENT/.test(code)
      ? 'the folder is read-only or cannot be created'
      : `it cannot be read or written (${code || (e as Error).message})`;
  return new DataFileError(
    `SMS Desk cannot open its data file ${file}: ${why}. Make the folder writable (or free some space), or choose another data folder.`,
  );
}

/** Creates the file for the user only (SQLite gives -wal and -shm the mode of the database file). */
function preparePrivateFile(file: string): void {
  ensurePrivateDir(path.dirname(file));
  try {
    fs.writeFileSync(file, '', { mode: PRIVATE_FILE_MODE, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    // SQLite takes an empty file for a new ledger; after backups were made, it is one cut to nothing
    if (fs.statSync(file).size === 0 && listBackups(path.dirname(file)).length)
      throw new DatabaseCorruptError(file, { code: 'EMPTY' });
    for (const f of [file, `${file}-wal`, `${file}-shm`]) tighten(f);
  }
}

/**
 * Every open reads the header and the whole schema, and a writer compares the file's length with
 * its header: a file that is not a database, has its first pages overwritten or is cut short is
 * refused at once with the sentence naming the backup (db/corrupt.ts). Reading every page (PRAGMA
 * quick_check, ~1.3 ms per MB: 0.4 s on a 1M-message ledger) is not done here any more: the
 * owner's engine runs it after start, in a thread of its own (db/check.ts). `check: true` still
 * does it here, and so does a writer when that check found damage last time (damageMarked).
 */
export function openDatabase(file: string, opts: { readonly?: boolean; check?: boolean } = {}): DB {
  let db: DB;
  try {
    if (file !== ':memory:' && !opts.readonly) {
      preparePrivateFile(file);
      if (cutShort(file)) throw new DatabaseCorruptError(file, { code: 'SHORT' });
    }
    db = new Database(file, { readonly: opts.readonly ?? false, timeout: 5000 });
  } catch (e) {
    if (e instanceof DatabaseCorruptError) throw e;
    throw cannotOpen(file, e);
  }
  try {
    // Check the version before anything writes to the file: a newer database stays untouched.
    const found = db.pragma('user_version', { simple: true }) as number;
    if (found > LATEST_VERSION) throw new DatabaseTooNewError(file, found);
    // the schema, read whole: a damaged one fails every statement after it
    db.prepare('SELECT count(*) FROM sqlite_master').pluck().get();
    const marked = file !== ':memory:' && !opts.readonly && damageMarked(file);
    if (file !== ':memory:' && (opts.check ?? marked)) {
      const problems = (db.pragma('quick_check(5)') as Array<{ quick_check: string }>)
        .map((r) => r.quick_check)
        .filter((r) => r !== 'ok');
      if (problems.length) throw Object.assign(new Error(problems[0]!), { code: 'SQLITE_CORRUPT' });
      if (marked) clearDamageMark(file);
    }
    // A file that needs a migration is copied first: a migration that goes wrong has a way back.
    if (file !== ':memory:' && !opts.readonly && found > 0 && found < LATEST_VERSION)
      copyBeforeMigration(db, path.dirname(file), found);
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      // 64 MB of page cache: a million-row import or campaign touches many index pages (~25 % faster).
      db.pragma('cache_size = -65536');
    }
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // A reader (a second process beside the folder's owner) never writes, not even a migration.
    if (opts.readonly && found < LATEST_VERSION)
      throw new DataFileError(
        `The data file ${file} has not been brought up to date yet (schema ${found} of ${LATEST_VERSION}); only the SMS Desk process that owns the folder can do it. Try again once it has started.`,
      );
    if (!opts.readonly) migrate(db, file);
  } catch (e) {
    db.close();
    if (e instanceof DatabaseTooNewError) throw e;
    if (isCorruption(e)) throw new DatabaseCorruptError(file, e);
    const code = String((e as { code?: unknown })?.code ?? '');
    if (/^SQLITE_(FULL|READONLY|CANTOPEN|IOERR)/.test(code)) throw cannotOpen(file, e);
    throw e;
  }
  return db;
}

/** Each migration in its own transaction: a crash inside one leaves the file at the one before. */
export function migrate(db: DB, file = 'database', list: readonly Migration[] = migrations): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = list === migrations ? LATEST_VERSION : (list[list.length - 1]?.version ?? 0);
  if (current > latest) throw new DatabaseTooNewError(file, current);
  for (const m of list) {
    if (m.version <= current) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}
