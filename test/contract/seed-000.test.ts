/**
 * Seed 000 (DAGnostics), one day of its users' work end to end against a real server process:
 * the pipeline posts errors before their analyses and the analyses later, a reviewer reviews 10
 * in the terminal (`groundtruth review` in a real pseudo-terminal), an analyst exports the reviews
 * rated ≥ 4 as train and validation files for fine-tuning, and records the training run against
 * those exports; then which exports trained the model is asked back. Everything over HTTP.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CATEGORIES } from '../../shared/analysis.ts';
import { answer, asked, pick, startPty, type Pty } from '../helpers/pty.ts';
import { startServer, type ServerHandle } from '../helpers/server.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/groundtruth.js');
const DAG = 'etl_warehouse';
const AI = { extractedError: 'connection timed out', category: 'timeout_error', severity: 'high', confidence: 0.7, reasoning: 'The warehouse did not answer within 30 s.' };
/** The stars the reviewer gives item i: six of the ten get 4 or 5. */
const STARS = [5, 2, 4, 4, 1, 5, 3, 4, 2, 5];

let server: ServerHandle;
let pipeline: string;
let reviewer: string;
let analyst: string;
let pty: Pty | undefined;

async function call(token: string, method: string, route: string, body?: unknown): Promise<Response> {
  return fetch(`${server.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}
async function json(token: string, method: string, route: string, body?: unknown): Promise<any> {
  const res = await call(token, method, route, body);
  expect(res.status, `${method} ${route}: ${await res.clone().text()}`).toBeLessThan(300);
  return res.json();
}
const jsonl = (text: string) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l));

beforeAll(async () => {
  server = await startServer();
  [pipeline, reviewer, analyst] = [await server.createToken('rater', 'airflow'), await server.createToken('rater', 'analyst1'), await server.createToken('analyst', 'lead')];
}, 180_000);
afterAll(async () => {
  await pty?.kill();
  await server?.stop();
});

describe('seed 000: errors, late analyses, review in the terminal, quality export, training run', { timeout: 600_000 }, () => {
  it('runs the DAGnostics day end to end', async () => {
    // 1. The pipeline posts ten errors as they happen, before any analysis ran.
    const day = '2026-11-30';
    const errors = Array.from({ length: 10 }, (_, i) => ({
      key: `${DAG}.load_${i}.${day}`,
      kind: 'error_analysis',
      subject: DAG,
      model: 'llama3.1-8b',
      input: `Analyse the Airflow log of ${DAG}.load_${i}`,
      createdAt: `${day}T0${i}:15:00.000Z`,
      context: { dag_id: DAG, task_id: `load_${i}`, run_id: `scheduled__${day}T0${i}:00:00`, error_message: `OperationalError: timeout (${i})`, log_context: '[ERROR] timeout after 30s' },
    }));
    const posted = await json(pipeline, 'POST', '/v1/items', { items: errors });
    expect(posted.results.map((r: any) => r.status)).toEqual(errors.map(() => 'created'));
    const waiting = await json(reviewer, 'GET', `/v1/items?date=${day}&subject=${DAG}&hasAnalysis=0&limit=50`);
    expect(waiting.items).toHaveLength(10);
    expect(waiting.items.every((it: any) => it.state === 'awaiting_analysis')).toBe(true);
    // The day the error happened, not the day it arrived.
    expect(waiting.items.map((it: any) => it.createdAt).sort()[0]).toBe(`${day}T00:15:00.000Z`);

    // 2. The analyses come later, under the same keys (with their own time: the error keeps its own).
    const analysed = await json(pipeline, 'POST', '/v1/items', {
      items: errors.map((e) => ({ ...e, createdAt: '2026-11-30T23:59:00.000Z', output: JSON.stringify(AI), prediction: AI })),
    });
    expect(analysed.results.map((r: any) => r.status)).toEqual(errors.map(() => 'updated'));
    const ready = await json(reviewer, 'GET', `/v1/items?date=${day}&subject=${DAG}&hasAnalysis=1&unrated=1&limit=50`);
    expect(ready.items).toHaveLength(10);
    expect(ready.items.every((it: any) => it.state === 'ready' && it.prediction.category === 'timeout_error')).toBe(true);

    // 3. The reviewer reviews the day's ten in the terminal: stars, a category correction on every
    //    other item, a comment on each.
    pty = await startPty([process.execPath, BIN, 'review', '--date', day, '--subject', DAG, '--limit', '10', '--require-analysis'], {
      env: { GROUNDTRUTH_URL: server.url, GROUNDTRUTH_TOKEN: reviewer },
      cwd: ROOT,
    });
    await pty.waitFor(/10 unrated item\(s\)/);
    const configurationError = ERROR_CATEGORIES.indexOf('configuration_error') + 1; // after "keep"
    for (let n = 0; n < 10; n++) {
      await asked(pty, `[${n + 1}/10] Rate the AI analysis`);
      // The queue is newest first: which task is on screen says which item this is.
      const i = Number(/Task: load_(\d+)/.exec(await pty.screen({ history: false }))![1]);
      await pty.keys(String(STARS[i]));
      await answer(pty, 'Extracted error', '');
      await pick(pty, 'Category', i % 2 === 0 ? configurationError : 0);
      await pick(pty, 'Severity', 0);
      await answer(pty, 'Confidence', '');
      await answer(pty, 'Reasoning', '');
      await answer(pty, 'Comment', `reviewed ${i}`);
      await pty.waitFor(new RegExp(`${n + 1}/10 reviewed, ${n + 1} with feedback`));
    }
    expect(await pty.waitForExit()).toBe(0);
    expect((await json(reviewer, 'GET', `/v1/items?date=${day}&subject=${DAG}&unrated=1`)).items).toEqual([]);

    // 4. The analyst exports the reviews with ≥ 4 stars for fine-tuning, as train and validation.
    const sides: Record<string, { run: string; lines: any[] }> = {};
    for (const side of ['train', 'validation']) {
      const res = await call(analyst, 'GET', `/v1/exports/openai-sft?all=true&subject=${DAG}&minStars=4&split=0.3&side=${side}`);
      expect(res.status).toBe(200);
      sides[side] = { run: res.headers.get('x-groundtruth-export-run')!, lines: jsonl(await res.text()) };
    }
    const lines = [...sides.train!.lines, ...sides.validation!.lines];
    const quality = STARS.map((s, i) => [s, i] as const).filter(([s]) => s >= 4).map(([, i]) => i);
    expect(lines).toHaveLength(quality.length);
    for (const line of lines) {
      const user = line.messages.find((m: any) => m.role === 'user').content as string;
      const i = Number(/load_(\d+)/.exec(user)![1]);
      expect(quality).toContain(i);
      // The assistant's answer is the corrected analysis (all fields), or the AI's where nothing was corrected.
      const answerJson = JSON.parse(line.messages.find((m: any) => m.role === 'assistant').content);
      expect(answerJson).toEqual(i % 2 === 0 ? { ...AI, category: 'configuration_error' } : AI);
    }

    // 5. The training run is recorded against both export runs, and asked back both ways.
    for (const s of Object.values(sides)) {
      await expect.poll(async () => (await json(analyst, 'GET', `/v1/exports/runs/${s.run}`)).status).toBe('complete');
    }
    const run = await json(analyst, 'POST', '/v1/training-runs', {
      modelName: 'dagnostics-llama3.1-8b-ft-2026-12-01',
      baseModel: 'llama3.1-8b',
      exportRunIds: [sides.train!.run, sides.validation!.run],
      hyperparameters: { epochs: 3, learning_rate: 0.0002 },
      metrics: { eval_loss: 0.41 },
      modelPath: '/models/dagnostics/2026-12-01',
    });
    expect(run.trainingDataSize).toBe(sides.train!.lines.length);
    const byExport = await json(analyst, 'GET', `/v1/training-runs?exportRunId=${sides.validation!.run}`);
    expect(byExport.items.map((r: any) => r.modelName)).toEqual(['dagnostics-llama3.1-8b-ft-2026-12-01']);
    const byModel = await json(analyst, 'GET', '/v1/training-runs?model=dagnostics-llama3.1-8b-ft-2026-12-01');
    expect(byModel.items[0].exportRuns.map((e: any) => e.id).sort()).toEqual([sides.train!.run, sides.validation!.run].sort());
  });
});
