/** GET /v1/search through app.request, on whichever backend the run uses (SQLite FTS5 or PostgreSQL full-text search). */
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, makeFeedback, upsert } from '../../test/helpers/app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const apps: TestApp[] = [];
afterEach(async () => {
  while (apps.length) await apps.pop()!.store.close();
});

async function setup() {
  const t = await createTestApp();
  apps.push(t);
  const rater = await t.token('rater');
  const analyst = await t.token('analyst');
  return { t, rater: rater.token, analyst: analyst.token };
}

function withText(comment: string, extra: Record<string, unknown> = {}) {
  return { ...makeFeedback(extra), comment };
}

describe('GET /v1/search', () => {
  it('finds comments and notes for an analyst, best first, with snippets as parts', async () => {
    const { t, rater, analyst } = await setup();
    const a = withText('the answer invented a flamingo table');
    const b = withText('nothing to see');
    expect((await t.call(rater, 'POST', '/v1/sync', { clientId: 'c', mutations: [upsert(a), upsert(b)] })).status).toBe(200);
    expect((await t.call(analyst, 'POST', '/v1/subjects/warehouse/notes', { body: 'flamingo rows are test data' })).status).toBe(201);

    const res = await t.call(analyst, 'GET', '/v1/search?q=flamingo');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { backend: string; hits: { source: string; id: string; snippet: { text: string; match: boolean }[]; rating?: unknown }[] };
    expect(['sqlite-fts5', 'postgres-fts']).toContain(body.backend);
    expect(body.hits.map((h) => h.source).sort()).toEqual(['feedback', 'note']);
    const fbHit = body.hits.find((h) => h.source === 'feedback')!;
    expect(fbHit.id).toBe(a.id);
    expect(fbHit.rating).toEqual({ thumb: 'up' });
    expect(fbHit.snippet.some((p) => p.match && p.text.toLowerCase() === 'flamingo')).toBe(true);
  });

  it('keeps deleted records out and stays in the workspace', async () => {
    const { t, rater, analyst } = await setup();
    const a = withText('axolotl sighting');
    await t.call(rater, 'POST', '/v1/sync', { clientId: 'c', mutations: [upsert(a)] });
    const otherRater = await t.token('rater', { workspaceId: 'elsewhere' });
    await t.call(otherRater.token, 'POST', '/v1/sync', { clientId: 'c', mutations: [upsert(withText('axolotl elsewhere'))] });
    let body = (await (await t.call(analyst, 'GET', '/v1/search?q=axolotl')).json()) as { hits: { id: string }[] };
    expect(body.hits.map((h) => h.id)).toEqual([a.id]);
    expect((await t.call(rater, 'DELETE', `/v1/feedback/${a.id}`)).status).toBe(200);
    body = (await (await t.call(analyst, 'GET', '/v1/search?q=axolotl')).json()) as { hits: { id: string }[] };
    expect(body.hits).toEqual([]);
  });

  it('needs an analyst token and a query', async () => {
    const { t, rater, analyst } = await setup();
    expect((await t.app.request('/v1/search?q=x')).status).toBe(401);
    expect((await t.call(rater, 'GET', '/v1/search?q=x')).status).toBe(403);
    expect((await t.call(analyst, 'GET', '/v1/search')).status).toBe(422);
    expect((await t.call(analyst, 'GET', `/v1/search?q=${encodeURIComponent('" NEAR( *')}`)).status).toBe(200);
  });

  it('is described in the OpenAPI document', async () => {
    const { t } = await setup();
    const doc = (await (await t.app.request('/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/search', '/v1/subjects/{id}/knowledge', '/v1/subjects/{id}/activity', '/v1/subjects/{id}/notes']));
  });
});
