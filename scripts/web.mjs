#!/usr/bin/env node
// `npm run web [-- --port N --data-dir DIR --no-open]`: SMS Desk in your browser, on 127.0.0.1 only.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureNative } from './native.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The built page is stale when any source it is made from is newer than it (or it is missing). */
function pageIsStale() {
  const built = path.join(root, 'dist/renderer/index.html');
  if (!fs.existsSync(built)) return true;
  const builtAt = fs.statSync(built).mtimeMs;
  const newer = (dir) => fs.readdirSync(dir, { withFileTypes: true }).some((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name !== 'node_modules' && newer(p);
    return fs.statSync(p).mtimeMs > builtAt;
  });
  return ['renderer', 'shared'].some((d) => fs.existsSync(path.join(root, d)) && newer(path.join(root, d))) ||
    ['vite.config.ts', 'package.json'].some((f) => fs.existsSync(path.join(root, f)) && fs.statSync(path.join(root, f)).mtimeMs > builtAt);
}

export function runWeb(args) {
  ensureNative('node');
  if (pageIsStale()) {
    console.error('web: building the page (npx vite build)…');
    const r = spawnSync(process.platform === 'win32' ? 'npx.cmd' : 'npx', ['vite', 'build'], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) {
      console.error('web: building the page failed; see the messages above.');
      process.exit(1);
    }
  }
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'electron/web/main.ts'), ...args], { cwd: root, stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) runWeb(process.argv.slice(2));
