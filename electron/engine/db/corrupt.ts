import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { backupsDir, PRIVATE_FILE_MODE } from '../paths.ts';
import { backupWhen, listBackups } from './backup.ts';

/** SQLite's own words for a file whose pages do not hold a database (any more). */
export function isCorruption(e: unknown): boolean {
  const code = String((e as { code?: unknown })?.code ?? '');
  return /^SQLITE_(CORRUPT|NOTADB)/.test(code);
}

function why(e: unknown): string {
  const code = String((e as { code?: unknown })?.code ?? '');
  if (code === 'EMPTY') return 'it is empty, though backups of it exist';
  if (code === 'SHORT') return 'it is shorter than its own header says (cut off by a copy, a sync or a full disk)';
  if (code.startsWith('SQLITE_NOTADB')) return 'it is not a database file, or its first page is overwritten';
  return 'parts of it are unreadable';
}

/**
 * The ledger cannot be read. The sentence names the newest backup and how to bring it back;
 * `backup` is what the app offers on its Restore button (the host passes only the code across
 * threads, so the app looks the backup up again in the same folder: see electron/restore.ts).
 */
export class DatabaseCorruptError extends Error {
  readonly code = 'DB_CORRUPT';
  readonly backup: { file: string; at: number; when: string } | null;
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    const dataDir = path.dirname(file);
    const newest = listBackups(dataDir)[0] ?? null;
    const raw = String((cause as Error)?.message ?? '')
      .replace(/\*\*\* in database \w+ \*\*\*/g, '')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 160);
    const sqlite = raw ? ` (SQLite: "${raw}")` : '';
    super(
      newest
        ? `The data file ${file} is damaged: ${why(cause)}${sqlite}. Restore the newest backup, from ${backupWhen(newest.at)} (${newest.name}), with the Restore button or \`smsdesk restore --latest\`; the damaged file is kept aside, not deleted.`
        : `The data file ${file} is damaged: ${why(cause)}${sqlite}, and there is no backup in ${backupsDir(dataDir)}. Restore a copy you made with \`smsdesk restore --from FILE\`, or move the damaged file away to start with an empty ledger.`,
    );
    this.backup = newest ? { file: newest.file, at: newest.at, when: backupWhen(newest.at) } : null;
  }
}

/**
 * A file shorter than its header says: a copy, a sync or a full disk cut it off. Found at open from
 * the first 100 bytes, instead of when a read reaches the missing pages. Only for a ledger with an
 * empty WAL and no rollback journal: a checkpoint or a commit cut off by a crash can leave the
 * header ahead of the file, and SQLite finishes (or undoes) it from those at open.
 */
export function cutShort(file: string): boolean {
  for (const beside of [`${file}-wal`, `${file}-journal`]) {
    try {
      if (fs.statSync(beside).size > 0) return false;
    } catch {
      /* not there: the file is the whole ledger */
    }
  }
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return false; // SQLite's open says what is wrong
  }
  try {
    const h = Buffer.alloc(100);
    if (fs.readSync(fd, h, 0, 100, 0) < 100 || h.toString('latin1', 0, 16) !== 'SQLite format 3\0') return false;
    const pageSize = h.readUInt16BE(16) === 1 ? 65536 : h.readUInt16BE(16);
    // the header's page count is trusted only while its change counter matches (SQLite's own rule)
    if (h.readUInt32BE(24) !== h.readUInt32BE(92)) return false;
    return h.readUInt32BE(28) * pageSize > fs.fstatSync(fd).size;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Left beside the ledger when the check after start (db/check.ts) found damage: the next writing
 * open checks every page first, as it did on every start before, so the app offers the backup at
 * once. A file that then passes (a restored backup) loses the mark.
 */
export const damageMark = (file: string): string => `${file}.damaged`;

export function markDamaged(file: string, problem: string, at = Date.now()): void {
  try {
    fs.writeFileSync(damageMark(file), JSON.stringify({ at, problem }), { mode: PRIVATE_FILE_MODE });
  } catch {
    /* a folder that cannot take this small file cannot take the ledger's writes either: the check repeats */
  }
}

export function damageMarked(file: string): boolean {
  return fs.existsSync(damageMark(file));
}

export function clearDamageMark(file: string): void {
  fs.rmSync(damageMark(file), { force: true });
}

export interface FileCheck {
  ok: boolean;
  version: number | null;
  problem: string | null;
}

/**
 * Opens a copy we own and may change (it is made standalone: its WAL, if any, is folded in) and
 * checks every page. Used on a backup before it replaces anything.
 */
export function checkCopy(file: string, latest: number): FileCheck {
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { fileMustExist: true });
    const version = db.pragma('user_version', { simple: true }) as number;
    const rows = db.pragma('integrity_check') as Array<{ integrity_check: string }>;
    const bad = rows.map((r) => r.integrity_check).filter((r) => r !== 'ok');
    if (bad.length) return { ok: false, version, problem: `${bad.length} problem(s), first: ${bad[0]}` };
    if (version > latest)
      return {
        ok: false,
        version,
        problem: `it was written by a newer SMS Desk (schema ${version}; this one knows up to ${latest})`,
      };
    const ours = db
      .prepare(
        `SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('campaigns', 'messages', 'batches')`,
      )
      .get() as { n: number };
    if (ours.n !== 3) return { ok: false, version, problem: 'it is a database, but not an SMS Desk ledger' };
    db.pragma('journal_mode = DELETE');
    return { ok: true, version, problem: null };
  } catch (e) {
    return {
      ok: false,
      version: null,
      problem: isCorruption(e) ? `it is damaged (SQLite: "${(e as Error).message}")` : (e as Error).message,
    };
  } finally {
    db?.close();
  }
}
