import { execFile } from 'node:child_process';
import type { BackgroundMode } from './close.ts';

/**
 * Whether "keep sending in the background" can hide the window behind a tray icon. On Linux a tray
 * icon shows only where a StatusNotifier host runs (KDE, most panels; stock GNOME has none): hiding
 * the window there would leave the user with no way back but killing the app, so it is minimised
 * instead. Unknown counts as no.
 */
export function backgroundMode(platform: NodeJS.Platform, statusNotifierHost: boolean | null): BackgroundMode {
  if (platform !== 'linux') return 'tray';
  return statusNotifierHost === true ? 'tray' : 'minimize';
}

const WATCHER = 'org.kde.StatusNotifierWatcher';
const PROPERTY = 'IsStatusNotifierHostRegistered';

/** The two command-line D-Bus clients a desktop usually has, asking the watcher the same question. */
export const STATUS_NOTIFIER_QUERIES: ReadonlyArray<{ cmd: string; args: string[] }> = [
  {
    cmd: 'gdbus',
    args: [
      'call',
      '--session',
      '--dest',
      WATCHER,
      '--object-path',
      '/StatusNotifierWatcher',
      '--method',
      'org.freedesktop.DBus.Properties.Get',
      WATCHER,
      PROPERTY,
    ],
  },
  {
    cmd: 'dbus-send',
    args: [
      '--session',
      '--print-reply',
      `--dest=${WATCHER}`,
      '/StatusNotifierWatcher',
      'org.freedesktop.DBus.Properties.Get',
      `string:${WATCHER}`,
      `string:${PROPERTY}`,
    ],
  },
];

/** Reads the answer of either client: gdbus prints `(<true>,)`, dbus-send `variant boolean true`. */
export function parseHostRegistered(stdout: string): boolean | null {
  if (/\(<\s*true\s*>,?\)|\bboolean\s+true\b/.test(stdout)) return true;
  if (/\(<\s*false\s*>,?\)|\bboolean\s+false\b/.test(stdout)) return false;
  return null;
}

type Exec = (cmd: string, args: string[], opts: { timeout: number }) => Promise<{ stdout: string }>;

const execFileAsync: Exec = (cmd, args, opts) =>
  new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: opts.timeout, encoding: 'utf8' }, (err, stdout) =>
      err ? reject(Object.assign(err, { stdout })) : resolve({ stdout }),
    );
  });

/**
 * true: a host is registered; false: the bus answered and there is none (no watcher at all is also
 * an answer); null: neither client exists or the bus did not answer in time.
 */
export async function statusNotifierHostPresent(
  exec: Exec = execFileAsync,
  timeoutMs = 1_500,
): Promise<boolean | null> {
  for (const q of STATUS_NOTIFIER_QUERIES) {
    try {
      return parseHostRegistered((await exec(q.cmd, q.args, { timeout: timeoutMs })).stdout) ?? false;
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { killed?: boolean; stderr?: string };
      if (e.code === 'ENOENT') continue; // this client is not installed: try the other
      if (e.killed) return null; // the bus did not answer in time
      // the bus answered with an error, e.g. ServiceUnknown: nobody provides the watcher
      return false;
    }
  }
  return null;
}
