#!/usr/bin/env node
// `npm start`: the desktop app when Electron can run here, otherwise the same app in the browser.
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinary, ensureNative } from './native.mjs';
import { runWeb } from './web.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

function step(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`start: \`${cmd} ${args.join(' ')}\` failed; see the messages above.`);
    process.exit(1);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

const args = process.argv.slice(2);
const binary = electronBinary();
if (binary) {
  step(npx, ['vite', 'build']);
  step(process.execPath, [path.join(root, 'scripts/build-electron.mjs')]);
  ensureNative('electron');
  const child = spawn(binary, [root, ...args], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  const i = args.indexOf('--port');
  const port = i >= 0 ? Number(args[i + 1]) : await freePort();
  console.error(`Electron cannot start on this machine (no Electron binary was downloaded); starting the web mode instead at http://127.0.0.1:${port}/ (the full link with its access key follows).`);
  runWeb(i >= 0 ? args : ['--port', String(port), ...args]);
}
