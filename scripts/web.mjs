#!/usr/bin/env node
// `npm run web [-- --port N --data-dir DIR --no-open --check]`: SMS Desk in your browser, on 127.0.0.1 only.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIfStale, root } from './stale.mjs';
import { requireNode } from './node-version.mjs';

export function runWeb(args) {
  requireNode();
  if (!buildIfStale('page')) {
    console.error('web: building the page failed; see the messages above.');
    process.exit(1);
  }
  // the server and the engine's worker run from their esbuild bundles (rebuilt when a source changed)
  if (!buildIfStale('web')) {
    console.error('web: building the web mode failed; see the messages above.');
    process.exit(1);
  }
  const child = spawn(process.execPath, [path.join(root, 'dist-node/web.mjs'), ...args], {
    cwd: root,
    stdio: 'inherit',
  });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) runWeb(process.argv.slice(2));
