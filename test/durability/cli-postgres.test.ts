/**
 * Every CLI command against PostgreSQL (issue 7: "every CLI command working on it"): the real
 * `groundtruth` process with DATABASE_URL pointing at a fresh schema. `serve` is covered by the
 * multi-server and crash tests; `backup` must say to use pg_dump instead.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMutations } from '../../server/store/feedback.ts';
import { openStore, type Store } from '../../server/store/open.ts';
import { createToken } from '../../server/store/tokens.ts';
import { tempDir } from '../helpers/app.ts';
import { dropPostgresSchema, freshPostgresUrl } from '../helpers/backend.ts';
import { newVersion, toMutation } from './workload.ts';

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '../../bin/groundtruth.js');

function cli(databaseUrl: string, args: string[]) {
  return run(process.execPath, [BIN, ...args], {
    env: { ...process.env, DATABASE_URL: databaseUrl, DATA_DIR: tempDir('gt-cli-unused-') },
    cwd: path.dirname(path.dirname(BIN)),
  });
}

describe('the CLI on PostgreSQL', () => {
  let url: string;
  let store: Store;
  let raterId: string;
  const made: string[] = [];
  const dir = tempDir('gt-cli-pg-');

  beforeAll(async () => {
    url = await freshPostgresUrl('cli');
    made.push(url);
    store = await openStore({ databaseUrl: url, poolSize: 2 });
    const rater = await createToken(store.db, { role: 'rater', name: 'cli-rater' });
    raterId = rater.info.raterId;
    const now = new Date();
    const versions = Array.from({ length: 30 }, (_, i) => {
      const v = newVersion(`cli:t${i}`);
      return { ...v, at: now.getTime() - i * 3_600_000 };
    });
    const results = await applyMutations(
      store.db,
      { workspaceId: 'default', raterId, role: 'rater', tokenId: rater.info.id, clientId: 'cli' },
      versions.map(toMutation),
    );
    expect(results.every((r) => r.status === 'applied')).toBe(true);
  }, 300_000);

  afterAll(async () => {
    await store?.close();
    await Promise.all(made.map(dropPostgresSchema));
  });

  it('token create / list / revoke', async () => {
    const created = await cli(url, ['token', 'create', '--role', 'analyst', '--name', 'pg-analyst']);
    const token = created.stdout.trim().split('\n').pop()!;
    expect(token).toMatch(/^gt_/);
    const list = await cli(url, ['token', 'list']);
    expect(list.stdout).toContain('pg-analyst');
    await cli(url, ['token', 'revoke', token.slice(0, 10)]);
    expect((await cli(url, ['token', 'list'])).stdout).toMatch(/revoked/i);
  }, 300_000);

  it('stats --json counts what is stored', async () => {
    const { stdout } = await cli(url, ['stats', '--json', '--days', '7']);
    const report = JSON.parse(stdout) as { stats: unknown; accuracy: unknown };
    expect(report).toHaveProperty('stats');
    expect(JSON.stringify(report)).toContain('30');
  }, 300_000);

  it('export then import into another schema restores every record', async () => {
    const out = path.join(dir, 'all.jsonl');
    await cli(url, ['export', '--format', 'jsonl', '--all', '--out', out]);
    const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(30);
    const target = await freshPostgresUrl('cli_import');
    made.push(target);
    await cli(target, ['import', out, '--workspace', 'default', '--json']);
    const copy = await openStore({ databaseUrl: target, poolSize: 1 });
    const rows = await copy.db.selectFrom('feedback').select(['id', 'updated_at', 'record']).orderBy('id').execute();
    const orig = await store.db.selectFrom('feedback').select(['id', 'updated_at', 'record']).orderBy('id').execute();
    expect(rows).toEqual(orig);
    await copy.close();
    // Importing the same file again changes nothing.
    await cli(target, ['import', out, '--workspace', 'default', '--json']);
    const again = await openStore({ databaseUrl: target, poolSize: 1 });
    const events = await again.db.selectFrom('feedback_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(events.n)).toBe(30);
    await again.close();
  }, 120_000);

  it('purge --dry-run counts, purge deletes, erase-rater erases', async () => {
    const dry = JSON.parse((await cli(url, ['purge', '--older-than', '1d', '--dry-run', '--json'])).stdout) as Record<string, unknown>;
    expect(JSON.stringify(dry)).toMatch(/\d/);
    const before = await store.db.selectFrom('feedback').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(before.n)).toBe(30);
    await cli(url, ['purge', '--older-than', '1d', '--json']);
    const after = await store.db.selectFrom('feedback').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBeLessThan(30);
    expect(Number(after.n)).toBeGreaterThan(0);
    await cli(url, ['erase-rater', raterId, '--json']);
    const left = await store.db.selectFrom('feedback').select((eb) => eb.fn.countAll<number>().as('n')).where('rater_id', '=', raterId).executeTakeFirstOrThrow();
    expect(Number(left.n)).toBe(0);
  }, 120_000);

  it('backup refuses PostgreSQL and names pg_dump', async () => {
    await expect(cli(url, ['backup', path.join(dir, 'x.sqlite')])).rejects.toMatchObject({ stderr: expect.stringMatching(/pg_dump/) });
  }, 300_000);
});
