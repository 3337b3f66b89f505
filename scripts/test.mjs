#!/usr/bin/env node
// `npm test`: the system packages the tests need (installed when missing), the type check, the lint
// and the format check, unit and engine tests (vitest; the keychain tests start their own private
// D-Bus session and gnome-keyring), then the browser end-to-end tests (Playwright with its own or
// Debian's Chromium), then the Electron shell specs (they skip, saying why, where no Electron binary
// exists). Ends with one line "N passed, N failed, N skipped" over all of them.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireNode } from './node-version.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'test-results');
fs.mkdirSync(out, { recursive: true });
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const totals = { passed: 0, failed: 0, skipped: 0 };
let failedSteps = [];

// Every test makes its data folders, keyrings and exports under the system's temporary folder, and
// not all of them remove theirs (a crashed child cannot): a run left ~150 folders and 230 MB in
// /tmp. The whole run gets a folder of its own there instead, removed when the run passes (kept,
// and named, when it fails, for a look at what the failing test left).
const runTmp = fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-tests-'));

const ownTmp = { TMPDIR: runTmp, SMSDESK_TESTS_TMP: runTmp };

function run(label, cmd, args, env = ownTmp) {
  console.log(`\n=== ${label} ===`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) failedSteps.push(`${label} (exit ${r.status ?? r.signal})`);
  return r.status === 0;
}

function onPath(cmd) {
  return (process.env.PATH ?? '').split(path.delimiter).some((d) => fs.existsSync(path.join(d, cmd)));
}

/** Playwright's JSON report: each distinct skip reason with how many tests it skipped. */
function skipReasons(report) {
  const reasons = new Map();
  const walk = (suite) => {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        for (const a of t.annotations ?? [])
          if (a.type === 'skip' && a.description) reasons.set(a.description, (reasons.get(a.description) ?? 0) + 1);
      }
    }
    for (const child of suite.suites ?? []) walk(child);
  };
  for (const suite of report.suites ?? []) walk(suite);
  return reasons;
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

requireNode();
// What the tests need from the system (browser, keychain, spreadsheet): brought here when missing,
// or one sentence with the exact command to run.
// (apt-get keeps the system's temporary folder: it is not the tests')
if (!run('system packages the tests need', process.execPath, [path.join(root, 'scripts/system-deps.mjs')], {})) {
  fs.rmSync(runTmp, { recursive: true, force: true });
  console.log('\n0 passed, 1 failed');
  process.exit(1);
}

// Types first: strict TypeScript over every folder (a failure here fails the run, counted once).
if (!run('type check (tsc --noEmit)', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit'])) totals.failed += 1;
// What the compiler does not hold: floating promises, non-exhaustive switches, hooks, the process
// boundaries (eslint.config.js); then the layout, one formatter's (.prettierrc.json). Each counts once.
if (!run('lint (eslint)', bin('eslint'), ['.'])) totals.failed += 1;
if (!run('format check (prettier --check)', bin('prettier'), ['--check', '.', '--log-level', 'warn']))
  totals.failed += 1;

const vitestJson = path.join(out, 'vitest.json');
fs.rmSync(vitestJson, { force: true });
const vitestOk = run('unit and engine tests (vitest)', bin('vitest'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${vitestJson}`,
]);
const v = readJson(vitestJson);
if (v) {
  totals.passed += v.numPassedTests ?? 0;
  // an error outside any test (an unhandled rejection, a file that failed to load) fails the run
  // without failing a test: count it, so the closing line never says 0 failed on a red run
  totals.failed += (v.numFailedTests ?? 0) || (vitestOk ? 0 : 1);
  totals.skipped += (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0);
} else {
  totals.failed += 1;
}

for (const [label, config, name] of [
  ['browser end-to-end tests (Playwright, Chromium)', 'playwright.config.ts', 'e2e.json'],
  ['Electron shell tests (Playwright _electron)', 'playwright.electron.config.ts', 'electron.json'],
]) {
  const json = path.join(out, name);
  fs.rmSync(json, { force: true });
  const argv = [bin('playwright'), 'test', '-c', config, '--reporter=list,json'];
  // Electron needs a display: on a headless Linux machine the shell specs run under a virtual one.
  const headless =
    process.platform === 'linux' &&
    !process.env.DISPLAY &&
    !process.env.WAYLAND_DISPLAY &&
    name === 'electron.json' &&
    onPath('xvfb-run');
  const [cmd, ...args] = headless ? ['xvfb-run', '-a', ...argv] : argv;
  const ok = run(label, cmd, args, { ...ownTmp, PLAYWRIGHT_JSON_OUTPUT_NAME: json });
  const r = readJson(json);
  if (r?.stats) {
    totals.passed += (r.stats.expected ?? 0) + (r.stats.flaky ?? 0);
    totals.failed += (r.stats.unexpected ?? 0) || (ok ? 0 : 1);
    totals.skipped += r.stats.skipped ?? 0;
    // the list reporter shows a skipped test as a dash: say why, once per reason
    for (const [reason, n] of skipReasons(r)) console.log(`skipped ${n}: ${reason}`);
  } else {
    totals.failed += 1;
  }
}

const failed = failedSteps.length > 0 || totals.failed > 0;
if (failedSteps.length) console.log(`\nFailed: ${failedSteps.join('; ')}`);
if (failed) console.log(`\nThe tests' temporary files are kept in ${runTmp}`);
else fs.rmSync(runTmp, { recursive: true, force: true });
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failed ? 1 : 0);
