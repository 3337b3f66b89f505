// Builds run only when their sources changed: an output is stale when it is missing or any of its
// inputs (files, or every file below a folder) is newer than it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function newerThan(p, t) {
  if (!fs.existsSync(p)) return false;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs > t;
  return fs.readdirSync(p).some((name) => name !== 'node_modules' && newerThan(path.join(p, name), t));
}

export function isStale(output, inputs) {
  const out = path.join(root, output);
  if (!fs.existsSync(out)) return true;
  const t = fs.statSync(out).mtimeMs;
  return inputs.some((i) => newerThan(path.join(root, i), t));
}

/** The two builds the app needs, each with the sources it is made from. */
export const BUILDS = {
  page: {
    output: 'dist/renderer/index.html',
    inputs: ['renderer', 'shared', 'vite.config.ts', 'package.json'],
    cmd: ['vite', 'build'],
  },
  shell: {
    output: 'dist-electron/main.cjs',
    inputs: ['electron', 'shared', 'scripts/build-electron.mjs', 'package.json'],
    cmd: ['node', 'scripts/build-electron.mjs'],
  },
  cli: {
    output: 'dist-node/smsdesk.cjs',
    inputs: ['electron/engine', 'shared', 'scripts/build-node.mjs', 'package.json'],
    cmd: ['node', 'scripts/build-node.mjs', 'cli'],
  },
  web: {
    output: 'dist-node/web.mjs',
    inputs: ['electron', 'shared', 'scripts/build-node.mjs', 'package.json'],
    cmd: ['node', 'scripts/build-node.mjs', 'web', 'worker'],
  },
};

/** Runs the build when stale; false (after its own messages) when it failed. */
export function buildIfStale(name, log = (s) => console.error(s)) {
  const b = BUILDS[name];
  if (!isStale(b.output, b.inputs)) return true;
  log(
    `start: building the ${{ page: 'page (vite build)', shell: 'desktop shell (esbuild)', cli: 'command (esbuild)', web: 'web mode (esbuild)' }[name]}…`,
  );
  const [cmd, ...args] = b.cmd;
  const exe =
    cmd === 'node'
      ? process.execPath
      : path.join(root, 'node_modules/.bin', process.platform === 'win32' ? `${cmd}.cmd` : cmd);
  const r = spawnSync(exe, args, {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    shell: process.platform === 'win32',
  });
  if (r.status === 0) fs.utimesSync(path.join(root, b.output), new Date(), new Date());
  return r.status === 0;
}
