import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/helpers/app.ts';
import { seedRatings } from '../../test/helpers/ratings.ts';
import { validateOpenAIChatExample } from '../exports/validate-openai-chat.ts';

async function setup() {
  const t = await createTestApp();
  const analyst = (await t.token('analyst', { workspaceId: 'default' })).token;
  const rater = (await t.token('rater', { workspaceId: 'default' })).token;
  const outsider = (await t.token('analyst', { workspaceId: 'elsewhere' })).token;
  const day = new Date(Date.now() - 86_400_000).toISOString();
  await seedRatings(
    t.store,
    'default',
    Array.from({ length: 60 }, (_, i) => ({
      rater: `r${i % 4}`,
      conversationId: `conv-${i % 20}`,
      prompt: `question ${i}`,
      output: i % 7 === 0 ? `=cmd ${i}` : `answer ${i}`,
      thumb: (i % 3 === 0 ? 'down' : 'up') as 'up' | 'down',
      model: i % 2 ? 'gpt' : 'claude',
      day,
    })),
  );
  await seedRatings(t.store, 'default', [{ rater: 'old', prompt: 'old', output: 'old', thumb: 'up', day: '2020-01-01' }]);
  return { t, analyst, rater, outsider };
}

const lines = (text: string) => text.split('\n').filter(Boolean);

describe('GET /v1/exports/{format}', () => {
  it('streams jsonl of the last 7 days by default, with its run id; the run then holds the body sha256', async () => {
    const { t, analyst } = await setup();
    const res = await t.call(analyst, 'GET', '/v1/exports/jsonl');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="groundtruth-jsonl-.*\.jsonl"/);
    const runId = res.headers.get('x-groundtruth-export-run')!;
    const body = await res.text();
    expect(lines(body)).toHaveLength(60);
    // The run is finished once the body has been read to its end (its record is written just
    // after: look again until it says so; the test's timeout bounds the wait, not a count).
    let run;
    while (run?.status !== 'complete') {
      run = await (await t.call(analyst, 'GET', `/v1/exports/runs/${runId}`)).json();
      if (run.status !== 'complete') await new Promise((r) => setImmediate(r));
    }
    expect(run).toMatchObject({ id: runId, format: 'jsonl', via: 'http', status: 'complete' });
    expect(run.files[0]).toMatchObject({ split: 'all', rows: 60, bytes: Buffer.byteLength(body) });
    expect(run.files[0].sha256).toBe(createHash('sha256').update(body).digest('hex'));
    const all = await (await t.call(analyst, 'GET', '/v1/exports/jsonl?all=true')).text();
    expect(lines(all)).toHaveLength(61);
    const list = await (await t.call(analyst, 'GET', '/v1/exports/runs')).json();
    expect(list.items.map((r: { id: string }) => r.id)).toContain(runId);
  });

  it('streams openai-sft that passes the format checks, filtered by model', async () => {
    const { t, analyst } = await setup();
    const res = await t.call(analyst, 'GET', '/v1/exports/openai-sft?model=gpt');
    const objs = lines(await res.text()).map((l) => JSON.parse(l));
    expect(objs.length).toBeGreaterThan(0);
    for (const o of objs) expect(validateOpenAIChatExample(o)).toEqual([]);
    // Odd i are gpt; of those, i % 3 !== 0 are up.
    expect(objs).toHaveLength(Array.from({ length: 60 }, (_, i) => i).filter((i) => i % 2 === 1 && i % 3 !== 0).length);
  });

  it('serves csv as text/csv with formula cells neutralised', async () => {
    const { t, analyst } = await setup();
    const res = await t.call(analyst, 'GET', '/v1/exports/csv');
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const text = await res.text();
    expect(text.startsWith('id,createdAt,')).toBe(true);
    expect(text).toContain(",'=cmd 0,");
    expect(text).not.toMatch(/,=cmd/);
  });

  it('gives one side of a split; both sides together are the whole, without a shared conversation', async () => {
    const { t, analyst } = await setup();
    const get = async (side: string) => lines(await (await t.call(analyst, 'GET', `/v1/exports/jsonl?split=0.3&side=${side}`)).text()).map((l) => JSON.parse(l));
    const train = await get('train');
    const validation = await get('validation');
    expect(train.length + validation.length).toBe(60);
    const trainConversations = new Set(train.map((r) => r.target.conversationId));
    expect(validation.filter((r) => trainConversations.has(r.target.conversationId))).toEqual([]);
    expect((await t.call(analyst, 'GET', '/v1/exports/jsonl?split=0.3')).status).toBe(422);
    expect((await t.call(analyst, 'GET', '/v1/exports/jsonl?split=1.5&side=train')).status).toBe(422);
  });

  it('rejects an unknown format with 422', async () => {
    const { t, analyst } = await setup();
    expect((await t.call(analyst, 'GET', '/v1/exports/xml')).status).toBe(422);
  });

  it('needs the analyst role (rater 403) and stays inside the workspace', async () => {
    const { t, rater, outsider } = await setup();
    for (const path of ['/v1/exports/jsonl', '/v1/exports/runs', '/v1/exports/openai-dpo']) {
      expect((await t.call(rater, 'GET', path)).status, path).toBe(403);
    }
    expect(await (await t.call(outsider, 'GET', '/v1/exports/jsonl?all=1')).text()).toBe('');
    const { t: t2, analyst } = await setup();
    const runId = (await t2.call(analyst, 'GET', '/v1/exports/csv')).headers.get('x-groundtruth-export-run')!;
    const outsider2 = (await t2.token('analyst', { workspaceId: 'elsewhere' })).token;
    expect((await t2.call(outsider2, 'GET', `/v1/exports/runs/${runId}`)).status).toBe(404);
  });
});
