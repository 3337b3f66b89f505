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

/**
 * The shell's bundles, one per entry: the packaged-app test (tests/unit/builder.test.ts) checks each of
 * these is inside the asar with every module it requires.
 */
export const BUNDLES = [
  { entry: 'electron/main.ts', file: 'main.cjs', platform: 'node' },
  // the engine's worker thread (electron/host) opens the ledger with better-sqlite3 itself, so it stays external here too
  { entry: 'electron/host/worker.ts', file: 'engine-worker.cjs', platform: 'node' },
  // the full check of the ledger after start, in a thread of its own (engine/db/check.ts finds it beside the bundle)
  { entry: 'electron/engine/db/check-worker.ts', file: 'ledger-check.cjs', platform: 'node' },
  // the sandboxed preload has no Node: bundle for the browser, only 'electron' is required at run time
  { entry: 'electron/preload.ts', file: 'preload.cjs', platform: 'browser' },
];

/** Writes the BUNDLES and icon.png into outDir (relative to the repo root). */
export async function bundleElectron(outDir = 'dist-electron', { logLevel = 'info' } = {}) {
  await Promise.all(
    BUNDLES.map((b) =>
      build({
        bundle: true,
        format: 'cjs',
        sourcemap: true,
        logLevel,
        absWorkingDir: root,
        // engine/db/check.ts reads import.meta only where __filename is not defined (ES modules)
        logOverride: { 'empty-import-meta': 'silent' },
        entryPoints: [b.entry],
        outfile: path.join(outDir, b.file),
        platform: b.platform,
        ...(b.platform === 'node'
          ? { target: 'node22', external: EXTERNALS }
          : { target: 'chrome140', external: ['electron'] }),
      }),
    ),
  );
  // the window and tray icon ship inside the app (build/ itself is not packaged)
  fs.copyFileSync(path.join(root, 'build/icons/256x256.png'), path.resolve(root, outDir, 'icon.png'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await bundleElectron();
