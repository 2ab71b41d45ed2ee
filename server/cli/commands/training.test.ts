/**
 * `groundtruth training record|finish|list|stats` as the operator runs it (the real CLI, a real
 * SQLite file): record against the export run an `export` wrote, list by model and by export run,
 * finish, stats; bad flags and unknown export runs refused with one clear line; stored text shown
 * with its controls escaped.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../store/open.ts';
import { tempDir } from '../../../test/helpers/app.ts';
import { seedRatings } from '../../../test/helpers/ratings.ts';

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '../../../bin/groundtruth.js');
let dir: string;
let exportRunId: string;

function cli(args: string[]) {
  return run(process.execPath, [BIN, ...args], { env: { ...process.env, DATA_DIR: dir }, timeout: 60_000 });
}

/** A run that should fail: its exit code and stderr. */
async function refused(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await cli(args);
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
  throw new Error(`groundtruth ${args.join(' ')} succeeded`);
}

beforeAll(async () => {
  dir = tempDir('gt-training-cli-');
  const store = await openStore({ dataDir: dir });
  const day = new Date().toISOString().slice(0, 10);
  await seedRatings(
    store,
    'default',
    Array.from({ length: 10 }, (_, i) => ({ rater: `r${i % 2}`, stars: i % 2 ? 5 : 4, prompt: `q${i}`, output: `a${i}`, model: 'dag', day })),
  );
  await store.close();
  const out = path.join(dir, 'out', 'sft.jsonl');
  await cli(['export', '--format', 'openai-sft', '--out', out, '--split', '0.2', '--min-stars', '4']);
  exportRunId = JSON.parse(fs.readFileSync(path.join(dir, 'out', 'sft.manifest.json'), 'utf8')).runId;
}, 120_000);

// Each case starts the real CLI (tsx): seconds each on a busy machine.
describe('groundtruth training', { timeout: 120_000 }, () => {
  it('records a run against an export run, lists it by model and by export run, finishes it, and counts it in stats', async () => {
    const recorded = await cli([
      'training', 'record', '--model', 'dag-v1', '--export-run', exportRunId, '--base-model', 'qwen2.5:7b',
      '--hyperparameters', '{"epochs":3}', '--metrics', '{"eval_loss":0.5}', '--model-path', '/models/dag-v1',
      '--started-at', '2026-02-01T10:00:00Z', '--json',
    ]);
    const runRecord = JSON.parse(recorded.stdout);
    expect(runRecord).toMatchObject({ modelName: 'dag-v1', baseModel: 'qwen2.5:7b', hyperparameters: { epochs: 3 }, createdBy: null });
    expect(runRecord.exportRuns.map((e: { id: string }) => e.id)).toEqual([exportRunId]);
    // The default size: the export's train-side lines (its validation side is not trained on).
    expect(runRecord.trainingDataSize).toBe(runRecord.exportRuns[0].trainExamples);
    expect(runRecord.trainingDataSize).toBeGreaterThan(0);

    const byModel = (await cli(['training', 'list', '--model', 'dag-v1'])).stdout;
    expect(byModel).toMatch(/^id\s+model\s+base model/);
    expect(byModel).toContain(runRecord.id);
    expect(byModel).toContain(`openai-sft ${exportRunId}`);
    const byExport = JSON.parse((await cli(['training', 'list', '--export-run', exportRunId, '--json'])).stdout);
    expect(byExport.items.map((r: { modelName: string }) => r.modelName)).toEqual(['dag-v1']);

    const finished = JSON.parse((await cli(['training', 'finish', runRecord.id, '--finished-at', '2026-02-01T12:00:00Z', '--metrics', '{"eval_loss":0.3}', '--json'])).stdout);
    expect(finished).toMatchObject({ finishedAt: '2026-02-01T12:00:00.000Z', metrics: { eval_loss: 0.3 } });

    const stats = (await cli(['training', 'stats'])).stdout;
    expect(stats).toMatch(/model\s+runs\s+latest run/);
    expect(stats).toMatch(new RegExp(`dag-v1\\s+1\\s+${runRecord.id}`));
  });

  it('refuses unknown flags, bad values and export runs it does not know, in one line each', async () => {
    const unknownFlag = await refused(['training', 'record', '--model', 'm', '--export-run', exportRunId, '--epochs', '3']);
    expect(unknownFlag.code).toBe(1);
    expect(unknownFlag.stderr).toMatch(/unknown option '--epochs'/);

    const badJson = await refused(['training', 'record', '--model', 'm', '--export-run', exportRunId, '--metrics', '[1]']);
    expect(badJson.stderr).toContain('--metrics must be a JSON object');
    const unknown = await refused(['training', 'record', '--model', 'm', '--export-run', exportRunId, '--export-run', 'not-a-run']);
    expect(unknown.stderr).toMatch(/^groundtruth: --export-run: No export run not-a-run in this workspace/);
    const otherWorkspace = await refused(['training', 'record', '--model', 'm', '--export-run', exportRunId, '--workspace', 'team-b']);
    expect(otherWorkspace.stderr).toContain(`No export run ${exportRunId}`);
  });

  it('shows stored names with their terminal controls escaped', async () => {
    const hostile = 'evil\u001b[2J\u202emodel';
    await cli(['training', 'record', '--model', hostile, '--export-run', exportRunId]);
    const out = (await cli(['training', 'list'])).stdout;
    expect(out).not.toContain('\u001b');
    expect(out).not.toContain('\u202e');
    expect(out).toContain('evil\\x1b[2J\\u202emodel');
  });
});
