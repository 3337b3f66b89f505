#!/usr/bin/env node
// Makes sure the native modules (better-sqlite3, keytar) are built for the runtime about to use them:
//   node scripts/native.mjs node      before tests / web mode / CLI (plain Node)
//   node scripts/native.mjs electron  before starting Electron
// The last build is recorded in node_modules/.smsdesk-native so switching back and forth is explicit.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const marker = path.join(root, 'node_modules', '.smsdesk-native');
const MODULES = ['better-sqlite3', 'keytar'];
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function readMarker() {
  try { return JSON.parse(fs.readFileSync(marker, 'utf8')); } catch { return null; }
}
function writeMarker(runtime, abi) {
  fs.writeFileSync(marker, JSON.stringify({ runtime, abi, at: new Date().toISOString() }) + '\n');
}

/** loads both modules in a fresh Node: a module built for Electron fails with NODE_MODULE_VERSION */
function loadsInNode() {
  const code = "const D=require('better-sqlite3');new D(':memory:').close();require('keytar');";
  const r = spawnSync(process.execPath, ['-e', code], { cwd: root, encoding: 'utf8' });
  return { ok: r.status === 0, error: (r.stderr || '').split('\n').find((l) => /Error|NODE_MODULE_VERSION/.test(l)) ?? '' };
}

function run(cmd, args) {
  console.error(`native: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`\`${cmd} ${args.join(' ')}\` failed (exit ${r.status}).`);
}

/**
 * The Electron executable, or null when the electron package came without it (download failed or
 * blocked). Reads path.txt itself: require('electron') would try to download the binary right away.
 */
export function electronBinary() {
  let dir;
  try {
    dir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return null;
  }
  const pathFile = path.join(dir, 'path.txt');
  const exe = fs.existsSync(pathFile) ? fs.readFileSync(pathFile, 'utf8').trim() : '';
  const full = process.env.ELECTRON_OVERRIDE_DIST_PATH
    ? path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, exe || 'electron')
    : exe ? path.join(dir, 'dist', exe) : '';
  return full && fs.existsSync(full) ? full : null;
}

export function ensureNative(runtime) {
  if (runtime === 'node') {
    let check = loadsInNode();
    if (!check.ok) {
      console.error(`native: better-sqlite3/keytar do not load in Node ${process.version} (${check.error.trim() || 'unknown error'}); rebuilding them for Node.`);
      run(npm, ['rebuild', ...MODULES]);
      check = loadsInNode();
      if (!check.ok) throw new Error(`better-sqlite3 or keytar still fail to load in Node after a rebuild: ${check.error.trim()}. On Linux keytar needs libsecret (apt install libsecret-1-dev).`);
    }
    const m = readMarker();
    if (m?.runtime !== 'node' || m?.abi !== process.versions.modules) writeMarker('node', process.versions.modules);
    return;
  }
  if (runtime === 'electron') {
    const require = createRequire(import.meta.url);
    const electronVersion = require('electron/package.json').version;
    const m = readMarker();
    if (m?.runtime === 'electron' && m?.abi === electronVersion) return;
    run(npx, ['electron-builder', 'install-app-deps']);
    writeMarker('electron', electronVersion);
    return;
  }
  throw new Error(`Usage: node scripts/native.mjs node|electron (got ${JSON.stringify(runtime)}).`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    ensureNative(process.argv[2]);
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
