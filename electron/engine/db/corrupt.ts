import Database from 'better-sqlite3';
import path from 'node:path';
import { backupsDir } from '../paths.ts';
import { backupWhen, listBackups } from './backup.ts';

/** SQLite's own words for a file whose pages do not hold a database (any more). */
export function isCorruption(e: unknown): boolean {
  const code = String((e as { code?: unknown })?.code ?? '');
  return /^SQLITE_(CORRUPT|NOTADB)/.test(code);
}

function why(e: unknown): string {
  const code = String((e as { code?: unknown })?.code ?? '');
  if (code === 'EMPTY') return 'it is empty, though backups of it exist';
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
