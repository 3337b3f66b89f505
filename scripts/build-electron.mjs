#!/usr/bin/env node
// Bundles the Electron main process and the preload into dist-electron/ (CommonJS: a sandboxed
// preload cannot load ES modules). Everything else is bundled, so the packaged app needs only the
// externals in node_modules: electron itself and the two native modules (N-API binaries that load
// in Node and Electron alike, so nothing is rebuilt). tests/unit/builder.test.ts packages these
// bundles and checks that every module they require is inside the package.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const EXTERNALS = ['electron', 'better-sqlite3', '@napi-rs/keyring'];

/** Writes main.cjs, engine-worker.cjs, ledger-check.cjs, preload.cjs and icon.png into outDir (relative to the repo root). */
export async function bundleElectron(outDir = 'dist-electron', { logLevel = 'info' } = {}) {
  const out = (name) => path.join(outDir, name);
  const common = {
    bundle: true,
    format: 'cjs',
    sourcemap: true,
    logLevel,
    absWorkingDir: root,
    external: EXTERNALS,
    // engine/db/check.ts reads import.meta only where __filename is not defined (ES modules)
    logOverride: { 'empty-import-meta': 'silent' },
  };
  await Promise.all([
    build({
      ...common,
      entryPoints: ['electron/main.ts'],
      outfile: out('main.cjs'),
      platform: 'node',
      target: 'node22',
    }),
    // the engine's worker thread (electron/host) opens the ledger with better-sqlite3 itself, so it stays external here too
    build({
      ...common,
      entryPoints: ['electron/host/worker.ts'],
      outfile: out('engine-worker.cjs'),
      platform: 'node',
      target: 'node22',
    }),
    // the full check of the ledger after start, in a thread of its own (engine/db/check.ts finds it beside the bundle)
    build({
      ...common,
      entryPoints: ['electron/engine/db/check-worker.ts'],
      outfile: out('ledger-check.cjs'),
      platform: 'node',
      target: 'node22',
    }),
    // the sandboxed preload has no Node: bundle for the browser, only 'electron' is required at run time
    build({
      ...common,
      entryPoints: ['electron/preload.ts'],
      outfile: out('preload.cjs'),
      platform: 'browser',
      target: 'chrome140',
      external: ['electron'],
    }),
  ]);
  // the window and tray icon ship inside the app (build/ itself is not packaged)
  fs.copyFileSync(path.join(root, 'build/icons/256x256.png'), path.resolve(root, out('icon.png')));
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await bundleElectron();
