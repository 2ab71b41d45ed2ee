import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../store/open.ts';
import { tempDir } from '../../../test/helpers/app.ts';
import { seedRatings } from '../../../test/helpers/ratings.ts';
import { validateOpenAIChatExample } from '../../exports/validate-openai-chat.ts';

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '../../../bin/groundtruth.js');
let dir: string;

function cli(args: string[], dataDir = dir) {
  return run(process.execPath, [BIN, ...args], { env: { ...process.env, DATA_DIR: dataDir }, timeout: 60_000 });
}

beforeAll(async () => {
  dir = tempDir('gt-cli-');
  const store = await openStore({ dataDir: dir });
  const today = new Date().toISOString().slice(0, 10);
  await seedRatings(
    store,
    'default',
    Array.from({ length: 40 }, (_, i) => ({
      rater: `r${i % 4}`,
      model: i % 2 ? 'gpt-5' : 'claude',
      thumb: (i % 5 === 0 ? 'down' : 'up') as 'up' | 'down',
      prompt: `q${i}`,
      output: `a${i}`,
      conversationId: `c${i % 8}`,
      day: today,
    })),
  );
  await store.close();
});

// Each case starts the real CLI (tsx) one to five times: seconds each on a busy machine.
describe('groundtruth export / import / stats', { timeout: 120_000 }, () => {
  it('stats --watch redraws until interrupted, then exits cleanly', async () => {
    const child = spawn(process.execPath, [BIN, 'stats', '--watch', '--interval', '0.3'], { env: { ...process.env, DATA_DIR: dir } });
    let out = '';
    // Two redraws are the event to wait for (the test's timeout bounds it), then an interrupt.
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if ((out.match(/ratings 40/g) ?? []).length >= 2) resolve();
      });
    });
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect((out.match(/ratings 40/g) ?? []).length).toBeGreaterThanOrEqual(2);
    expect(code).toBe(0);
  });

  it('export writes the split files and a manifest; the SFT lines pass the format checks', async () => {
    const out = path.join(dir, 'out', 'sft.jsonl');
    const { stdout } = await cli(['export', '--format', 'openai-sft', '--out', out, '--split', '0.25']);
    expect(stdout).toContain('sft.train.jsonl');
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'out', 'sft.manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ format: 'openai-sft', split: 0.25, workspaceId: 'default' });
    expect(manifest.files.map((f: { name: string }) => f.name)).toEqual(['sft.train.jsonl', 'sft.validation.jsonl']);
    const lines = ['train', 'validation'].flatMap((s) => fs.readFileSync(path.join(dir, 'out', `sft.${s}.jsonl`), 'utf8').split('\n').filter(Boolean));
    expect(lines).toHaveLength(32);
    for (const l of lines) expect(validateOpenAIChatExample(JSON.parse(l))).toEqual([]);
  });

  it('import restores a jsonl export into another store, and a second import changes nothing', async () => {
    const backup = path.join(dir, 'backup.jsonl');
    await cli(['export', '--format', 'jsonl', '--all', '--out', backup]);
    const other = tempDir('gt-cli-restore-');
    const first = await cli(['import', backup, '--workspace', 'default'], other);
    expect(first.stdout).toContain('40 lines: 40 restored');
    const second = await cli(['import', backup, '--workspace', 'default'], other);
    expect(second.stdout).toContain('0 restored, 40 already there');
    const again = path.join(dir, 'again.jsonl');
    await cli(['export', '--format', 'jsonl', '--all', '--out', again], other);
    expect(fs.readFileSync(again, 'utf8')).toBe(fs.readFileSync(backup, 'utf8'));
  });

  it('stats prints accuracy per model with bars and intervals; --json gives the figures', async () => {
    const { stdout } = await cli(['stats', '--days', '7']);
    expect(stdout).toMatch(/ratings 40/);
    expect(stdout).toMatch(/gpt-5\s+20\s+16\s+80%\s+[█▒░]{30}\s+\d+%–\d+%/);
    expect(stdout).toMatch(/claude\s+20\s+16\s+80%/);
    const json = JSON.parse((await cli(['stats', '--json'])).stdout);
    expect(json.accuracy.groups).toHaveLength(2);
    expect(json.stats.current.ratings).toBe(40);
  });

  it('every command has --help, and a bad option fails with a clear line', async () => {
    for (const cmd of ['export', 'import', 'stats']) {
      const { stdout } = await cli([cmd, '--help']);
      expect(stdout).toContain(`Usage: groundtruth ${cmd}`);
    }
    await expect(cli(['export', '--format', 'xml', '--out', 'x'])).rejects.toMatchObject({ stderr: expect.stringContaining('xml') });
    await expect(cli(['export', '--format', 'csv', '--out', path.join(dir, 'bad.csv'), '--since', 'yesterday'])).rejects.toMatchObject({
      stderr: expect.stringMatching(/groundtruth: invalid option: since/),
    });
  });
});
