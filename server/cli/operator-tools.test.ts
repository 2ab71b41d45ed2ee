/**
 * Issue 13, item 8: what a careless admin can do with the operator tools, through the real CLI.
 * - `import` applied the valid part of a file it then reported as failed: a restore is whole or
 *   not at all (`--partial` keeps the old behaviour), into the workspace `--workspace` names.
 * - `export --out` wrote through directories, devices and existing files: it refuses them, and
 *   replaces an existing file only with `--force`.
 * - `token revoke` revoked every token whose prefix matched, in every workspace: it takes an exact
 *   id or a prefix of exactly one token of the workspace, and names the matches otherwise.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/app.ts';
import { seedRatings } from '../../test/helpers/ratings.ts';
import { exportToFiles } from '../exports/files.ts';
import { openStore } from '../store/open.ts';
import { createToken, listTokens } from '../store/tokens.ts';

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '../../bin/groundtruth.js');

function cli(dataDir: string, args: string[]) {
  return run(process.execPath, [BIN, ...args], { env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' }, timeout: 60_000 });
}

/** Runs and returns exit code and both streams, whether it failed or not. */
async function attempt(dataDir: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await cli(dataDir, args);
    return { code: 0, ...r };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

async function feedbackIds(dataDir: string): Promise<string[]> {
  const store = await openStore({ dataDir });
  const rows = await store.db.selectFrom('feedback').select('id').orderBy('id').execute();
  await store.close();
  return rows.map((r) => r.id);
}

/** A jsonl export of three records of workspace team-a; returns its lines and ids. */
async function backupOfThree(): Promise<{ lines: string[]; ids: string[] }> {
  const dir = tempDir('gt-ops-src-');
  const store = await openStore({ dataDir: dir });
  const ids = await seedRatings(store, 'team-a', [
    { rater: 'ann', prompt: 'p1', output: 'o1', thumb: 'up' },
    { rater: 'ann', prompt: 'p2', output: 'o2', thumb: 'down' },
    { rater: 'bob', prompt: 'p3', output: 'o3', stars: 4 },
  ]);
  await exportToFiles(store, 'team-a', { format: 'jsonl', filters: { all: true } }, path.join(dir, 'all.jsonl'));
  await store.close();
  return { lines: fs.readFileSync(path.join(dir, 'all.jsonl'), 'utf8').trim().split('\n'), ids: ids.sort() };
}

// Each case starts the real CLI (tsx) a few times: seconds each on a busy machine.
describe('groundtruth import is all or nothing', { timeout: 300_000 }, () => {
  it('a file with a bad line imports nothing; --partial imports the valid lines', async () => {
    const { lines, ids } = await backupOfThree();
    const dir = tempDir('gt-ops-import-');
    const file = path.join(dir, 'backup.jsonl');
    fs.writeFileSync(file, `${[lines[0], lines[1], '{not json', lines[2]].join('\n')}\n`);

    const whole = await attempt(dir, ['import', file, '--workspace', 'team-a']);
    expect(whole.code).toBe(1);
    expect(whole.stderr).toMatch(/line 3: not valid JSON/);
    expect(`${whole.stdout}${whole.stderr}`).toMatch(/nothing imported/i);
    expect(await feedbackIds(dir)).toEqual([]);
    const json = JSON.parse((await attempt(dir, ['import', file, '--workspace', 'team-a', '--json'])).stdout);
    expect(json).toMatchObject({ lines: 4, applied: 0, committed: false, rejected: [{ line: 3 }] });
    expect(await feedbackIds(dir)).toEqual([]);

    const partial = await attempt(dir, ['import', file, '--workspace', 'team-a', '--partial']);
    expect(partial.code).toBe(1);
    expect(partial.stdout).toContain('3 restored');
    expect(await feedbackIds(dir)).toEqual(ids);
  });

  it('a record the store refuses (its id is another rater’s) rolls back the records before it', async () => {
    const { lines, ids } = await backupOfThree();
    const dir = tempDir('gt-ops-import-');
    const taken = JSON.parse(lines[2]!) as { id: string };
    const store = await openStore({ dataDir: dir });
    await seedRatings(store, 'team-a', [{ id: taken.id, rater: 'someone-else', prompt: 'x', output: 'y', thumb: 'up' }]);
    await store.close();
    const file = path.join(dir, 'backup.jsonl');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);

    const whole = await attempt(dir, ['import', file, '--workspace', 'team-a']);
    expect(whole.code).toBe(1);
    expect(whole.stderr).toContain(taken.id);
    expect(await feedbackIds(dir)).toEqual([taken.id]);

    const partial = await attempt(dir, ['import', file, '--workspace', 'team-a', '--partial']);
    expect(partial.code).toBe(1);
    expect(await feedbackIds(dir)).toEqual(ids);
  });

  it('needs --workspace, and refuses records of another workspace', async () => {
    const { lines } = await backupOfThree();
    const dir = tempDir('gt-ops-import-');
    const file = path.join(dir, 'backup.jsonl');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    const none = await attempt(dir, ['import', file]);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/--workspace/);
    const wrong = await attempt(dir, ['import', file, '--workspace', 'team-b']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/line 1 .*workspace team-a.*team-b/);
    expect(await feedbackIds(dir)).toEqual([]);
    const help = (await cli(dir, ['import', '--help'])).stdout;
    expect(help).toMatch(/--workspace <id>/);
    expect(help).toMatch(/--partial/);
  });
});

