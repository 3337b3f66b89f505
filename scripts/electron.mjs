// The Electron binary for `npm start`: where it is, fetching it when it is missing (with progress),
// and whether this machine can show a window at all. The electron package has no install step any
// more: its binary comes from its `install-electron` command, which is what we run, after
// downloading into the same cache ourselves so the user sees progress.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

function electronDir() {
  try {
    return path.dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
}

export function electronVersion() {
  const dir = electronDir();
  return dir ? JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version : null;
}

/**
 * The Electron executable, or null when it has not been fetched. Reads path.txt itself:
 * require('electron') would start a download right away.
 */
export function electronBinary() {
  const dir = electronDir();
  if (!dir) return null;
  const pathFile = path.join(dir, 'path.txt');
  const exe = fs.existsSync(pathFile) ? fs.readFileSync(pathFile, 'utf8').trim() : '';
  const full = process.env.ELECTRON_OVERRIDE_DIST_PATH
    ? path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, exe || 'electron')
    : exe
      ? path.join(dir, 'dist', exe)
      : '';
  return full && fs.existsSync(full) ? full : null;
}

/** Why no window can be shown here, or null when one can (only Linux can lack a display). */
export function noDisplayReason(env = process.env) {
  if (process.platform !== 'linux') return null;
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return null;
  return 'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)';
}

/**
 * Fetches the binary once: download with a progress line into @electron/get's cache, then the
 * package's own install-electron command unpacks it from there. Returns { ok, reason }.
 */
export async function fetchElectron({ log = (s) => process.stderr.write(s) } = {}) {
  const dir = electronDir();
  if (!dir) return { ok: false, reason: 'the electron package is not installed (run npm install)' };
  const version = electronVersion();
  try {
    const getUrl = pathToFileURL(createRequire(path.join(dir, 'package.json')).resolve('@electron/get'));
    const { downloadArtifact } = await import(getUrl.href);
    let shown = -1;
    log(`start: fetching Electron ${version} for ${process.platform}-${process.arch} (once; about 100 MB)…\n`);
    await downloadArtifact({
      version,
      artifactName: 'electron',
      platform: process.platform,
      arch: process.arch,
      checksums: JSON.parse(fs.readFileSync(path.join(dir, 'checksums.json'), 'utf8')),
      downloadOptions: {
        quiet: true,
        getProgressCallback: ({ percent, transferred, total }) => {
          const pct = Math.floor(percent * 100);
          if (pct >= shown + 5 || pct === 100) {
            shown = pct;
            const mb = (n) => (n / 1048576).toFixed(0);
            log(`start: Electron ${pct}%${total ? ` (${mb(transferred)} of ${mb(total)} MB)` : ''}\n`);
          }
        },
      },
    });
  } catch (err) {
    return { ok: false, reason: `its download failed (${firstLine(err)})` };
  }
  const r = spawnSync(process.execPath, [path.join(dir, 'install.js')], {
    encoding: 'utf8',
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  if (r.status !== 0 || !electronBinary())
    return { ok: false, reason: `unpacking it failed (${firstLine(r.stderr || `exit ${r.status}`)})` };
  return { ok: true, reason: null };
}

function firstLine(err) {
  const text =
    err instanceof Error ? `${err.message}${err.cause ? `: ${err.cause.message ?? err.cause}` : ''}` : String(err);
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find(Boolean) ?? 'unknown error'
  );
}
