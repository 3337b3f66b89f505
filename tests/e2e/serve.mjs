// The e2e web server: build the renderer, start from an empty data folder, serve in web mode.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const i = args.indexOf('--data-dir');
if (i < 0 || !args[i + 1]) {
  console.error('serve.mjs: --data-dir DIR is required');
  process.exit(2);
}
// A data folder left by an earlier run would carry its lists and campaigns into this one.
fs.rmSync(args[i + 1], { recursive: true, force: true });
fs.mkdirSync(args[i + 1], { recursive: true });

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const build = spawnSync(npx, ['vite', 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  console.error('serve.mjs: the renderer build failed');
  process.exit(1);
}

// No token: the built-in sandbox gateway answers, and nothing leaves this machine. The specs save
// and clear a token (settings.spec.ts): in a keychain entry of this run's own, never the real one.
const env = { ...process.env, SMSDESK_KEYCHAIN_SERVICE: `SMS Desk e2e ${process.pid}` };
delete env.SMSDESK_TOKEN;
const child = spawn(process.execPath, [path.join(root, 'scripts/web.mjs'), ...args, '--no-open'], {
  cwd: root,
  stdio: 'inherit',
  env,
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
