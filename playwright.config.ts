import { defineConfig } from '@playwright/test';
import { chromium } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * End-to-end tests drive the real app: the built renderer served by the web bridge, the real
 * engine and SQLite, the built-in sandbox gateway (no token). One worker: the tests share one
 * server and one data folder, which tests/e2e/serve.mjs empties before the server starts.
 */
export const E2E_PORT = Number(process.env.SMSDESK_E2E_PORT ?? 5317);
export const E2E_KEY = process.env.SMSDESK_E2E_KEY ?? 'e2e-access-key-0123456789';
const dataDir = path.join(os.tmpdir(), `smsdesk-e2e-${E2E_PORT}`);

// Playwright's own Chromium cannot be downloaded here; the system one is used when it is missing.
const bundled = (() => {
  try {
    return chromium.executablePath();
  } catch {
    return '';
  }
})();
const executablePath = bundled && fs.existsSync(bundled) ? undefined : '/usr/bin/chromium';

export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: /.*\.spec\.ts$/,
  testIgnore: /electron.*\.spec\.ts$/,
  // Inside the gitignored artifacts folder: another Playwright config (Electron) cleans test-results/.
  outputDir: 'tests/e2e/artifacts/results',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    baseURL: `http://127.0.0.1:${E2E_PORT}`,
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: {
    command: `node tests/e2e/serve.mjs --port ${E2E_PORT} --data-dir ${JSON.stringify(dataDir)}`,
    url: `http://127.0.0.1:${E2E_PORT}/`,
    reuseExistingServer: false,
    timeout: 180_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: { SMSDESK_WEB_KEY: E2E_KEY },
  },
});
