#!/usr/bin/env node
// The `smsdesk` command: runs the TypeScript engine through tsx, so no build step is needed.
// npx (and npm scripts) put the project's own Node 24 first on PATH; a bare `node bin/smsdesk.js`
// with an older Node would crash inside the native SQLite module, so say how to run it instead.
if (Number(process.versions.node.split('.')[0]) < 24) {
  console.error(`smsdesk needs Node 24 (this is Node ${process.versions.node}). Run it as \`npx smsdesk …\` from the SMS Desk folder: npx uses the Node 24 that npm install put in node_modules.`);
  process.exit(1);
}
const { register } = await import('tsx/esm/api');
register();
const { runCli } = await import('../electron/engine/cli/main.ts');
const code = await runCli(process.argv.slice(2));
process.exitCode = code;
