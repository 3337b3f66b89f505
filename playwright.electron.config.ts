import { defineConfig } from '@playwright/test';

/**
 * The real Electron shell. Its specs skip with a message where no Electron binary was downloaded
 * (as on machines that cannot reach the Electron download), and run wherever one exists.
 */
export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: /electron.*\.spec\.ts$/,
  outputDir: 'tests/e2e/artifacts/electron-results',
  workers: 1,
  timeout: 180_000,
  reporter: [['list']],
});
