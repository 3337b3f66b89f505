#!/usr/bin/env node
// The `smsdesk` command. Runs the engine bundled by scripts/build-node.mjs (dist-node/smsdesk.cjs),
// rebuilt first whenever a source is newer than it, so a start never compiles TypeScript.
// npx (and npm scripts) put the project's own Node 24 first on PATH; a bare `node bin/smsdesk.js`
// with an older Node would crash inside the native SQLite module, so say how to run it instead.
if (Number(process.versions.node.split('.')[0]) < 24) {
  console.error(
    `smsdesk needs Node 24 (this is Node ${process.versions.node}). Run it as \`npx smsdesk …\` from the SMS Desk folder: npx uses the Node 24 that npm install put in node_modules.`,
  );
  process.exit(1);
}
// (the CommonJS object: an ES module import of a builtin builds a view of its every export first)
const { createRequire, enableCompileCache } = process.getBuiltinModule('node:module');
// V8's code cache on disk: compiling the 2 MB bundle was a third of every start
enableCompileCache?.();
const { BUILDS, isStale } = await import('../scripts/stale.mjs');
if (isStale(BUILDS.cli.output, BUILDS.cli.inputs, BUILDS.cli.beside)) {
  try {
    const { buildNode } = await import('../scripts/build-node.mjs');
    await buildNode(['cli']);
  } catch {
    console.error(
      "smsdesk: the command could not be built from its sources (esbuild's messages above say where); fix them, or `git status` to see what changed.",
    );
    process.exit(1);
  }
}
const { runCli } = createRequire(import.meta.url)(`../${BUILDS.cli.output}`);
process.exitCode = await runCli(process.argv.slice(2));
