#!/usr/bin/env node
// Bundles the Electron main process and the preload into dist-electron/ (CommonJS: a sandboxed
// preload cannot load ES modules). Native modules and electron itself stay external.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const external = ['electron', 'better-sqlite3', 'keytar'];
const common = { bundle: true, format: 'cjs', sourcemap: true, logLevel: 'info', absWorkingDir: root, external };

await Promise.all([
  build({ ...common, entryPoints: ['electron/main.ts'], outfile: 'dist-electron/main.cjs', platform: 'node', target: 'node22' }),
  // the engine's worker thread (electron/host): loads better-sqlite3 and keytar itself, so they stay external here too
  build({ ...common, entryPoints: ['electron/host/worker.ts'], outfile: 'dist-electron/engine-worker.cjs', platform: 'node', target: 'node22' }),
  // the sandboxed preload has no Node: bundle for the browser, only 'electron' is required at run time
  build({ ...common, entryPoints: ['electron/preload.ts'], outfile: 'dist-electron/preload.cjs', platform: 'browser', target: 'chrome140', external: ['electron'] }),
]);

// the window and tray icon ship inside the app (build/ itself is not packaged)
fs.copyFileSync(path.join(root, 'build/icons/256x256.png'), path.join(root, 'dist-electron/icon.png'));
