import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['shared/**/*.test.ts', 'server/**/*.test.ts', 'extension/**/*.test.{ts,tsx}', 'test/**/*.test.ts'],
    exclude: ['node_modules', '.output', '.wxt'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // A PostgreSQL database for the files that reach one (a local server, else an embedded one).
    globalSetup: ['test/setup/postgres.ts'],
  },
});
