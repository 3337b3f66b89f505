#!/usr/bin/env node
// `npm run dist:smoke [-- --arm64|--x64]`: packages the built app as an unpacked folder for this OS
// (electron-builder --dir) and starts that executable once in smoke mode (electron/smoke.ts). Exits
// with the app's code, after printing its one `smoke: …` line. On Linux without a display run it
// under `xvfb-run -a`. Expects `npm run build` to have run (the npm script does it first).
// `--no-pack` skips packaging and starts what `npm run dist` left in release/ (the very app inside
// the installers, signed where signing was set up): the release workflow does that.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where electron-builder --dir puts the app's executable (its own folder naming per OS and arch). */
export function unpackedExecutable({ platform, arch, outDir, productName, executableName }) {
  const suffix = arch === 'x64' ? '' : `-${arch}`;
  if (platform === 'darwin')
    return path.join(outDir, `mac${suffix}`, `${productName}.app`, 'Contents', 'MacOS', productName);
  if (platform === 'win32') return path.join(outDir, `win${suffix}-unpacked`, `${productName}.exe`);
  return path.join(outDir, `linux${suffix}-unpacked`, executableName);
}

/** Runs the packaged app in smoke mode: { code, line }, where a missing line or a hang is a failure. */
export function runSmokeExecutable(exe, { timeoutMs = 90_000, env = process.env } = {}) {
  return new Promise((resolve) => {
    if (!fs.existsSync(exe))
      return resolve({
        code: 1,
        line: `smoke: FAILED there is no packaged app at ${exe}: run electron-builder --dir first`,
      });
    const child = spawn(exe, ['--smoke'], { env: { ...env, SMSDESK_SMOKE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b) => {
      out += b;
    });
    child.stderr.on('data', (b) => {
      err += b;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: 1, line: `smoke: FAILED the app could not be started: ${e.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = out.split(/\r?\n/).find((l) => l.startsWith('smoke: '));
      const lastErr = err.trim().split(/\r?\n/).slice(-3).join(' | ');
      if (signal)
        return resolve({
          code: 1,
          line: `smoke: FAILED the app did not finish within ${timeoutMs} ms (killed)${lastErr ? `; last output: ${lastErr}` : ''}`,
        });
      if (!line)
        return resolve({
          code: 1,
          line: `smoke: FAILED the app exited with ${code} without printing a smoke line${lastErr ? `; last output: ${lastErr}` : ''}`,
        });
      resolve({ code: code === 0 && line.startsWith('smoke: ok') ? 0 : 1, line });
    });
  });
}

async function main() {
  const noPack = process.argv.includes('--no-pack');
  const args = process.argv.slice(2).filter((a) => a !== '--no-pack');
  const archFlag = args.find((a) => ['--x64', '--arm64', '--ia32', '--armv7l'].includes(a));
  const arch = archFlag ? archFlag.slice(2) : process.arch;
  if (!noPack) {
    const builderCli = createRequire(path.join(root, 'package.json')).resolve('electron-builder/cli.js');
    const pack = spawnSync(process.execPath, [builderCli, '--dir', '--publish', 'never', ...args], {
      cwd: root,
      stdio: 'inherit',
    });
    if (pack.status !== 0) {
      console.log('smoke: FAILED electron-builder --dir did not finish: see its output above');
      process.exit(1);
    }
  }
  const { parse } = await import('yaml');
  const config = parse(fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8'));
  const exe = unpackedExecutable({
    platform: process.platform,
    arch,
    outDir: path.join(root, config.directories?.output ?? 'dist'),
    productName: config.productName,
    executableName: config.linux?.executableName ?? config.productName,
  });
  const { code, line } = await runSmokeExecutable(exe);
  console.log(line);
  process.exit(code);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await main();
