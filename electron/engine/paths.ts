import os from 'node:os';
import path from 'node:path';

export const APP_NAME = 'SMS Desk';

/** The folder Electron's app.getPath('userData') gives an app named "SMS Desk" on this OS. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const home = env.HOME || os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA || path.join(home, 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_NAME);
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), APP_NAME);
}

export function databaseFile(dataDir: string): string {
  return path.join(dataDir, 'smsdesk.db');
}
