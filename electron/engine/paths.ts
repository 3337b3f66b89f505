import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const APP_NAME = 'SMS Desk';

/** The folder Electron's app.getPath('userData') gives an app named "SMS Desk" on this OS. */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  const home = env.HOME || os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA || path.join(home, 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_NAME);
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), APP_NAME);
}

export function databaseFile(dataDir: string): string {
  return path.join(dataDir, 'smsdesk.db');
}

/** Where the automatic backups of the ledger go (inside the data folder, so they move with it). */
export function backupsDir(dataDir: string): string {
  return path.join(dataDir, 'backups');
}

// The ledger holds every customer's phone number and every message: only the user may read it.
// Windows has no POSIX modes (its per-user profile folder is already private), so nothing to do there.
const POSIX = process.platform !== 'win32';
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates the folder for the user only, and takes group/other access away from one made earlier. */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (POSIX) tighten(dir);
}

/** Takes group/other access away from a file or folder that exists (older versions made them 0644/0755). */
export function tighten(file: string): void {
  if (!POSIX) return;
  try {
    const st = fs.statSync(file);
    if (st.mode & 0o077) fs.chmodSync(file, st.mode & (st.isDirectory() ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE));
  } catch {
    /* gone, or not ours to change: the folder's own mode still shuts others out */
  }
}

/** Every file directly in the data folder (ledger, -wal, -shm, logs, sandbox state) made private. */
export function tightenDataDir(dataDir: string): void {
  if (!POSIX) return;
  tighten(dataDir);
  let names: string[] = [];
  try {
    names = fs.readdirSync(dataDir);
  } catch {
    return;
  }
  for (const n of names) tighten(path.join(dataDir, n));
}

/** An empty file for the user only, when there is none yet (SQLite takes an empty file for a new database and gives its -wal/-shm the same mode). */
export function ensurePrivateFile(file: string): void {
  try {
    fs.writeFileSync(file, '', { mode: PRIVATE_FILE_MODE, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    tighten(file);
  }
}
