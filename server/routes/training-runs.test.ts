/**
 * What trained what, through the API: record a run against real export runs (downloads), list by
 * model and by export run, page, PATCH the end, per-model stats with the feedback received since,
 * and no workspace ever sees or names another's export runs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, upsert, makeFeedback } from '../../test/helpers/app.ts';
import { seedRatings } from '../../test/helpers/ratings.ts';
import { startExportRun } from '../exports/runs.ts';
import { resetClock, setClock } from '../lib/clock.ts';
import { applyMutations } from '../store/feedback.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const apps: TestApp[] = [];
afterEach(async () => {
  resetClock();
  for (const t of apps.splice(0)) await t.store.close();
});

async function setup() {
  const t = await createTestApp();
  apps.push(t);
  const analyst = (await t.token('analyst', { workspaceId: 'default' })).token;
  const admin = (await t.token('admin', { workspaceId: 'default' })).token;
  const rater = (await t.token('rater', { workspaceId: 'default' })).token;
  const outsider = (await t.token('analyst', { workspaceId: 'elsewhere' })).token;
  const day = new Date(Date.now() - 86_400_000).toISOString();
  await seedRatings(
    t.store,
    'default',
    Array.from({ length: 12 }, (_, i) => ({
      rater: `r${i % 3}`,
      prompt: `question ${i}`,
      output: `answer ${i}`,
      thumb: (i % 4 === 0 ? 'down' : 'up') as 'up' | 'down',
      model: i % 2 ? 'gpt' : 'claude',
      day,
    })),
  );
  await seedRatings(t.store, 'elsewhere', [{ rater: 'x', prompt: 'p', output: 'o', thumb: 'up', model: 'gpt', day }]);
  return { t, analyst, admin, rater, outsider };
}

/** Downloads an export and waits until its run says complete (it is written just after the body ends). */
async function exportRun(t: TestApp, token: string, query: string): Promise<{ id: string; counts: { read: number; written: Record<string, number> } }> {
  const res = await t.call(token, 'GET', `/v1/exports/${query}`);
  expect(res.status).toBe(200);
  const id = res.headers.get('x-groundtruth-export-run')!;
  await res.text();
  let run;
  while (run?.status !== 'complete') {
    run = await (await t.call(token, 'GET', `/v1/exports/runs/${id}`)).json();
    if (run.status !== 'complete') await new Promise((r) => setImmediate(r));
  }
  return run;
}

