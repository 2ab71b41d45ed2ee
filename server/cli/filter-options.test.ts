/**
 * The CLI's filter flags come from the filters of every list (shared/filters.ts): one flag per
 * filter on `export` and `stats`, and flags that do not go together are refused with both named,
 * never resolved silently (before: --since won over --days). In-process for every combination, then
 * through the real CLI, as the other CLI suites do.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { FILTER_PARAMS, flagName } from '../../shared/filters.ts';
import { tempDir } from '../../test/helpers/app.ts';
import { seedRatings } from '../../test/helpers/ratings.ts';
import { openStore } from '../store/open.ts';
import { addFilterOptions, filtersFromOptions, type FilterFlagOptions } from './filter-options.ts';

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '../../bin/groundtruth.js');
const WINDOW: FilterFlagOptions = { window: { days: 'the last N days' } };

/** Parses argv with the filter flags only, as a command would; returns the filters or the refusal. */
function parse(args: string[], options: FilterFlagOptions = WINDOW): Record<string, unknown> | string {
  let opts: Record<string, unknown> = {};
  const cmd = addFilterOptions(new Command('x').exitOverride(), options).action((o: Record<string, unknown>) => {
    opts = o;
  });
  cmd.parse(args, { from: 'user' });
  try {
    return { ...filtersFromOptions(opts, options) };
  } catch (err) {
    return (err as Error).message;
  }
}

describe('filter flags (in-process)', () => {
  it('has a flag for every filter, derived from the schema', () => {
    const cmd = addFilterOptions(new Command('x'), WINDOW);
    const flags = cmd.options.map((o) => o.long);
    for (const p of FILTER_PARAMS) expect(flags, p).toContain(flagName(p));
    expect(flags).toEqual(expect.arrayContaining(['--days', '--all', '--no-has-correction']));
    expect(cmd.options.find((o) => o.long === '--kind')?.argChoices).toContain('chat_response');
  });

  it('parses values as the API does', () => {
    expect(parse(['--min-stars', '3', '--conversation-id', 'c1', '--has-correction', '--since', '2026-01-01'])).toEqual({
      minStars: 3,
      conversationId: 'c1',
      hasCorrection: true,
      since: '2026-01-01T00:00:00.000Z',
    });
    expect(parse(['--no-has-correction', '--days', '30'])).toEqual({ hasCorrection: false, days: 30 });
    expect(parse(['--min-stars', '7'])).toMatch(/^invalid option: minStars: stars go from 1 to 5/);
    expect(parse(['--criterion', 'Not A Name'])).toMatch(/^invalid option: criterion/);
  });

  it.each([
    [['--since', '2026-01-01', '--days', '3'], 'conflicting options --since and --days'],
    [['--until', '2026-01-01', '--days', '3'], 'conflicting options --until and --days'],
    [['--all', '--since', '2026-01-01'], 'conflicting options --all and --since'],
    [['--all', '--until', '2026-01-01'], 'conflicting options --all and --until'],
    [['--all', '--days', '3'], 'conflicting options --all and --days'],
    [['--min-stars', '4', '--max-stars', '2'], 'conflicting options --min-stars and --max-stars'],
    [['--since', '2026-02-01', '--until', '2026-01-01'], 'conflicting options --since and --until'],
  ])('refuses %j', (args, message) => {
    expect(parse(args)).toContain(message);
  });

  it('a command without --all or without since/until does not offer them', () => {
    const cmd = addFilterOptions(new Command('x'), { window: { days: 'd', all: false }, except: ['since'] });
    const flags = cmd.options.map((o) => o.long);
    expect(flags).not.toContain('--all');
    expect(flags).not.toContain('--since');
  });
});

let dir: string;
const cli = (args: string[]) => run(process.execPath, [BIN, ...args], { env: { ...process.env, DATA_DIR: dir, DATABASE_URL: '' }, timeout: 60_000 });
async function attempt(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    return { code: 0, ...(await cli(args)) };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

beforeAll(async () => {
  dir = tempDir('gt-cli-filters-');
  const store = await openStore({ dataDir: dir });
  const today = new Date().toISOString().slice(0, 10);
  await seedRatings(store, 'default', [
    { rater: 'ann', model: 'gpt-5', thumb: 'up', prompt: 'p1', output: 'o1', day: today },
    { rater: 'ann', model: 'gpt-5', thumb: 'down', correction: 'better', prompt: 'p2', output: 'o2', day: today },
    { rater: 'bob', model: 'claude-4', thumb: 'up', label: 'bug', prompt: 'p3', output: 'o3', day: today },
  ]);
  await store.close();
});

// Each case starts the real CLI (tsx): seconds each on a busy machine.
describe('groundtruth export / stats filter flags', { timeout: 120_000 }, () => {
  it('export refuses --since with --days, naming both, and writes nothing', async () => {
    const out = path.join(dir, 'x.jsonl');
    const r = await attempt(['export', '--format', 'jsonl', '--out', out, '--since', '2026-01-01', '--days', '3']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/groundtruth: conflicting options --since and --days/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('export takes every filter as a flag: --has-correction / --no-has-correction, --rater, --label', async () => {
    const { stdout } = await cli(['export', '--help']);
    for (const p of FILTER_PARAMS) expect(stdout, p).toContain(flagName(p));
    const lines = async (name: string, args: string[]) => {
      const out = path.join(dir, `${name}.jsonl`);
      await cli(['export', '--format', 'jsonl', '--out', out, ...args]);
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, `${name}.manifest.json`), 'utf8'));
      return { lines: fs.readFileSync(out, 'utf8').trim().split('\n').filter(Boolean), manifest };
    };
    const corrected = await lines('corrected', ['--has-correction', '--model', 'gpt-5']);
    expect(corrected.lines).toHaveLength(1);
    expect(corrected.manifest.filters).toMatchObject({ hasCorrection: true, model: 'gpt-5', until: null });
    expect((await lines('plain', ['--no-has-correction', '--all'])).lines).toHaveLength(2);
    expect((await lines('bob', ['--rater', 'bob', '--label', 'bug', '--all'])).lines).toHaveLength(1);
  });

  it('stats takes the filters too and refuses --since with --days', async () => {
    const json = JSON.parse((await cli(['stats', '--json', '--rater', 'ann'])).stdout);
    expect(json.stats.current.ratings).toBe(2);
    expect(json.accuracy.groups).toHaveLength(1);
    const r = await attempt(['stats', '--since', '2026-01-01', '--days', '3']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/conflicting options --since and --days/);
  });
});
