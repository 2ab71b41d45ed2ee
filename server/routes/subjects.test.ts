/** Subject knowledge as JSON through app.request: counts, notes, findings, corrections, raters, activity. */
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, makeFeedback, upsert } from '../../test/helpers/app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const apps: TestApp[] = [];
afterEach(async () => {
  while (apps.length) await apps.pop()!.store.close();
});

const SUBJECT = 'dag:nightly_orders';

function about(key: string, thumb: 'up' | 'down', extra: Record<string, unknown> = {}) {
  const base = makeFeedback();
  return {
    ...base,
    target: {
      ...base.target,
      kind: 'error_analysis',
      key,
      subject: SUBJECT,
      output: `analysis ${key}`,
      context: { prediction: { category: 'network' } },
    },
    rating: { thumb },
    ...extra,
  };
}

async function seed() {
  const t = await createTestApp();
  apps.push(t);
  const analyst = await t.token('analyst', { name: 'Ana Analyst' });
  const alice = await t.token('rater', { name: 'Alice' });
  const bob = await t.token('rater', { name: 'Bob' });
  // Finding "good": 2 up of 2; finding "bad": 2 down; one more finding rated by Alice only.
  const alicesVotes = [
    about('good', 'up'),
    about('bad', 'down', { correction: { output: 'It was the schema', fields: { category: 'schema_change' } } }),
    about('third', 'up', { comment: 'solid' }),
  ];
  const bobsVotes = [about('good', 'up'), about('bad', 'down', { correction: { fields: { category: 'schema_change' } } })];
  const sync = (token: string, items: ReturnType<typeof about>[]) => t.call(token, 'POST', '/v1/sync', { clientId: 'c', mutations: items.map(upsert) });
  expect((await sync(alice.token, alicesVotes)).status).toBe(200);
  expect((await sync(bob.token, bobsVotes)).status).toBe(200);
  // Something about another subject, and another workspace, must not count.
  const elsewhere = makeFeedback();
  await sync(alice.token, [{ ...elsewhere, target: { ...elsewhere.target, subject: 'other' } } as never]);
  return { t, analyst: analyst.token, alice, bob };
}