describe('POST /v1/training-runs', () => {
  it('records a run against export runs; the training data size defaults to their train-side lines', async () => {
    const { t, analyst } = await setup();
    const sft = await exportRun(t, analyst, 'openai-sft?all=true&model=gpt');
    const split = await exportRun(t, analyst, 'openai-sft?all=true&split=0.3&side=train');
    const res = await t.call(analyst, 'POST', '/v1/training-runs', {
      modelName: 'dagnostics-analyzer-v2',
      baseModel: 'qwen2.5:7b',
      exportRunIds: [sft.id, split.id, sft.id],
      hyperparameters: { epochs: 3, learning_rate: 0.0002, lora: { r: 16 } },
      metrics: { eval_loss: 0.41 },
      modelPath: '/models/dagnostics-v2',
      startedAt: '2026-02-01T10:00:00+02:00',
    });
    expect(res.status).toBe(201);
    const run = await res.json();
    expect(run).toMatchObject({
      modelName: 'dagnostics-analyzer-v2',
      baseModel: 'qwen2.5:7b',
      hyperparameters: { epochs: 3, learning_rate: 0.0002, lora: { r: 16 } },
      metrics: { eval_loss: 0.41 },
      modelPath: '/models/dagnostics-v2',
      startedAt: '2026-02-01T08:00:00.000Z',
      finishedAt: null,
      workspaceId: 'default',
    });
    expect(run.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(run.exportRuns.map((e: { id: string }) => e.id)).toEqual([sft.id, split.id]);
    const trainLines = sft.counts.written.all! + split.counts.written.train!;
    expect(trainLines).toBeGreaterThan(0);
    expect(run.trainingDataSize).toBe(trainLines);
    expect(run.exportRuns[0]).toMatchObject({ format: 'openai-sft', status: 'complete', records: sft.counts.read, trainExamples: sft.counts.written.all });
    expect(run.exportRuns[0].filters).toMatchObject({ model: 'gpt' });
    expect(run.exportRuns[1]).toMatchObject({ split: 0.3, trainExamples: split.counts.written.train });
    expect(await (await t.call(analyst, 'GET', `/v1/training-runs/${run.id}`)).json()).toEqual(run);
  });

  it('takes an explicit training data size, and admins may record too', async () => {
    const { t, admin } = await setup();
    const e = await exportRun(t, admin, 'jsonl?all=true');
    const res = await t.call(admin, 'POST', '/v1/training-runs', { modelName: 'm', exportRunIds: [e.id], trainingDataSize: 7 });
    expect(res.status).toBe(201);
    expect((await res.json()).trainingDataSize).toBe(7);
  });

  it('refuses unknown export run ids by name, and records nothing', async () => {
    const { t, analyst } = await setup();
    const e = await exportRun(t, analyst, 'jsonl?all=true');
    const res = await t.call(analyst, 'POST', '/v1/training-runs', { modelName: 'm', exportRunIds: [e.id, 'nope-1', 'nope-2'] });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.error.code).toBe('unknown_export_runs');
    expect(body.error.details.ids).toEqual(['nope-1', 'nope-2']);
    expect(body.error.message).toContain('nope-1');
    expect((await (await t.call(analyst, 'GET', '/v1/training-runs')).json()).items).toEqual([]);
  });

  it('refuses an export run that did not complete', async () => {
    const { t, analyst } = await setup();
    const running = await startExportRun(t.store.db, { workspaceId: 'default', format: 'jsonl', filters: { since: null, until: null }, split: null, via: 'cli', actor: null });
    const res = await t.call(analyst, 'POST', '/v1/training-runs', { modelName: 'm', exportRunIds: [running] });
    expect(res.status).toBe(422);
    expect((await res.json()).error).toMatchObject({ code: 'export_runs_not_complete', details: { ids: [running] } });
  });

  it('checks the body: unknown fields, empty names, times out of order, NUL characters, no export runs', async () => {
    const { t, analyst } = await setup();
    const e = await exportRun(t, analyst, 'jsonl?all=true');
    const post = (body: unknown) => t.call(analyst, 'POST', '/v1/training-runs', body);
    const unknown = await post({ modelName: 'm', exportRunIds: [e.id], model_name: 'x' });
    expect(unknown.status).toBe(422);
    expect((await unknown.json()).error).toMatchObject({ code: 'unknown_field', details: { unknown: ['model_name'], accepted: expect.arrayContaining(['modelName', 'exportRunIds']) } });
    for (const body of [
      { modelName: '', exportRunIds: [e.id] },
      { modelName: 'm', exportRunIds: [] },
      { modelName: 'm\u0000x', exportRunIds: [e.id] },
      { modelName: 'm', exportRunIds: [e.id], startedAt: '2026-02-02T00:00:00Z', finishedAt: '2026-02-01T00:00:00Z' },
      { modelName: 'm', exportRunIds: [e.id], hyperparameters: [1, 2] },
      { modelName: 'm', exportRunIds: [e.id], startedAt: 'yesterday' },
    ]) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect((await res.json()).error.code).toBe('validation_failed');
    }
    expect((await post('{"modelName":')).status).toBe(400);
  });

  it('is for analysts and admins: a rater token is 403, no token 401', async () => {
    const { t, rater } = await setup();
    expect((await t.call(rater, 'POST', '/v1/training-runs', { modelName: 'm', exportRunIds: ['x'] })).status).toBe(403);
    expect((await t.call(rater, 'GET', '/v1/training-runs')).status).toBe(403);
    expect((await t.app.request('/v1/training-runs')).status).toBe(401);
  });
});

