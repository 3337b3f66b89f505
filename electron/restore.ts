import { backupWhen, listBackups } from './engine/db/backup.ts';
import { restoreWithLock, type RestoreResult } from './engine/db/restore.ts';

/**
 * What the app offers when the engine cannot start because the ledger is damaged. The engine has
 * not started, so there is no window yet: main.ts shows this in a dialog. Only the error's code
 * crosses from the engine's worker, so the backup is looked up again here, in the same folder.
 * Pure apart from the file system, so it is tested without Electron.
 */
export interface RestoreOffer {
  message: string;
  detail: string;
  buttons: [string, string];
  backup: { file: string; at: number; when: string };
}

export function restoreOffer(err: unknown, dataDir: string): RestoreOffer | null {
  if ((err as { code?: unknown })?.code !== 'DB_CORRUPT') return null;
  const newest = listBackups(dataDir)[0];
  if (!newest) return null;
  const when = backupWhen(newest.at);
  return {
    message: String((err as Error).message ?? err),
    detail: `Restoring puts the backup from ${when} in place and keeps the damaged file beside it. Anything done after ${when} is not in the backup: recipients sent to after it would be sent to again, so campaigns that were sending are paused until you resume them.`,
    buttons: [`Restore backup from ${when}`, 'Quit'],
    backup: { file: newest.file, at: newest.at, when },
  };
}

/** The button was pressed. Under the folder's owner lock: a command may have the folder meanwhile. */
export function applyRestore(offer: RestoreOffer, dataDir: string): Promise<RestoreResult> {
  return restoreWithLock(dataDir, { from: offer.backup.file });
}
