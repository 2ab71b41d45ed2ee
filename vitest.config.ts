import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['shared/**/*.test.ts', 'server/**/*.test.ts', 'extension/**/*.test.{ts,tsx}', 'embed/**/*.test.{ts,tsx}', 'test/**/*.test.ts'],
    exclude: ['node_modules', '.output', '.wxt'],
    // A bound, not a wait: on this busy 2-core machine (load 20 while other work runs) one CLI start
    // through tsx can take 20 s, and a test that starts a server and the CLI three times took over 30.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Three files at a time. Left to itself vitest runs cpus-1 = 1 file at a time on this 2-core
    // machine, and most files spend their time waiting on a child process (a server, the CLI, a
    // browser): one at a time the load stayed near 1.5 and the run took 22-28 minutes. Every store
    // is a fresh temp file or PostgreSQL schema and every server listens on port 0, so files never
    // share state.
    maxWorkers: 3,
    minWorkers: 1,
    // A PostgreSQL database for the files that reach one (a local server, else an embedded one).
    globalSetup: ['test/setup/build-server.ts', 'test/setup/postgres.ts'],
  },
});