describe('GET /v1/training-runs', () => {
  it('answers which exports trained a model and which models an export trained, newest first, in pages', async () => {
    const { t, analyst } = await setup();
    const a = await exportRun(t, analyst, 'openai-sft?all=true');
    const b = await exportRun(t, analyst, 'openai-dpo?all=true');
    const ids: string[] = [];
    for (const [i, [model, exports]] of ([['v1', [a.id]], ['v2', [a.id, b.id]], ['v2', [b.id]], ['other', [b.id]]] as const).entries()) {
      setClock(Date.UTC(2026, 1, 1, 12, i));
      const res = await t.call(analyst, 'POST', '/v1/training-runs', { modelName: model, exportRunIds: exports });
      expect(res.status).toBe(201);
      ids.push((await res.json()).id);
    }
    const list = async (q: string) => (await (await t.call(analyst, 'GET', `/v1/training-runs${q}`)).json()) as { items: { id: string; modelName: string; exportRuns: { id: string }[] }[]; nextCursor: string | null };
    expect((await list('')).items.map((r) => r.id)).toEqual([...ids].reverse());
    const v2 = await list('?model=v2');
    expect(v2.items.map((r) => r.id)).toEqual([ids[2], ids[1]]);
    expect(new Set(v2.items.flatMap((r) => r.exportRuns.map((e) => e.id)))).toEqual(new Set([a.id, b.id]));
    expect((await list(`?exportRunId=${a.id}`)).items.map((r) => r.modelName)).toEqual(['v2', 'v1']);
    expect((await list(`?exportRunId=${b.id}&model=v2`)).items.map((r) => r.id)).toEqual([ids[2], ids[1]]);
    expect((await list('?model=')).items).toHaveLength(4); // an empty value counts as absent

    const first = await list('?limit=3');
    expect(first.items.map((r) => r.id)).toEqual([ids[3], ids[2], ids[1]]);
    const second = await list(`?limit=3&cursor=${first.nextCursor}`);
    expect(second.items.map((r) => r.id)).toEqual([ids[0]]);
    expect(second.nextCursor).toBeNull();
  });

  it('refuses unknown parameters and bad cursors; an unknown id is 404', async () => {
    const { t, analyst } = await setup();
    const unknown = await t.call(analyst, 'GET', '/v1/training-runs?modelName=x');
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).error).toMatchObject({ code: 'unknown_parameter', details: { unknown: ['modelName'] } });
    expect((await t.call(analyst, 'GET', '/v1/training-runs?cursor=garbage')).status).toBe(422);
    expect((await t.call(analyst, 'GET', '/v1/training-runs?limit=0')).status).toBe(422);
    expect((await t.call(analyst, 'GET', '/v1/training-runs/nope')).status).toBe(404);
    expect((await t.call(analyst, 'GET', '/v1/training-runs/stats?x=1')).status).toBe(400);
  });
});

describe('workspace isolation', () => {
  it("another workspace's export run is refused as unknown, and its runs are never listed or found", async () => {
    const { t, analyst, outsider } = await setup();
    const mine = await exportRun(t, analyst, 'jsonl?all=true');
    const theirs = await exportRun(t, outsider, 'jsonl?all=true');
    const refused = await t.call(analyst, 'POST', '/v1/training-runs', { modelName: 'm', exportRunIds: [mine.id, theirs.id] });
    expect(refused.status).toBe(422);
    expect((await refused.json()).error).toMatchObject({ code: 'unknown_export_runs', details: { ids: [theirs.id] } });

    const their = await (await t.call(outsider, 'POST', '/v1/training-runs', { modelName: 'm', exportRunIds: [theirs.id] })).json();
    const own = await (await t.call(analyst, 'POST', '/v1/training-runs', { modelName: 'm', exportRunIds: [mine.id] })).json();
    const listed = await (await t.call(analyst, 'GET', '/v1/training-runs')).json();
    expect(listed.items.map((r: { id: string }) => r.id)).toEqual([own.id]);
    expect((await (await t.call(analyst, 'GET', `/v1/training-runs?exportRunId=${theirs.id}`)).json()).items).toEqual([]);
    expect((await t.call(analyst, 'GET', `/v1/training-runs/${their.id}`)).status).toBe(404);
    expect((await t.call(analyst, 'PATCH', `/v1/training-runs/${their.id}`, { metrics: { x: 1 } })).status).toBe(404);
    const stats = await (await t.call(analyst, 'GET', '/v1/training-runs/stats')).json();
    expect(stats.models).toHaveLength(1);
    expect(stats.models[0]).toMatchObject({ modelName: 'm', runs: 1, exportRuns: 1 });
  });
});

