#!/usr/bin/env node
// `npm start [-- --check] [-- options of the web mode]`: the desktop app. Fetches the Electron
// binary the first time, builds what changed, and opens the window. Only when Electron truly cannot
// be had (no network to fetch it) or cannot start (no display, it exits at once) does it say why in
// one sentence and start the same app in the browser (web mode) instead.
// --check: a non-interactive start check for CI and first-time setup: the packaged smoke mode in
// Electron, or in web mode the first answered API call; prints one line and exits.
import { spawn } from 'node:child_process';
import { electronBinary, electronVersion, fetchElectron, noDisplayReason } from './electron.mjs';
import { requireNode } from './node-version.mjs';
import { buildIfStale, root } from './stale.mjs';
import { runWeb } from './web.mjs';

requireNode();
const argv = process.argv.slice(2);
const check = argv.includes('--check');
const args = argv.filter((a) => a !== '--check');

function web(reason) {
  console.error(`${reason}; starting the web mode instead (the same app in your browser).`);
  runWeb([...args, ...(check ? ['--check', '--no-open'] : [])]);
}

async function whyNoElectron() {
  if (process.env.SMSDESK_NO_ELECTRON) return 'SMSDESK_NO_ELECTRON is set';
  const display = noDisplayReason();
  if (!electronBinary()) {
    // Fetch before looking at the display: a headless machine may still build packages with it.
    const fetched = await fetchElectron();
    if (!fetched.ok) return `Electron ${electronVersion()} could not be fetched: ${fetched.reason}`;
  }
  if (display) return `Electron cannot open a window here: ${display}`;
  return null;
}

const why = await whyNoElectron();
if (why) {
  web(why);
} else {
  if (!buildIfStale('page') || !buildIfStale('shell')) {
    console.error('start: the build failed; see the messages above.');
    process.exit(1);
  }
  const started = Date.now();
  const child = spawn(electronBinary(), [root, ...(check ? ['--smoke'] : []), ...args], {
    cwd: root,
    stdio: ['inherit', 'inherit', 'pipe'],
  });
  let tail = '';
  child.stderr.on('data', (chunk) => {
    process.stderr.write(chunk);
    tail = (tail + chunk.toString()).slice(-2000);
  });
  child.on('error', (err) => web(`Electron could not be started (${err.message})`));
  child.on('exit', (code, signal) => {
    // An Electron that dies within seconds never showed the user anything: fall back, saying why.
    // (Not in --check: there a failed smoke run is the answer.)
    if (!check && code !== 0 && !signal && Date.now() - started < 15_000) {
      const last =
        tail
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean)
          .pop() ?? `exit code ${code}`;
      return web(`Electron exited at start (${last})`);
    }
    process.exit(code ?? 0);
  });
}
