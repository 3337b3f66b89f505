#!/usr/bin/env node
// What the tests need from the operating system, and how it gets here:
//   node scripts/system-deps.mjs          check, and bring what is missing (npm test runs this first)
//   node scripts/system-deps.mjs --check  only say what is missing (exit 1 if anything is)
// A browser comes from Playwright's own download where that works; everything else (and the
// browser where the download fails) from Debian's packages when we are root or have sudo without
// a password, each announced with why. Elsewhere it stops at once with the exact command to run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** One entry a need: the commands that must be on PATH, the Debian package that brings them, why. */
export const NEEDS = [
  {
    commands: ['dbus-run-session', 'dbus-send'],
    pkg: 'dbus-x11',
    why: 'the keychain tests start a private D-Bus session',
  },
  {
    commands: ['gnome-keyring-daemon'],
    pkg: 'gnome-keyring',
    why: 'the keychain tests store the token in a real Secret Service',
  },
  {
    commands: ['secret-tool'],
    pkg: 'libsecret-tools',
    why: 'the keychain tests read back what the app stored, as another program would',
  },
  {
    commands: ['soffice'],
    pkg: 'libreoffice-calc',
    why: 'the tests make real XLSX/XLS/ODS files and open our exports in a spreadsheet',
  },
  {
    commands: ['xvfb-run', 'Xvfb'],
    pkg: 'xvfb',
    why: 'a keychain unlock dialog nobody answers is shown on a virtual display, and the Electron shell specs need one where an Electron binary exists',
  },
  { browser: true, pkg: 'chromium', why: 'the browser end-to-end tests drive the real page in Chromium' },
];

function onPath(cmd) {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      fs.accessSync(path.join(dir, cmd), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Playwright's own Chromium if it was downloaded, else Debian's; null when neither is here. */
export function browserPath() {
  try {
    const { chromium } = createRequire(path.join(root, 'package.json'))('playwright-core');
    const own = chromium.executablePath();
    if (own && fs.existsSync(own)) return own;
  } catch {
    /* playwright-core not installed yet */
  }
  return ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p)) ?? null;
}

export function missing() {
  return NEEDS.filter((n) => (n.browser ? !browserPath() : !n.commands.every(onPath)));
}

function run(cmd, args, opts = {}) {
  return spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasSudo = () => !isRoot && onPath('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;

/** Playwright's browser download: quick to fail where its host is unreachable. */
function tryPlaywrightBrowser() {
  console.error("system: downloading Playwright's Chromium for the browser tests (npx playwright install chromium)…");
  const r = spawnSync(
    process.execPath,
    [path.join(root, 'node_modules/@playwright/test/cli.js'), 'install', 'chromium'],
    { cwd: root, encoding: 'utf8', timeout: 600_000, stdio: ['ignore', 'inherit', 'pipe'] },
  );
  if (r.status === 0 && browserPath()) return true;
  const why =
    (r.stderr ?? '')
      .split('\n')
      .find((l) => /^Error: /.test(l.trim()))
      ?.trim() ?? `exit ${r.status ?? r.signal}`;
  console.error(`system: Playwright's browser download did not work here (${why}); trying the system package instead.`);
  return false;
}

export function ensure({ checkOnly = false } = {}) {
  let need = missing();
  if (!need.length) return 0;
  const required = need.filter((n) => !n.optional);
  if (checkOnly) {
    for (const n of need) console.error(`system: missing ${n.pkg}${n.optional ? ' (optional)' : ''}: ${n.why}.`);
    return required.length ? 1 : 0;
  }
  if (required.some((n) => n.browser) && tryPlaywrightBrowser()) need = missing();
  const pkgs = need.map((n) => n.pkg);
  if (!pkgs.length) return 0;
  if (process.platform !== 'linux' || !isDebian()) {
    console.error(
      `system: the tests need ${need.map((n) => `${n.pkg} (${n.why})`).join('; ')}. Install them with your system's package manager and run npm test again.`,
    );
    return required.length ? 1 : 0;
  }
  const apt = isRoot ? ['apt-get'] : hasSudo() ? ['sudo', '-n', 'apt-get'] : null;
  if (!apt) {
    console.error(
      `system: the tests need Debian packages that are not installed. Run this once, then npm test again:\n  sudo apt-get update && sudo apt-get install -y ${pkgs.join(' ')}`,
    );
    return required.length ? 1 : 0;
  }
  for (const n of need) console.error(`system: installing ${n.pkg}: ${n.why}.`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const [cmd, ...pre] = apt;
  if (run(cmd, [...pre, 'update', '-qq'], { env }).status !== 0)
    console.error('system: apt-get update failed; trying the install with the lists we have.');
  const r = run(cmd, [...pre, 'install', '-y', '-qq', '--no-install-recommends', ...pkgs], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const still = missing().filter((n) => !n.optional);
  if (r.status !== 0 || still.length) {
    console.error(
      `system: installing ${pkgs.join(' ')} failed${still.length ? ` (still missing: ${still.map((n) => n.pkg).join(', ')})` : ''}; see apt-get's messages above.`,
    );
    return 1;
  }
  console.error(`system: installed ${pkgs.join(', ')}.`);
  return 0;
}

function isDebian() {
  return fs.existsSync('/etc/debian_version') && onPath('apt-get');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exit(ensure({ checkOnly: process.argv.includes('--check') }));
}