describe('PATCH /v1/training-runs/{id}', () => {
  it('sets finishedAt, metrics and modelPath when the run ends; refuses an end before the start', async () => {
    const { t, analyst } = await setup();
    const e = await exportRun(t, analyst, 'jsonl?all=true');
    const run = await (
      await t.call(analyst, 'POST', '/v1/training-runs', { modelName: 'm', exportRunIds: [e.id], startedAt: '2026-02-01T10:00:00Z', metrics: { step: 0 } })
    ).json();
    setClock(Date.UTC(2026, 1, 1, 14));
    const res = await t.call(analyst, 'PATCH', `/v1/training-runs/${run.id}`, { finishedAt: '2026-02-01T13:30:00Z', metrics: { eval_loss: 0.3 }, modelPath: 'ollama:dag-v3' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: run.id, finishedAt: '2026-02-01T13:30:00.000Z', metrics: { eval_loss: 0.3 }, modelPath: 'ollama:dag-v3', updatedAt: '2026-02-01T14:00:00.000Z' });
    const early = await t.call(analyst, 'PATCH', `/v1/training-runs/${run.id}`, { finishedAt: '2026-02-01T09:00:00Z' });
    expect(early.status).toBe(422);
    expect((await t.call(analyst, 'PATCH', `/v1/training-runs/${run.id}`, {})).status).toBe(422);
    expect((await (await t.call(analyst, 'PATCH', `/v1/training-runs/${run.id}`, { modelName: 'x' })).json()).error.code).toBe('unknown_field');
    expect((await t.call(analyst, 'PATCH', '/v1/training-runs/nope', { metrics: {} })).status).toBe(404);
  });
});

describe('GET /v1/training-runs/stats', () => {
  it('per model: runs, the latest, what was exported to it, and the feedback received since its data was cut', async () => {
    const { t, analyst } = await setup();
    const gpt = await exportRun(t, analyst, 'jsonl?all=true&model=gpt');
    const all = await exportRun(t, analyst, 'openai-sft?all=true');
    const post = (body: object) => t.call(analyst, 'POST', '/v1/training-runs', body);
    await post({ modelName: 'dag-v1', exportRunIds: [all.id], startedAt: '2026-01-01T00:00:00Z' });
    const latest = await (await post({ modelName: 'dag-v1', exportRunIds: [gpt.id], startedAt: '2026-01-08T00:00:00Z', metrics: { acc: 0.9 } })).json();
    await post({ modelName: 'other', exportRunIds: [all.id] });

    // Feedback that arrives after the exports: 3 about gpt (the latest run's export filter), 2 about claude.
    const later = new Date(Date.now() + 60_000);
    const fresh = [...Array(3)].map(() => makeFeedback({ target: { kind: 'chat_response', key: `k-${Math.random()}`, model: 'gpt', prompt: 'p', output: 'o' } }))
      .concat([...Array(2)].map(() => makeFeedback({ target: { kind: 'chat_response', key: `k-${Math.random()}`, model: 'claude', prompt: 'p', output: 'o' } })));
    const applied = await applyMutations(t.store.db, { workspaceId: 'default', raterId: 'late', role: 'rater', tokenId: null, clientId: 'test' }, fresh.map(upsert), later);
    expect(applied.every((r) => r.status === 'applied')).toBe(true);

    const res = await t.call(analyst, 'GET', '/v1/training-runs/stats?model=dag-v1');
    expect(res.status).toBe(200);
    const { models } = await res.json();
    expect(models).toHaveLength(1);
    expect(models[0]).toMatchObject({
      modelName: 'dag-v1',
      runs: 2,
      latestRun: { id: latest.id, startedAt: '2026-01-08T00:00:00.000Z', metrics: { acc: 0.9 } },
      exportRuns: 2,
      exportedRecords: gpt.counts.read + all.counts.read,
      exportedExamples: gpt.counts.written.all! + all.counts.written.all!,
      newFeedback: { received: 5, matching: 3 },
    });
    const runs = await (await t.call(analyst, 'GET', `/v1/exports/runs/${gpt.id}`)).json();
    expect(models[0].newFeedback.since).toBe(runs.startedAt);

    const every = await (await t.call(analyst, 'GET', '/v1/training-runs/stats')).json();
    expect(every.models.map((m: { modelName: string }) => m.modelName)).toEqual(['dag-v1', 'other']);
    // The other model's export took every model: all 5 new records would go into a re-export.
    expect(every.models[1].newFeedback).toMatchObject({ received: 5, matching: 5 });
  });
});
