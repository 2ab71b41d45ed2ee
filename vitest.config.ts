import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['shared/**/*.test.ts', 'server/**/*.test.ts', 'extension/**/*.test.{ts,tsx}', 'test/**/*.test.ts'],
    exclude: ['node_modules', '.output', '.wxt'],
    // A bound, not a wait: on this busy 2-core machine (load 20 while other work runs) one CLI start
    // through tsx can take 20 s, and a test that starts a server and the CLI three times took over 30.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // A PostgreSQL database for the files that reach one (a local server, else an embedded one).
    globalSetup: ['test/setup/postgres.ts'],
  },
});
