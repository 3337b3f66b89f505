import path from 'node:path';
import { str, UsageError, type Parsed } from './args.ts';
import { backupFile, backupWhen, listBackups } from '../db/backup.ts';
import { restoreWithLock } from '../db/restore.ts';
import { DatabaseCorruptError, isCorruption } from '../db/corrupt.ts';
import { databaseFile } from '../paths.ts';

interface Result {
  json: unknown;
  text: string;
  code?: number;
}

function size(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** `smsdesk backup --out FILE [--force]`: works while the app sends from the same folder. */
export async function backupCommand(dataDir: string, p: Parsed): Promise<Result> {
  const out = str(p, 'out');
  if (!out) throw new UsageError('Give the file to write: smsdesk backup --out FILE.');
  const r = await backupFile(databaseFile(dataDir), out, { force: p.flags.has('force') }).catch((e: unknown) => {
    throw isCorruption(e) ? new DatabaseCorruptError(databaseFile(dataDir), e) : e;
  });
  return { json: { backup: r }, text: `Backup of ${databaseFile(dataDir)} written to ${r.file} (${size(r.bytes)}).` };
}

/**
 * `smsdesk restore` lists the backups; `--latest` or `--from FILE` puts one in place. Never opens
 * the (perhaps damaged) ledger through the engine, and takes the folder's owner lock first: a
 * restore under a running app or command would pull the ledger from under it.
 */
export async function restoreCommand(dataDir: string, p: Parsed): Promise<Result> {
  const latest = p.flags.has('latest');
  const from = str(p, 'from');
  if (latest && from) throw new UsageError('Choose one: --latest (the newest backup) or --from FILE.');
  if (!latest && !from) {
    const all = listBackups(dataDir);
    const rows = all.map((b) => ({
      file: b.file,
      at: new Date(b.at).toISOString(),
      version: b.version,
      kind: b.kind,
      bytes: b.bytes,
    }));
    const text = all.length
      ? [
          `Backups in ${path.join(dataDir, 'backups')} (newest first):`,
          ...all.map(
            (b) =>
              `  ${backupWhen(b.at)}  schema ${b.version}  ${size(b.bytes).padStart(8)}  ${b.name}${b.kind === 'before-migration' ? ' (before an upgrade)' : ''}`,
          ),
          "Restore one with `smsdesk restore --latest` or `smsdesk restore --from FILE`; the current data file is kept aside, and messages sent after the backup's time would be sent again, so campaigns that were sending are paused.",
        ].join('\n')
      : `There are no backups in ${path.join(dataDir, 'backups')} yet: SMS Desk makes one a day while it runs, and one before each upgrade of the data file.`;
    return { json: { backups: rows }, text };
  }
  const r = await restoreWithLock(dataDir, { from });
  return { json: { restored: r }, text: r.message };
}
