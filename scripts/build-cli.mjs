#!/usr/bin/env node
// Bundles the `smsdesk` command (the engine and its CLI) into dist-cli/smsdesk.cjs with esbuild, the
// step the desktop shell uses too: the command then starts without compiling TypeScript (tsx took
// ~1 s of every start). bin/smsdesk.js calls this whenever a source is newer than the bundle.
// Native modules stay external: they load their prebuilt binaries from node_modules.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CLI_BUNDLE = path.join(root, 'dist-cli/smsdesk.cjs');

export async function buildCli() {
  const { build } = await import('esbuild');
  fs.mkdirSync(path.dirname(CLI_BUNDLE), { recursive: true });
  // written aside and renamed: two commands started at once never run a half-written bundle
  const tmp = `${CLI_BUNDLE}.${process.pid}.tmp`;
  await build({
    // esbuild's own report of a source error goes to stderr; the command then says what it was building
    entryPoints: [path.join(root, 'electron/engine/cli/main.ts')],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    sourcemap: 'inline',
    logLevel: 'error',
    absWorkingDir: root,
    external: ['better-sqlite3', '@napi-rs/keyring', 'electron'],
  });
  fs.renameSync(tmp, CLI_BUNDLE);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await buildCli();
