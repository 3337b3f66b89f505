#!/usr/bin/env node
// The `smsdesk` command: runs the TypeScript engine through tsx, so no build step is needed.
import { register } from 'tsx/esm/api';
register();
const { runCli } = await import('../electron/engine/cli/main.ts');
const code = await runCli(process.argv.slice(2));
process.exitCode = code;