describe('groundtruth export --out', { timeout: 300_000 }, () => {
  async function storeWithRatings() {
    const dir = tempDir('gt-ops-export-');
    const store = await openStore({ dataDir: dir });
    await seedRatings(store, 'default', [{ prompt: 'p', output: 'o', thumb: 'up' }]);
    await store.close();
    return dir;
  }

  it('refuses a directory and a device, and writes nothing', async () => {
    const dir = await storeWithRatings();
    const target = path.join(dir, 'exports');
    fs.mkdirSync(target);
    for (const out of [target, `${target}/`]) {
      const r = await attempt(dir, ['export', '--format', 'jsonl', '--all', '--out', out]);
      expect(r.code, out).toBe(1);
      expect(r.stderr).toMatch(/is a directory/);
    }
    expect(fs.readdirSync(target)).toEqual([]);
    expect(fs.existsSync(`${target}.jsonl`)).toBe(false);

    // Before the fix, root wrote /dev/null.jsonl and /dev/null.manifest.json: removed if this run made them.
    const strays = ['/dev/null.jsonl', '/dev/null.jsonl.partial', '/dev/null.manifest.json'].filter((p) => !fs.existsSync(p));
    try {
      const dev = await attempt(dir, ['export', '--format', 'jsonl', '--all', '--out', '/dev/null']);
      expect(dev.code).toBe(1);
      expect(dev.stderr).toMatch(/not a regular file/);
      expect(fs.existsSync('/dev/null.jsonl')).toBe(false);
    } finally {
      for (const p of strays) fs.rmSync(p, { force: true });
    }
    fs.symlinkSync('/dev/null', path.join(dir, 'link.jsonl'));
    const viaLink = await attempt(dir, ['export', '--format', 'jsonl', '--all', '--out', path.join(dir, 'link.jsonl'), '--force']);
    expect(viaLink.code).toBe(1);
    expect(viaLink.stderr).toMatch(/not a regular file/);
    expect(fs.lstatSync(path.join(dir, 'link.jsonl')).isSymbolicLink()).toBe(true);
  });

  it('does not overwrite a file (nor its manifest) without --force', async () => {
    const dir = await storeWithRatings();
    const out = path.join(dir, 'week.jsonl');
    fs.writeFileSync(out, 'keep me\n');
    const r = await attempt(dir, ['export', '--format', 'jsonl', '--all', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/exists.*--force/);
    expect(fs.readFileSync(out, 'utf8')).toBe('keep me\n');
    expect(fs.existsSync(path.join(dir, 'week.manifest.json'))).toBe(false);

    const other = path.join(dir, 'other.jsonl');
    fs.writeFileSync(path.join(dir, 'other.manifest.json'), '{"keep":true}\n');
    expect((await attempt(dir, ['export', '--format', 'jsonl', '--all', '--out', other])).stderr).toMatch(/other\.manifest\.json exists/);
    expect(fs.existsSync(other)).toBe(false);

    const forced = await attempt(dir, ['export', '--format', 'jsonl', '--all', '--out', out, '--force']);
    expect(forced.code).toBe(0);
    expect(fs.readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toMatchObject({ workspaceId: 'default' });
    expect((await cli(dir, ['export', '--help'])).stdout).toMatch(/--force/);
  });
});

describe('groundtruth token revoke', { timeout: 300_000 }, () => {
  it('takes an exact id or a prefix of exactly one token of the workspace, and names the matches otherwise', async () => {
    const dir = tempDir('gt-ops-token-');
    const store = await openStore({ dataDir: dir });
    const a1 = (await createToken(store.db, { role: 'analyst', name: 'a1' })).info;
    const a2 = (await createToken(store.db, { role: 'rater', name: 'a2' })).info;
    const a3 = (await createToken(store.db, { role: 'rater', name: 'a3' })).info;
    const b1 = (await createToken(store.db, { role: 'admin', name: 'b1', workspaceId: 'team-b' })).info;
    // Shown prefixes are 7 random characters: two tokens can share one. Here they do, across workspaces.
    await store.db.updateTable('tokens').set({ prefix: a1.prefix }).where('id', '=', b1.id).execute();
    await store.close();
    const status = async () => {
      const s = await openStore({ dataDir: dir });
      const tokens = await listTokens(s.db);
      await s.close();
      return Object.fromEntries(tokens.map((t) => [t.name, t.revokedAt ? 'revoked' : 'active']));
    };

    // The shown prefix of a1 is b1's too, but b1 is in another workspace.
    const byPrefix = await attempt(dir, ['token', 'revoke', a1.prefix]);
    expect(byPrefix.code).toBe(0);
    expect(await status()).toEqual({ a1: 'revoked', a2: 'active', a3: 'active', b1: 'active' });
    expect(byPrefix.stdout).toContain(a1.id);

    // "gt_" starts every token: ambiguous, an error naming the active matches, nothing revoked.
    const ambiguous = await attempt(dir, ['token', 'revoke', 'gt_']);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toMatch(/matches 2 tokens/);
    expect(ambiguous.stderr).toContain(a2.id);
    expect(ambiguous.stderr).toContain(a3.id);
    expect(ambiguous.stderr).not.toContain(b1.id);
    expect(await status()).toEqual({ a1: 'revoked', a2: 'active', a3: 'active', b1: 'active' });

    // A prefix of the id that only a2 has.
    const idPrefix = a2.id.slice(0, 30);
    expect(idPrefix).not.toBe(a3.id.slice(0, 30));
    expect((await attempt(dir, ['token', 'revoke', idPrefix])).code).toBe(0);
    expect(await status()).toEqual({ a1: 'revoked', a2: 'revoked', a3: 'active', b1: 'active' });

    // Another workspace's token by its exact id: only with --workspace.
    const elsewhere = await attempt(dir, ['token', 'revoke', b1.id]);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toMatch(/--workspace team-b/);
    expect((await attempt(dir, ['token', 'revoke', b1.id, '--workspace', 'team-b'])).code).toBe(0);
    expect(await status()).toEqual({ a1: 'revoked', a2: 'revoked', a3: 'active', b1: 'revoked' });

    const help = (await cli(dir, ['token', 'revoke', '--help'])).stdout;
    expect(help).toMatch(/prefix/);
    expect(help).toMatch(/--workspace <id>/);
  });
});
