import fs from 'node:fs';
import path from 'node:path';
import { databaseFile, PRIVATE_FILE_MODE } from '../paths.ts';
import { UserError } from '../errors.ts';
import { backupWhen, listBackups, parseBackupName } from './backup.ts';
import { checkCopy } from './corrupt.ts';
import { LATEST_VERSION } from './migrations.ts';
import { openDatabase } from './open.ts';
import { createLifecycle } from '../campaigns/lifecycle.ts';
import type { PauseCode } from '../../../shared/lifecycle.ts';
import { claimFolder, FolderBusyError, ownerSentence } from './owner.ts';

export interface RestoreResult {
  /** the backup that is now the ledger */
  from: string;
  /** its time when it is one of ours (from its name), else the file's modification time */
  at: number;
  /** where the replaced ledger (and its -wal / -shm) now lie: never deleted */
  keptAs: string[];
  /** campaigns that were sending or scheduled in the backup, now paused for the user to check */
  paused: number;
  message: string;
}

export const RESTORE_PAUSE_CODE: PauseCode = 'restore';

function stamp(t: number): string {
  const iso = new Date(t).toISOString();
  return `${iso.slice(0, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}

/** The newest backup, or the file given; a UserError saying what to do when there is none. */
export function pickBackup(dataDir: string, from?: string): { file: string; at: number } {
  if (from) {
    const file = path.resolve(from);
    if (!fs.existsSync(file))
      throw new UserError('NOT_FOUND', `There is no file ${file} to restore; \`smsdesk restore\` lists the backups.`);
    const named = parseBackupName(path.basename(file));
    return { file, at: named?.at ?? fs.statSync(file).mtimeMs };
  }
  const newest = listBackups(dataDir)[0];
  if (!newest)
    throw new UserError(
      'NO_BACKUP',
      `There is no backup in ${path.join(dataDir, 'backups')}; restore a copy you made with \`smsdesk restore --from FILE\`.`,
    );
  return { file: newest.file, at: newest.at };
}

/**
 * Puts a backup in place of the ledger. The backup is copied and every page of the copy checked
 * before anything is moved; the ledger it replaces is renamed (smsdesk.db.broken-<time>, or
 * .replaced-<time> when it was readable), never deleted.
 *
 * A backup is the ledger as it was at its time: whatever was sent after that is not in it. Those
 * recipients are queued again in the restored ledger, so every campaign that was sending is
 * paused, with a reason saying so, and sends again only when the user resumes it.
 *
 * Must run while no process has the data folder open (the app or a command sending from it):
 * the caller holds the folder's owner lock (restoreWithLock).
 */
export function restoreBackup(dataDir: string, opts: { from?: string; now?: number } = {}): RestoreResult {
  const now = opts.now ?? Date.now();
  const src = pickBackup(dataDir, opts.from);
  const target = databaseFile(dataDir);
  if (path.resolve(src.file) === path.resolve(target))
    throw new UserError('BAD_INPUT', `${target} is the ledger itself; name a backup to restore.`);
  const tmp = `${target}.restoring-${process.pid}`;
  const copies = [tmp, `${tmp}-wal`, `${tmp}-shm`, `${tmp}-journal`];
  for (const f of copies) fs.rmSync(f, { force: true });
  try {
    fs.copyFileSync(src.file, tmp);
    fs.chmodSync(tmp, PRIVATE_FILE_MODE);
    // a copy of a ledger taken with its -wal beside it: the WAL holds its latest commits
    if (fs.existsSync(`${src.file}-wal`)) {
      fs.copyFileSync(`${src.file}-wal`, `${tmp}-wal`);
      fs.chmodSync(`${tmp}-wal`, PRIVATE_FILE_MODE);
    }
    const check = checkCopy(tmp, LATEST_VERSION);
    if (!check.ok) {
      const older = listBackups(dataDir).filter((b) => b.at < src.at)[0];
      throw new UserError(
        'BACKUP_DAMAGED',
        `The backup ${src.file} cannot be restored: ${check.problem}; nothing was changed.${older ? ` Try the one from ${backupWhen(older.at)}: \`smsdesk restore --from ${older.file}\`.` : ''}`,
      );
    }

    const keptAs: string[] = [];
    let readable = false;
    if (fs.existsSync(target)) {
      readable = checkCopyInPlace(target);
      const aside = `${target}.${readable ? 'replaced' : 'broken'}-${stamp(now)}`;
      for (const suffix of ['', '-wal', '-shm']) {
        if (!fs.existsSync(target + suffix)) continue;
        fs.renameSync(target + suffix, aside + suffix);
        keptAs.push(aside + suffix);
      }
    }
    fs.renameSync(tmp, target);

    // Opening it brings an older schema up to date (a copy of it is made first) and turns WAL back on.
    const db = openDatabase(target);
    let paused = 0;
    try {
      paused = createLifecycle(db).pauseAllForRestore(
        `Restored from the backup of ${backupWhen(src.at)}: recipients sent to after it are queued again and would get the message twice. Check the delivery reports, then resume.`,
      );
    } finally {
      db.close();
    }
    const message =
      `Restored the backup from ${backupWhen(src.at)} (${src.file}).` +
      (keptAs.length ? ` The ${readable ? 'replaced' : 'damaged'} data file is kept as ${keptAs[0]}.` : '') +
      ` Anything done after ${backupWhen(src.at)} is not in it: messages sent after that time are queued again, so ${paused ? `${paused} campaign(s) that were sending are paused; check what already went out before resuming them` : 'check what already went out before sending again'}.`;
    return { from: src.file, at: src.at, keptAs, paused, message };
  } finally {
    for (const f of copies) fs.rmSync(f, { force: true });
  }
}

/** restoreBackup under the data folder's owner lock: refused, with who holds it, while the app or a command uses the folder. */
export async function restoreWithLock(
  dataDir: string,
  opts: { from?: string; now?: number } = {},
): Promise<RestoreResult> {
  const { lock, holder } = await claimFolder(dataDir, { what: 'smsdesk restore', long: false, waitMs: 3000 });
  if (!lock)
    throw new FolderBusyError(
      holder,
      `The backup cannot be restored while another process uses the data folder: ${ownerSentence(holder)}`,
    );
  try {
    return restoreBackup(dataDir, opts);
  } finally {
    lock.release();
  }
}

/** Whether the ledger being replaced is still readable (only its name depends on this). */
function checkCopyInPlace(file: string): boolean {
  try {
    const db = openDatabase(file, { readonly: true, check: true });
    db.close();
    return true;
  } catch {
    return false;
  }
}
