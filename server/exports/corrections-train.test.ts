/**
 * DAGnostics' workflow end to end (seed 000, issue 14 part 4): a pipeline posts errors with their
 * AI analyses as items, reviewers post stars and structured corrections as feedback, and the
 * quality export (≥ 4 stars) splits into train and validation files whose assistant messages are
 * the corrected analyses, with a manifest that counts how every example was made and why every
 * other record was left out.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import { createTestApp, tempDir } from '../../test/helpers/app.ts';
import { errorContextPrompt } from './analyses.ts';
import { exportToFiles } from './files.ts';
import type { Manifest } from './manifest.ts';
import { sideOf } from './split.ts';
import { validateOpenAIChatExample, validateOpenAIPreferenceExample } from './validate-openai-chat.ts';

type T = Awaited<ReturnType<typeof createTestApp>>;
let t: T;
let pipeline: string;
let reviewers: string[];
let analyst: string;
let dir: string;

const SPLIT = 0.3;

function context(n: number) {
  return {
    dag_id: 'daily_sales',
    task_id: `load_orders_${n}`,
    run_id: `scheduled__2026-02-0${n % 9}`,
    error_message: `Task load_orders_${n} exited with return code 137`,
    log_context: `[2026-02-01 03:00] Killed process (python) total-vm: ${n}00MB`,
  };
}

const prediction = (n: number) => ({ category: 'configuration_error', severity: 'medium', confidence: 0.6, reasoning: `Looks like a bad setting in run ${n}.` });

function item(n: number, overrides: Record<string, unknown> = {}) {
  return { key: `err-${n}`, kind: 'error_analysis', subject: 'dag:daily_sales', model: 'dagnostics-v1', output: `Analysis of error ${n}.`, context: context(n), prediction: prediction(n), ...overrides };
}

let minute = 0;
function review(key: string, stars: number, fields?: Record<string, unknown>, target: Record<string, unknown> = {}) {
  const at = new Date(Date.now() - 3_600_000 + minute++ * 60_000).toISOString();
  return {
    id: uuidv7(),
    target: { kind: 'error_analysis', key, ...target },
    rating: { stars },
    ...(fields ? { correction: { fields } } : {}),
    comment: 'reviewed',
    createdAt: at,
    updatedAt: at,
  };
}

async function send(token: string, method: string, url: string, body: unknown) {
  const res = await t.call(token, method, url, body);
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  return res.json() as Promise<any>;
}

const readJsonl = (file: string) => fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const lastUser = (messages: { role: string; content: string }[]) => messages.filter((m) => m.role === 'user').at(-1)!.content;
const answer = (o: Record<string, any>): string => o.messages.at(-1).content;

const CORRECTED_2 = { category: 'resource_error', severity: 'critical', confidence: 0.6, reasoning: 'Looks like a bad setting in run 2.' };
const CORRECTED_3 = {
  extractedError: 'return code 137 (out of memory)',
  category: 'configuration_error',
  severity: 'medium',
  confidence: 0.95,
  reasoning: 'Exit code 137 is the OOM killer.',
};
const CORRECTED_6 = { category: 'timeout_error', severity: 'high', reasoning: 'The sensor waited past its timeout.' };
const CORRECTED_7 = { category: 'timeout_error', severity: 'medium', confidence: 0.6, reasoning: 'Looks like a bad setting in run 7.' };

beforeAll(async () => {
  t = await createTestApp();
  dir = tempDir('gt-corrections-');
  pipeline = (await t.token('admin', { name: 'airflow' })).token;
  reviewers = [(await t.token('rater', { raterId: 'analyst1' })).token, (await t.token('rater', { raterId: 'analyst2' })).token];
  analyst = (await t.token('analyst')).token;

  const posted = await send(pipeline, 'POST', '/v1/items', {
    items: [
      item(1),
      item(2),
      item(3),
      item(4),
      item(5),
      // Awaiting analysis when reviewed: the reviewer's analysis is made from scratch.
      { key: 'err-6', kind: 'error_analysis', output: 'Sensor failed.', input: 'Sensor wait_for_file timed out after 3600s', context: context(6) },
      item(7),
      item(8),
    ],
  });
  expect(posted.results.map((r: { status: string }) => r.status)).toEqual(Array(8).fill('created'));
  // Another workspace has an item under the same key with another analysis, and its own review.
  const other = (await t.token('admin', { workspaceId: 'other' })).token;
  await send(other, 'POST', '/v1/items', { items: [item(2, { prediction: { category: 'network_error', severity: 'low' } })] });
  await send(other, 'POST', '/v1/feedback', review('item:err-2', 5, { severity: 'critical' }));

  const [a, b] = reviewers as [string, string];
  await send(a, 'POST', '/v1/feedback', review('item:err-1', 5)); // the analysis was right
  await send(a, 'POST', '/v1/feedback', review('item:err-2', 4, { category: 'resource_error', severity: 'critical' }));
  await send(a, 'POST', '/v1/feedback', review('item:err-3', 4, { extractedError: CORRECTED_3.extractedError, confidence: 0.95, reasoning: CORRECTED_3.reasoning, rootCause: 'free-form, kept out' }));
  await send(a, 'POST', '/v1/feedback', review('item:err-4', 2, { category: 'code_error' })); // below the quality bar
  await send(a, 'POST', '/v1/feedback', review('item:err-5', 5, { confidence: 7 })); // not an analysis
  await send(a, 'POST', '/v1/feedback', review('item:err-6', 4, CORRECTED_6));
  await send(a, 'POST', '/v1/feedback', review('item:err-7', 4, { category: 'timeout_error' }));
  await send(b, 'POST', '/v1/feedback', review('item:err-7', 5, { category: 'timeout_error' })); // the same correction twice: one example
  await send(b, 'POST', '/v1/feedback', review('item:err-8', 3));
  await send(b, 'POST', '/v1/feedback', review('item:ghost', 5)); // no such item, no prompt of its own
  await send(b, 'POST', '/v1/feedback', review('chatgpt:msg-1', 5, undefined, { kind: 'chat_response', output: 'No prompt here' }));
  await send(b, 'POST', '/v1/feedback', review('chatgpt:msg-2', 5, undefined, { kind: 'chat_response', prompt: 'What is 2+2?', output: '4' }));
});
afterAll(() => t.store.close());

const QUALITY = { all: true, minStars: 4 } as const;

describe('corrections train (DAGnostics, seed 000)', () => {
  let manifest: Manifest;
  let train: Record<string, any>[];
  let validation: Record<string, any>[];

  beforeAll(async () => {
    const out = await exportToFiles(t.store, 'default', { format: 'openai-sft', filters: QUALITY, split: SPLIT }, path.join(dir, 'feedback_export.jsonl'));
    manifest = out.manifest;
    train = readJsonl(path.join(dir, 'feedback_export.train.jsonl'));
    validation = readJsonl(path.join(dir, 'feedback_export.validation.jsonl'));
  });

  it('exports reviews with ≥ 4 stars as train and validation, every item on its side', () => {
    for (const o of [...train, ...validation]) expect(validateOpenAIChatExample(o)).toEqual([]);
    const byPrompt = (lines: Record<string, any>[]) => lines.map((o) => lastUser(o.messages));
    const trainPrompts = byPrompt(train);
    const validationPrompts = byPrompt(validation);
    for (const n of [1, 2, 3, 7]) {
      const side = sideOf(`target:item:err-${n}`, SPLIT);
      expect(side === 'train' ? trainPrompts : validationPrompts).toContain(errorContextPrompt(context(n)));
      expect(side === 'train' ? validationPrompts : trainPrompts).not.toContain(errorContextPrompt(context(n)));
    }
    expect(validation.length).toBeGreaterThan(0);
    expect(manifest.files.map((f) => [f.split, f.rows])).toEqual([
      ['train', train.length],
      ['validation', validation.length],
    ]);
  });

  it('puts the corrected analysis — the prediction with the corrected fields over it — as JSON in the assistant message', () => {
    const answers = new Map([...train, ...validation].map((o) => [lastUser(o.messages), answer(o)]));
    expect(JSON.parse(answers.get(errorContextPrompt(context(1)))!)).toEqual(prediction(1)); // approved as it was
    expect(JSON.parse(answers.get(errorContextPrompt(context(2)))!)).toEqual(CORRECTED_2); // this workspace's item, not the other's
    const third = answers.get(errorContextPrompt(context(3)))!;
    expect(JSON.parse(third)).toEqual(CORRECTED_3); // the free-form rootCause is not an analysis field
    expect(Object.keys(JSON.parse(third))).toEqual(['extractedError', 'category', 'severity', 'confidence', 'reasoning']);
    expect(JSON.parse(answers.get('Sensor wait_for_file timed out after 3600s')!)).toEqual(CORRECTED_6); // the item's input is the prompt
    expect(JSON.parse(answers.get(errorContextPrompt(context(7)))!)).toEqual(CORRECTED_7);
    expect(answers.get('What is 2+2?')).toBe('4'); // ordinary ratings still train beside them
    expect(answers.size).toBe(6);
    for (const n of [4, 5, 8]) expect(answers.has(errorContextPrompt(context(n)))).toBe(false);
  });

  it('counts examples by how they were made and every record left out by reason', () => {
    const c = manifest.counts;
    expect(c.made).toEqual({ rated_analysis: 1, corrected_analysis: 4, rated_output: 1 });
    expect(c.leftOut).toEqual({ invalid_corrected_analysis: 1, no_prompt: 1, no_prompt_or_answer: 1 });
    expect(c.skipped).toBe(3);
    expect(c.merged).toBe(1); // the two identical corrections of err-7
    // Ten records have ≥ 4 stars; each is written, merged or left out with its reason.
    expect(c.read).toBe(10);
    expect(c.written.train + c.written.validation).toBe(6);
    expect(c.written.train + c.written.validation + c.merged + c.skipped).toBe(c.read);
    expect(manifest.filters).toMatchObject({ minStars: 4, criterion: 'overall' });
  });

  it('DPO: the corrected analysis is chosen, the original analysis rejected', async () => {
    const out = await exportToFiles(t.store, 'default', { format: 'openai-dpo', filters: QUALITY }, path.join(dir, 'dpo.jsonl'));
    const lines = readJsonl(path.join(dir, 'dpo.jsonl'));
    for (const o of lines) expect(validateOpenAIPreferenceExample(o)).toEqual([]);
    const pairs = new Map(lines.map((o) => [lastUser(o.input.messages), [JSON.parse(o.preferred_output[0].content), JSON.parse(o.non_preferred_output[0].content)]]));
    expect(pairs.get(errorContextPrompt(context(2)))).toEqual([CORRECTED_2, prediction(2)]);
    expect(pairs.get(errorContextPrompt(context(3)))).toEqual([CORRECTED_3, prediction(3)]);
    expect(pairs.get(errorContextPrompt(context(7)))).toEqual([CORRECTED_7, prediction(7)]);
    expect(pairs.size).toBe(3);
    expect(out.manifest.counts.made).toEqual({ pair_from_corrected_analysis: 3 });
    // err-1 and the chat answer are up-rated with nothing to pair against; err-6 had no analysis to reject.
    expect(out.manifest.counts.leftOut).toEqual({
      no_counterpart: 2,
      no_original: 1,
      invalid_corrected_analysis: 1,
      no_prompt: 1,
      no_prompt_or_answer: 1,
    });
  });

  it('the other chat formats take the corrected analysis too (weighted, trl-kto)', async () => {
    const weighted = await exportToFiles(t.store, 'default', { format: 'weighted', filters: QUALITY }, path.join(dir, 'weighted.jsonl'));
    const lines = readJsonl(path.join(dir, 'weighted.jsonl'));
    const err2 = lines.find((o) => lastUser(o.messages) === errorContextPrompt(context(2)))!;
    expect(JSON.parse(answer(err2))).toEqual(CORRECTED_2);
    expect(err2).toMatchObject({ weight: 2, metadata: { source: 'corrected_analysis' } });
    expect(weighted.manifest.counts.made).toEqual({ rated_analysis: 1, corrected_analysis: 4, rated_output: 1 });
    await exportToFiles(t.store, 'default', { format: 'trl-kto', filters: QUALITY }, path.join(dir, 'kto.jsonl'));
    const kto = readJsonl(path.join(dir, 'kto.jsonl')).find((o) => lastUser(o.prompt) === errorContextPrompt(context(3)))!;
    expect([JSON.parse(kto.completion[0].content), kto.label]).toEqual([CORRECTED_3, true]);
  });

  it('trl-dpo and the HTTP download give the same training targets, and the run records the counts', async () => {
    const dpo = await t.call(analyst, 'GET', '/v1/exports/trl-dpo?all=true&minStars=4');
    const lines = (await dpo.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const err2 = lines.find((o) => lastUser(o.prompt) === errorContextPrompt(context(2)))!;
    expect(JSON.parse(err2.chosen[0].content)).toEqual(CORRECTED_2);
    expect(JSON.parse(err2.rejected[0].content)).toEqual(prediction(2));

    const res = await t.call(analyst, 'GET', `/v1/exports/openai-sft?all=true&minStars=4&split=${SPLIT}&side=validation`);
    expect(res.status).toBe(200);
    const body = (await res.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(body).toEqual(validation);
    const run = await send(analyst, 'GET', `/v1/exports/runs/${res.headers.get('X-Groundtruth-Export-Run')}`, undefined);
    expect(run.counts).toMatchObject({ made: manifest.counts.made, leftOut: manifest.counts.leftOut, read: 10 });
  });
});
