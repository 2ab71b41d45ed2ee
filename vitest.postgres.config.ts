/**
 * The second half of `npm test`: every test file that builds its store through the test helpers
 * (createTestApp / openTestStore / unmigratedStore) runs again on PostgreSQL, each store in a fresh schema of a
 * database made for this run (test/setup/postgres.ts). Files are picked by scanning for those
 * helpers, so new store and route suites join without anyone listing them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

const ROOT = import.meta.dirname;
/** Suites that choose their backends themselves, or never touch a store. */
const SELF_MANAGED = [/^test\/e2e\//, /^test\/durability\//, /^extension\//];

function storeSuites(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.posix.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) walk(rel);
      } else if (/\.test\.tsx?$/.test(entry.name) && !SELF_MANAGED.some((re) => re.test(rel))) {
        if (/\b(createTestApp|openTestStore|unmigratedStore)\(/.test(fs.readFileSync(path.join(ROOT, rel), 'utf8'))) out.push(rel);
      }
    }
  };
  for (const dir of ['server', 'test', 'shared']) if (fs.existsSync(path.join(ROOT, dir))) walk(dir);
  return out.sort();
}

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    name: 'postgres',
    include: storeSuites(),
    env: { ...(base.test?.env ?? {}), GT_TEST_BACKEND: 'postgres' },
    globalSetup: ['test/setup/build-server.ts', 'test/setup/postgres.ts'],
  },
});