describe('subjects', () => {
  it('GET /v1/subjects/{id}/knowledge: counts, findings by lower bound, corrected categories, raters, notes, activity', async () => {
    const { t, analyst, alice } = await seed();
    const noteRes = await t.call(analyst, 'POST', `/v1/subjects/${encodeURIComponent(SUBJECT)}/notes`, { body: 'Known quirk: runs twice on Mondays' });
    expect(noteRes.status).toBe(201);
    const note = (await noteRes.json()) as { id: string; author: { name: string }; createdAt: string };
    expect(note.author.name).toBe('Ana Analyst');

    const res = await t.call(analyst, 'GET', `/v1/subjects/${encodeURIComponent(SUBJECT)}/knowledge`);
    expect(res.status).toBe(200);
    const k = (await res.json()) as any;
    expect(k.subject).toBe(SUBJECT);
    expect(k.counts).toMatchObject({ total: 5, up: 3, down: 2, targets: 3 });
    expect(k.shareUp).toBeCloseTo(0.6);
    expect(k.topFindings.map((f: any) => f.targetKey)).toEqual(['good', 'third', 'bad']);
    expect(k.topFindings[0]).toMatchObject({ n: 2, up: 2, down: 0, thin: true, kind: 'error_analysis', excerpt: 'analysis good' });
    expect(k.topFindings[0].wilson.low).toBeGreaterThan(k.topFindings[1].wilson.low);
    expect(k.mostCorrectedCategories).toEqual([{ category: 'network', corrections: 2, correctedTo: [{ category: 'schema_change', count: 2 }] }]);
    expect(k.mostActiveRaters[0]).toEqual({ raterId: alice.info.raterId, name: 'Alice', count: 3 });
    expect(k.notes.map((n: any) => n.body)).toEqual(['Known quirk: runs twice on Mondays']);
    expect(k.lastActivityAt).toBe(note.createdAt);
    expect(k.recentActivity[0]).toMatchObject({ type: 'note.added', actor: { name: 'Ana Analyst' } });
    expect(k.recentActivity.filter((e: any) => e.type === 'feedback.created')).toHaveLength(5);
  });

  it('GET /v1/subjects/{id}/activity pages newest first and shows changes and deletions', async () => {
    const { t, analyst, alice } = await seed();
    const v = about('later', 'up');
    await t.call(alice.token, 'POST', '/v1/sync', { clientId: 'c', mutations: [upsert(v)] });
    await t.call(alice.token, 'PATCH', `/v1/feedback/${v.id}`, { rating: { thumb: 'down' }, comment: 'changed my mind' });
    const activity = async (query: string) => (await (await t.call(analyst, 'GET', `/v1/subjects/${encodeURIComponent(SUBJECT)}/activity?${query}`)).json()) as any;
    const edited = await activity('limit=2');
    expect(edited.entries.map((e: any) => e.type)).toEqual(['feedback.updated', 'feedback.created']);
    expect(edited.entries[0]).toMatchObject({ rating: { thumb: 'down' }, text: 'changed my mind', actor: { name: 'Alice' } });
    await t.call(alice.token, 'DELETE', `/v1/feedback/${v.id}`);
    const res = await t.call(analyst, 'GET', `/v1/subjects/${encodeURIComponent(SUBJECT)}/activity?limit=3`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as any;
    expect(page.entries.map((e: any) => e.type)).toEqual(['feedback.deleted', 'feedback.updated', 'feedback.created']);
    // A deleted record's text leaves its history too (ADR 0013); who did what, and the rating, stay.
    expect(page.entries[1]).toMatchObject({ rating: { thumb: 'down' }, actor: { name: 'Alice' } });
    expect(page.entries[1].text).toBeUndefined();
    expect(page.nextBefore).toBeTruthy();
    const next = (await (await t.call(analyst, 'GET', `/v1/subjects/${encodeURIComponent(SUBJECT)}/activity?limit=50&before=${encodeURIComponent(page.nextBefore)}`)).json()) as any;
    expect(next.entries.every((e: any) => e.at < page.nextBefore)).toBe(true);
    expect(next.entries.length).toBeGreaterThan(0);
  });

  it('the activity feed includes investigation trace steps about the subject', async () => {
    const { t, analyst, alice } = await seed();
    const res = await t.call(alice.token, 'POST', '/v1/events', {
      events: [
        { type: 'investigation.started', investigationId: 'inv-1', subject: SUBJECT, data: {} },
        { type: 'hypothesis.generated', investigationId: 'inv-1', subject: SUBJECT, data: { hypothesis: 'the upstream file is late' } },
        { type: 'hypothesis.generated', investigationId: 'inv-2', subject: 'other', data: { hypothesis: 'not this subject' } },
      ],
    });
    expect(res.status).toBe(200);
    const page = (await (await t.call(analyst, 'GET', `/v1/subjects/${encodeURIComponent(SUBJECT)}/activity?limit=50`)).json()) as any;
    const traces = page.entries.filter((e: any) => e.type === 'trace');
    expect(traces.map((e: any) => e.traceType).sort()).toEqual(['hypothesis.generated', 'investigation.started']);
    expect(traces.find((e: any) => e.traceType === 'hypothesis.generated')).toMatchObject({
      investigationId: 'inv-1',
      text: 'the upstream file is late',
      actor: { name: 'Alice' },
    });
  });

  it('an unknown subject has empty knowledge; roles and validation are enforced', async () => {
    const { t, analyst, alice } = await seed();
    const empty = (await (await t.call(analyst, 'GET', '/v1/subjects/nothing-here/knowledge')).json()) as any;
    expect(empty.counts.total).toBe(0);
    expect(empty.topFindings).toEqual([]);
    expect(empty).toMatchObject({ investigationCount: 0, lastInvestigationAt: null, commonIssues: [], findings: [], owners: [] });
    expect((await t.call(alice.token, 'GET', `/v1/subjects/${SUBJECT}/knowledge`)).status).toBe(403);
    // Raters add quirks (ADR 0039); reading knowledge stays analyst+.
    const quirk = await t.call(alice.token, 'POST', `/v1/subjects/${SUBJECT}/notes`, { body: 'ETL has 2-day lag on weekends' });
    expect(quirk.status).toBe(201);
    expect(((await quirk.json()) as any).author.name).toBe('Alice');
    expect((await t.call(analyst, 'POST', `/v1/subjects/${SUBJECT}/notes`, { body: '   ' })).status).toBe(422);
    expect((await t.call(analyst, 'POST', `/v1/subjects/${SUBJECT}/notes`, { body: 'x'.repeat(5001) })).status).toBe(422);
    expect((await t.call(analyst, 'POST', `/v1/subjects/${SUBJECT}/notes`, '{bad json')).status).toBe(400);
    // Another workspace sees nothing of this one.
    const outsider = await t.token('analyst', { workspaceId: 'elsewhere' });
    const theirs = (await (await t.call(outsider.token, 'GET', `/v1/subjects/${encodeURIComponent(SUBJECT)}/knowledge`)).json()) as any;
    expect(theirs.counts.total).toBe(0);
    expect(theirs.notes).toEqual([]);
  });
});
