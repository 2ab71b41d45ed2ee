/**
 * The training runs page through app.request: runs with their export runs and models, the
 * per-model figures, narrowing by model and by export run, the query checked like the API's,
 * hostile text escaped, another workspace's runs absent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/helpers/app.ts';
import { seedRatings } from '../../test/helpers/ratings.ts';
import { finishExportRun, startExportRun } from '../exports/runs.ts';
import { createTrainingRun } from '../store/training-runs.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const ORIGIN = 'http://localhost';
const HOSTILE = '<script>alert(1)</script>&"model';

let t: TestApp;
let cookie: string;
let exportA: string;
let exportB: string;

async function completeExport(workspaceId: string, filters: Record<string, unknown>, written: number): Promise<string> {
  const id = await startExportRun(t.store.db, { workspaceId, format: 'openai-sft', filters: { since: null, until: null, ...filters }, split: null, via: 'cli', actor: null });
  await finishExportRun(t.store.db, id, { status: 'complete', counts: { read: written + 2, examples: written, merged: 0, leaksDropped: 0, skipped: 2, written: { train: 0, validation: 0, all: written } }, files: [] });
  return id;
}

beforeAll(async () => {
  t = await createTestApp();
  const analyst = (await t.token('analyst', { name: 'Ana' })).token;
  await seedRatings(t.store, 'default', [{ rater: 'r', prompt: 'p', output: 'o', thumb: 'up', model: 'gpt' }]);
  exportA = await completeExport('default', { model: 'gpt' }, 40);
  exportB = await completeExport('default', {}, 25);
  const theirs = await completeExport('elsewhere', {}, 9);
  const now = new Date(Date.UTC(2026, 1, 1, 12));
  const record = (workspaceId: string, modelName: string, exportRunIds: string[], extra: object = {}, at = now) =>
    createTrainingRun(t.store.db, { workspaceId, input: { modelName, exportRunIds, ...extra }, createdBy: null }, at);
  await record('default', 'dag-v1', [exportA], { baseModel: 'qwen2.5:7b', metrics: { eval_loss: 0.42 }, modelPath: '/models/dag-v1' });
  await record('default', 'dag-v2', [exportA, exportB], { hyperparameters: { epochs: 3 } }, new Date(now.getTime() + 60_000));
  await record('default', HOSTILE, [exportB], { modelPath: '<img src=x onerror=alert(2)>' }, new Date(now.getTime() + 120_000));
  await record('elsewhere', 'their-secret-model', [theirs]);

  const res = await t.app.request('/dashboard/sign-in', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: ORIGIN },
    body: new URLSearchParams({ token: analyst }).toString(),
  });
  expect(res.status).toBe(303);
  cookie = (res.headers.get('Set-Cookie') ?? '').split(';')[0]!;
});
afterAll(async () => {
  await t.store.close();
});

const get = (path: string) => t.app.request(path, { headers: { Cookie: cookie } });

describe('dashboard training runs', () => {
  it('lists every run with the export runs it trained on, and the models with their figures; linked from the navigation', async () => {
    const res = await get('/dashboard/training');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('href="/dashboard/training" aria-current="page"');
    expect(html).toContain('data-gt="training-models"');
    expect(html).toContain('data-gt="training-runs"');
    for (const text of ['dag-v1', 'dag-v2', 'qwen2.5:7b', '/models/dag-v1', '{&quot;eval_loss&quot;:0.42}', '{&quot;epochs&quot;:3}', '40 train examples', '25 train examples']) {
      expect(html).toContain(text);
    }
    expect(html).toContain(`href="/dashboard/exports/runs/${exportA}"`);
    expect(html).toContain(`href="/dashboard/training?exportRunId=${exportB}"`);
    expect(html).not.toContain('their-secret-model');
    // Newest recorded first.
    expect(html.indexOf('>dag-v2<', html.indexOf('training-runs'))).toBeLessThan(html.indexOf('>dag-v1<', html.indexOf('training-runs')));
    // dag-v2 trained on 40 + 25 records' exports: 42 + 27 records read.
    expect(html).toMatch(/dag-v2<\/a><\/td><td class="num">1<\/td>.*?<td class="num">69<\/td>/s);
  });

  it("an export run's page links to the models trained on it", async () => {
    const html = await (await get(`/dashboard/exports/runs/${exportA}`)).text();
    expect(html).toContain(`href="/dashboard/training?exportRunId=${exportA}" data-gt="export-run-models"`);
  });

  it('escapes stored text', async () => {
    const html = await (await get('/dashboard/training')).text();
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;model');
    expect(html).toContain('&lt;img src=x onerror=alert(2)&gt;');
  });

  it('narrows by model and by export run: which exports trained a model, which models an export trained', async () => {
    const byModel = await (await get('/dashboard/training?model=dag-v1')).text();
    const runs = byModel.slice(byModel.indexOf('data-gt="training-runs"'));
    expect(runs).toContain('dag-v1');
    expect(runs).not.toContain('dag-v2');
    const byExport = await (await get(`/dashboard/training?exportRunId=${exportB}`)).text();
    const rows = byExport.slice(byExport.indexOf('data-gt="training-runs"'));
    expect(rows).toContain('dag-v2');
    expect(rows).not.toContain('>dag-v1<');
    const none = await (await get('/dashboard/training?exportRunId=nope')).text();
    expect(none).toContain('No training run matches.');
  });

  it('pages, and checks its query as the API does', async () => {
    const first = await (await get('/dashboard/training?limit=2')).text();
    const next = /href="([^"]+)" data-gt="training-next"/.exec(first)?.[1];
    expect(next).toBeDefined();
    const second = await (await get(next!.replaceAll('&amp;', '&'))).text();
    expect(second.slice(second.indexOf('data-gt="training-runs"'))).toContain('>dag-v1<');
    expect((await get('/dashboard/training?modelName=x')).status).toBe(400);
    expect((await get('/dashboard/training?limit=0')).status).toBe(422);
    expect((await get('/dashboard/training?cursor=bad')).status).toBe(422);
  });

  it('is behind sign-in', async () => {
    expect((await t.app.request('/dashboard/training')).status).toBe(401);
  });
});
