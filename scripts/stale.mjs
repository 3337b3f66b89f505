// Builds run only when their sources changed: an output is stale when it is missing or any of its
// inputs (files, or every file below a folder) is newer than it.

// Not `import fs from 'node:fs'`: the ES module view of a builtin reads its every export (node:fs's
// fs.promises and all that loads among them), ~5 ms of each `smsdesk` start, which runs isStale first.
// A Node too old to have getBuiltinModule still loads this, so the launcher can say which Node it needs.
const builtin = async (name) => process.getBuiltinModule?.(name) ?? (await import(name));
const fs = await builtin('node:fs');
const path = await builtin('node:path');
const { fileURLToPath } = await builtin('node:url');

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// `smsdesk` runs this at every start: one stat per file (the folders' types come with their listing)
function newerThan(p, t) {
  const st = fs.statSync(p, { throwIfNoEntry: false });
  if (!st) return false;
  return st.isDirectory() ? newerInside(p, t) : st.mtimeMs > t;
}

function newerInside(dir, t) {
  return fs.readdirSync(dir, { withFileTypes: true }).some((e) => {
    if (e.name === 'node_modules') return false;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return newerInside(p, t);
    return newerThan(p, t);
  });
}

/** `beside`: files the same build writes next to `output`; one of them missing makes it stale too. */
export function isStale(output, inputs, beside = []) {
  const out = path.join(root, output);
  if (!fs.existsSync(out) || beside.some((f) => !fs.existsSync(path.join(root, f)))) return true;
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
    // the packages it loads on first use (scripts/build-node.mjs): without them the command fails at that use
    beside: ['dist-node/smsdesk-deps.cjs'],
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
  if (!isStale(b.output, b.inputs, b.beside)) return true;
  log(
    `start: building the ${{ page: 'page (vite build)', shell: 'desktop shell (esbuild)', cli: 'command (esbuild)', web: 'web mode (esbuild)' }[name]}…`,
  );
  const [cmd, ...args] = b.cmd;
  const exe =
    cmd === 'node'
      ? process.execPath
      : path.join(root, 'node_modules/.bin', process.platform === 'win32' ? `${cmd}.cmd` : cmd);
  // loaded here, not at the top: the command's every start reads this file and never spawns
  const { spawnSync } = process.getBuiltinModule('node:child_process');
  const r = spawnSync(exe, args, {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    shell: process.platform === 'win32',
  });
  if (r.status === 0) fs.utimesSync(path.join(root, b.output), new Date(), new Date());
  return r.status === 0;
}
