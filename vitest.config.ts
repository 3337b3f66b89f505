import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/engine/**/*.test.ts', 'tests/faults/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['tests/helpers/tmp-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Engine tests open real SQLite files and loopback servers; two cores are all we have.
    pool: 'forks',
    maxWorkers: 2,
  },
});
