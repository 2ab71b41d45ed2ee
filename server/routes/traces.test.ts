/**
 * Seed 001's (Dataing) workflows through HTTP: post an investigation trace with its actors, rate
 * each step with feedback.* events (which store the feedback records the figures count), read the
 * knowledge of the dataset, and export training examples per task with minScore.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TRACE_EVENT_TYPES } from '../../shared/trace-events.ts';
import { createTestApp } from '../../test/helpers/app.ts';

type T = Awaited<ReturnType<typeof createTestApp>>;
const apps: T[] = [];
afterEach(async () => {
  while (apps.length) await apps.pop()!.store.close();
});

const DATASET = 'public.orders';
const BASE = Date.now() - 3_600_000;
const at = (minutes: number) => new Date(BASE + minutes * 60_000).toISOString();

/** Dataing's orchestrator: one investigation of a NULL spike, as it emits it. */
function investigation(inv: string, opts: { issue?: string; accepted?: string; rejected?: string } = {}) {
  const e = (type: string, data: Record<string, unknown>, minutes: number, actor: { actorId: string; actorType: 'user' | 'system' } = { actorId: 'dataing', actorType: 'system' }) => ({
    type,
    investigationId: inv,
    subject: DATASET,
    data,
    at: at(minutes),
    ...actor,
  });
  const sarah = { actorId: 'u-sarah', actorType: 'user' as const };
  return [
    e('investigation.started', { alert: { type: 'null_spike', column: 'price' }, issue_type: opts.issue ?? 'null_spike', dataset_type: 'transactions', schema: 'orders(id, price, created_at)' }, 0, sarah),
    e('hypothesis.generated', { hypothesis_id: `${inv}-h1`, text: 'NULL values from mobile app bug' }, 1),
    e('hypothesis.generated', { hypothesis_id: `${inv}-h2`, text: 'ETL job dropped the price column' }, 1),
    e('query.planned', { query_id: `${inv}-q1`, hypothesis_id: `${inv}-h1`, sql: 'select app_version, count(*) from orders where price is null group by 1' }, 2),
    e('query.executed', { query_id: `${inv}-q1` }, 3),
    e('query.succeeded', { query_id: `${inv}-q1`, rows: 3 }, 3),
    e('query.failed', { query_id: `${inv}-q2`, error: 'timeout' }, 3),
    e('evidence.collected', { evidence_id: `${inv}-e1`, summary: '97% of NULL prices come from app v2.3' }, 4),
    e('evidence.evaluated', { evidence_id: `${inv}-e1`, confidence: 0.9, summary: 'strong link to app v2.3' }, 4),
    e(`hypothesis.${opts.accepted ? 'accepted' : 'accepted'}`, { hypothesis_id: opts.accepted ?? `${inv}-h1` }, 5),
    e('hypothesis.rejected', { hypothesis_id: opts.rejected ?? `${inv}-h2` }, 5),
    e('synthesis.generated', { synthesis_id: `${inv}-s1`, root_cause: 'NULL spike caused by mobile app v2.3 bug', confidence: 0.85 }, 6),
    e('comment.added', { comment: 'Check with payments team' }, 7, sarah),
    e('investigation.completed', { summary: 'root cause found' }, 8),
  ];
}

/** A feedback.* event as 001 shows it (event_data: target_id, rating, comment, context). */
function feedback(type: string, inv: string, data: Record<string, unknown>, actorId: string, minutes: number, id?: string) {
  return { ...(id ? { id } : {}), type, investigationId: inv, subject: DATASET, actorId, actorType: 'user', at: at(minutes), data };
}

async function setup() {
  const t = await createTestApp();
  apps.push(t);
  const program = await t.token('rater', { name: 'dataing' });
  const analyst = await t.token('analyst', { name: 'Ana' });
  const post = async (body: unknown) => {
    const res = await t.call(program.token, 'POST', '/v1/events', body);
    return { status: res.status, body: (await res.json()) as any };
  };
  const get = async (path: string) => {
    const res = await t.call(analyst.token, 'GET', path);
    expect(res.status, path).toBe(200);
    return (await res.json()) as any;
  };
  const lines = async (query: string) => {
    const res = await t.call(analyst.token, 'GET', `/v1/traces/training-examples${query}`);
    expect(res.status, query).toBe(200);
    const text = await res.text();
    return { runId: res.headers.get('X-Groundtruth-Export-Run')!, examples: text.split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
  };
  return { t, program, analyst, post, get, lines };
}

describe('traces as Dataing posts them (seed 001)', () => {
  it('accepts every event type of 001 with actorId and actorType, and reads them back', async () => {
    const { post, get } = await setup();
    const events = investigation('inv-1');
    const res = await post({ events });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: any) => r.status)).toEqual(events.map(() => 'appended'));
    const page = await get('/v1/events?investigation=inv-1&limit=500');
    expect(page.events[0]).toMatchObject({ type: 'investigation.started', actorId: 'u-sarah', actorType: 'user' });
    expect(page.events[1]).toMatchObject({ actorId: 'dataing', actorType: 'system' });
    // Every type 001 lists is taken, feedback.* included (each with its rating).
    const all = TRACE_EVENT_TYPES.map((type) =>
      type.startsWith('feedback.') ? feedback(type, 'inv-all', { target_id: 'x', target_type: 'query', rating: 1 }, 'u-1', 1) : { type, investigationId: 'inv-all', data: {} },
    );
    const every = await post({ events: all });
    expect(every.body.results.map((r: any) => r.status)).toEqual(all.map(() => 'appended'));
    for (const type of ['feedback.hypothesis', 'feedback.query', 'feedback.evidence', 'feedback.synthesis', 'feedback.investigation', 'feedback.submitted']) {
      expect(TRACE_EVENT_TYPES).toContain(type);
    }
  });

  it('refuses an unknown type naming the accepted ones, and a feedback event without a rating or target', async () => {
    const { post } = await setup();
    const unknown = await post({ type: 'hypothesis.invented', investigationId: 'i', data: {} });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.message).toMatch(/^type: must be one of investigation\.started, .*feedback\.hypothesis/);
    const noRating = await post(feedback('feedback.hypothesis', 'i', { target_id: 'h' }, 'u', 1));
    expect(noRating.status).toBe(422);
    expect(noRating.body.error.message).toMatch(/^data: a feedback event needs rating/);
    const noTarget = await post(feedback('feedback.query', 'i', { rating: 1 }, 'u', 1));
    expect(noTarget.body.error.message).toMatch(/^data\.target_id:/);
    const badRating = await post(feedback('feedback.query', 'i', { target_id: 'q', rating: 5 }, 'u', 1));
    expect(badRating.body.error.message).toMatch(/^data\.rating: must be 1 \(thumbs up\) or -1/);
    const submitted = await post(feedback('feedback.submitted', 'i', { target_id: 'q', rating: 1 }, 'u', 1));
    expect(submitted.body.error.message).toMatch(/^data\.target_type:/);
    const badActor = await post({ type: 'comment.added', investigationId: 'i', data: {}, actorType: 'robot' });
    expect(badActor.body.error.message).toMatch(/^actorType: must be one of user, system/);
    // 001's snake_case names are unknown fields here, refused by name (the API is camelCase).
    const snake = await post({ type: 'comment.added', investigationId: 'i', data: {}, actor_id: 'u' });
    expect(snake.status).toBe(422);
    expect(snake.body.error).toMatchObject({ code: 'unknown_field', details: { unknown: ['actor_id'] } });
    // In a batch, each bad event is rejected with its reason and the rest are appended.
    const batch = await post({ events: [{ type: 'query.teleported', investigationId: 'i', data: {} }, feedback('feedback.hypothesis', 'i', { target_id: 'h', helpful: true }, 'u', 1)] });
    expect(batch.body.results.map((r: any) => r.status)).toEqual(['rejected', 'appended']);
    expect(batch.body.results[0].error).toMatch(/^type: must be one of/);
    // A feedback event whose record the store would refuse is refused whole: not appended either.
    const big = await post({ events: [feedback('feedback.hypothesis', 'i-big', { target_id: 'h', rating: 1, context: { log: 'x'.repeat(20_000) } }, 'u', 1)] });
    expect(big.body.results[0]).toMatchObject({ status: 'rejected', error: expect.stringMatching(/^the feedback it describes is invalid: target\.context: must serialize to at most 16384 bytes/) });
    const lone = await post(feedback('feedback.hypothesis', 'i-big', { target_id: 'h', rating: 1, context: { log: 'x'.repeat(20_000) } }, 'u', 1));
    expect(lone.status).toBe(422);
    // A feedback event far ahead of the server's clock is clock_ahead (it would become a record's time).
    const ahead = await post({ ...feedback('feedback.hypothesis', 'i', { target_id: 'h', rating: 1 }, 'u', 0), at: '2099-01-01T00:00:00Z' });
    expect(ahead.status).toBe(422);
    expect(ahead.body.error.code).toBe('clock_ahead');
  });

  it('a refused feedback event leaves no trace behind', async () => {
    const { post, get } = await setup();
    await post({ events: [feedback('feedback.hypothesis', 'i-big', { target_id: 'h', rating: 1, context: { log: 'x'.repeat(20_000) } }, 'u', 1)] });
    expect((await get('/v1/events?investigation=i-big')).events).toEqual([]);
    expect((await get('/v1/feedback?kind=hypothesis')).items).toEqual([]);
  });

  it('feedback per step stores the records the figures count; the same event again is unchanged, a later one updates', async () => {
    const { post, get, program } = await setup();
    await post({ events: investigation('inv-1') });
    const rated = await post({
      events: [
        feedback('feedback.hypothesis', 'inv-1', { target_id: 'inv-1-h1', rating: 1, comment: 'This was the right direction', context: { investigation_id: 'inv-1', dataset_id: DATASET, hypothesis_text: 'NULL values from mobile app bug' } }, 'u-sarah', 10, '0190a1b2-0000-7000-8000-0000000000f1'),
        feedback('feedback.query', 'inv-1', { target_id: 'inv-1-q1', helpful: true }, 'u-sarah', 10),
        feedback('feedback.evidence', 'inv-1', { target_id: 'inv-1-e1', score: 4 }, 'u-sarah', 10),
        feedback('feedback.synthesis', 'inv-1', { target_id: 'inv-1-s1', rating: 1 }, 'u-sarah', 10),
        feedback('feedback.investigation', 'inv-1', { helpful: true }, 'u-sarah', 10),
        feedback('feedback.hypothesis', 'inv-1', { target_id: 'inv-1-h1', rating: 1 }, 'u-mike', 10),
      ],
    });
    expect(rated.body.results.map((r: any) => [r.status, r.feedback?.status])).toEqual(Array(6).fill(['appended', 'applied']));
    expect(rated.body.results[0].feedback.targetKey).toBe('trace:inv-1-h1');
    expect(rated.body.results[4].feedback.targetKey).toBe('trace:inv-1');

    const hyp = (await get('/v1/feedback?kind=hypothesis&limit=50')).items;
    expect(hyp).toHaveLength(2);
    const sarahs = hyp.find((f: any) => f.raterId === `${program.info.raterId}/u-sarah`);
    expect(sarahs).toMatchObject({
      target: { kind: 'hypothesis', key: 'trace:inv-1-h1', subject: DATASET, output: 'NULL values from mobile app bug', context: { source: 'trace', investigation_id: 'inv-1', actor_id: 'u-sarah', actor_type: 'user' } },
      rating: { thumb: 'up' },
      comment: 'This was the right direction',
    });
    const kinds = async (kind: string) => (await get(`/v1/feedback?kind=${kind}`)).items.map((f: any) => f.rating);
    expect(await kinds('query')).toEqual([{ thumb: 'up' }]);
    expect(await kinds('evidence')).toEqual([{ stars: 4 }]);
    expect(await kinds('synthesis')).toEqual([{ thumb: 'up' }]);
    expect(await kinds('investigation')).toEqual([{ thumb: 'up' }]);
    // The figures count them.
    const stats = await get('/v1/insights/stats?kind=hypothesis');
    expect(stats.current).toMatchObject({ ratings: 2, up: 2, down: 0, raters: 2 });

    // The same event again (same id): appended once, its record unchanged.
    const again = await post(feedback('feedback.hypothesis', 'inv-1', { target_id: 'inv-1-h1', rating: 1, comment: 'This was the right direction', context: { investigation_id: 'inv-1', dataset_id: DATASET, hypothesis_text: 'NULL values from mobile app bug' } }, 'u-sarah', 10, '0190a1b2-0000-7000-8000-0000000000f1'));
    expect(again.body.results[0].status).toBe('unchanged');
    // The same vote re-sent as a new event (same time and content): its record is unchanged.
    const resent = await post(feedback('feedback.query', 'inv-1', { target_id: 'inv-1-q1', helpful: true }, 'u-sarah', 10));
    expect(resent.body.results[0]).toMatchObject({ status: 'appended', feedback: { status: 'unchanged' } });
    // A later one updates the same record; an older one arriving late is stale (last writer wins).
    const later = await post(feedback('feedback.hypothesis', 'inv-1', { target_id: 'inv-1-h1', rating: -1, comment: 'Actually a red herring' }, 'u-sarah', 20));
    expect(later.body.results[0].feedback).toEqual({ id: sarahs.id, targetKey: 'trace:inv-1-h1', status: 'applied' });
    const older = await post(feedback('feedback.hypothesis', 'inv-1', { target_id: 'inv-1-h1', rating: 1 }, 'u-sarah', 15));
    expect(older.body.results[0].feedback.status).toBe('stale');
    const now = (await get('/v1/feedback?kind=hypothesis')).items;
    expect(now).toHaveLength(2);
    expect(now.find((f: any) => f.id === sarahs.id)).toMatchObject({ rating: { thumb: 'down' }, comment: 'Actually a red herring', createdAt: sarahs.createdAt });
    expect((await get('/v1/insights/stats?kind=hypothesis')).current).toMatchObject({ ratings: 2, up: 1, down: 1 });
  });

  it('the knowledge of a dataset: investigations, common issues, findings with type, confidence and feedback score, owners, quirks from raters', async () => {
    const { t, post, get } = await setup();
    await post({ events: [...investigation('inv-1'), ...investigation('inv-2'), ...investigation('inv-3', { issue: 'volume_drop' })] });
    await post({
      events: [
        feedback('feedback.synthesis', 'inv-2', { target_id: 'inv-2-s1', rating: 1 }, 'u-sarah', 10),
        feedback('feedback.synthesis', 'inv-2', { target_id: 'inv-2-s1', rating: 1 }, 'u-mike', 10),
        feedback('feedback.synthesis', 'inv-3', { target_id: 'inv-3-s1', rating: -1 }, 'u-mike', 10),
      ],
    });
    const rater = await t.token('rater', { name: 'sarah' });
    expect((await t.call(rater.token, 'POST', `/v1/subjects/${DATASET}/notes`, { body: 'ETL has 2-day lag on weekends' })).status).toBe(201);

    const k = await get(`/v1/subjects/${DATASET}/knowledge`);
    expect(k.investigationCount).toBe(3);
    expect(k.lastInvestigationAt).not.toBeNull();
    expect(k.commonIssues).toEqual([{ issue: 'null_spike', count: 2 }, { issue: 'volume_drop', count: 1 }]);
    expect(k.findings[0]).toMatchObject({ id: 'inv-2-s1', investigationId: 'inv-2', findingType: 'root_cause', summary: 'NULL spike caused by mobile app v2.3 bug', confidence: 0.85, feedbackScore: 1, feedbackCount: 2, up: 2, down: 0 });
    expect(k.findings.at(-1)).toMatchObject({ id: 'inv-3-s1', feedbackScore: 0, down: 1 });
    expect(k.findings.map((f: any) => f.id)).toEqual(['inv-2-s1', 'inv-1-s1', 'inv-3-s1']);
    // Owners: the users most often involved (their steps and their feedback), not the system.
    expect(k.owners.map((o: any) => [o.actorId, o.events])).toEqual([['u-sarah', 7], ['u-mike', 2]]);
    expect(k.notes.map((n: any) => [n.body, n.author.name])).toEqual([['ETL has 2-day lag on weekends', 'sarah']]);
    // Positive and negative feedback of the dataset count the trace's feedback.
    expect(k.counts).toMatchObject({ up: 2, down: 1 });
    expect(k.mostActiveRaters.map((r: any) => [r.name, r.count])).toEqual([['u-mike (via dataing)', 2], ['u-sarah (via dataing)', 1]]);
    expect(k.recentActivity.find((e: any) => e.traceType === 'comment.added')).toMatchObject({ actorId: 'u-sarah', actor: { name: 'u-sarah' }, text: 'Check with payments team' });

    // Another workspace sees none of it.
    const outsider = await t.token('analyst', { workspaceId: 'elsewhere' });
    const theirs = (await (await t.call(outsider.token, 'GET', `/v1/subjects/${DATASET}/knowledge`)).json()) as any;
    expect(theirs).toMatchObject({ investigationCount: 0, findings: [], owners: [], commonIssues: [] });
  });

  it('training examples per task type as JSON lines, minScore honoured, recorded as an export run', async () => {
    const { t, post, get, lines } = await setup();
    await post({ events: [...investigation('inv-1'), ...investigation('inv-2', { accepted: 'inv-2-h2', rejected: 'inv-2-h1' })] });
    await post({
      events: [
        feedback('feedback.hypothesis', 'inv-1', { target_id: 'inv-1-h1', rating: 1 }, 'u-sarah', 10),
        feedback('feedback.hypothesis', 'inv-1', { target_id: 'inv-1-h2', rating: -1 }, 'u-sarah', 10),
        feedback('feedback.hypothesis', 'inv-2', { target_id: 'inv-2-h2', score: 4 }, 'u-sarah', 10),
        feedback('feedback.query', 'inv-1', { target_id: 'inv-1-q1', helpful: true }, 'u-sarah', 10),
        feedback('feedback.query', 'inv-2', { target_id: 'inv-2-q1', helpful: false }, 'u-sarah', 10),
        feedback('feedback.synthesis', 'inv-1', { target_id: 'inv-1-s1', rating: 1 }, 'u-sarah', 10),
      ],
    });

    const gen = await lines('?task=hypothesis_gen');
    expect(gen.examples.map((e: any) => [e.output.hypothesisId, e.feedbackScore])).toEqual([
      ['inv-1-h1', 1],
      ['inv-1-h2', 0],
      ['inv-2-h1', null],
      ['inv-2-h2', 0.75],
    ]);
    expect(gen.examples[0]).toMatchObject({
      taskType: 'hypothesis_gen',
      input: { alert: { type: 'null_spike', column: 'price' }, subject: DATASET },
      output: { hypothesis: 'NULL values from mobile app bug' },
      feedbackCount: 1,
      datasetType: 'transactions',
      issueType: 'null_spike',
      investigationId: 'inv-1',
    });
    const good = await lines('?task=hypothesis_gen&minScore=0.5');
    expect(good.examples.map((e: any) => e.output.hypothesisId)).toEqual(['inv-1-h1', 'inv-2-h2']);
    const run = await get(`/v1/exports/runs/${good.runId}`);
    expect(run).toMatchObject({ format: 'traces-hypothesis_gen', status: 'complete', counts: { examples: 2, leftOut: { belowMinScore: 1, noFeedback: 1, incomplete: 0 } } });
    expect(run.files[0].rows).toBe(2);

    const rank = await lines('?task=hypothesis_rank');
    expect(rank.examples.map((e: any) => [e.investigationId, e.output, e.feedbackScore])).toEqual([
      ['inv-1', { accepted: ['inv-1-h1'], rejected: ['inv-1-h2'], ranking: ['inv-1-h1', 'inv-1-h2'] }, 1],
      ['inv-2', { accepted: ['inv-2-h2'], rejected: ['inv-2-h1'], ranking: ['inv-2-h2', 'inv-2-h1'] }, 0.75],
    ]);
    expect(rank.examples[0].input.hypotheses).toEqual([
      { id: 'inv-1-h1', text: 'NULL values from mobile app bug' },
      { id: 'inv-1-h2', text: 'ETL job dropped the price column' },
    ]);
    expect((await lines('?task=hypothesis_rank&minScore=0.8')).examples.map((e: any) => e.investigationId)).toEqual(['inv-1']);

    const queries = await lines('?task=query_gen&minScore=0.5');
    expect(queries.examples).toHaveLength(1);
    expect(queries.examples[0]).toMatchObject({
      input: { hypothesis: 'NULL values from mobile app bug', schema: 'orders(id, price, created_at)' },
      output: { query: 'select app_version, count(*) from orders where price is null group by 1', queryId: 'inv-1-q1' },
      feedbackScore: 1,
    });

    const synth = await lines('?task=synthesis&minScore=0.5');
    expect(synth.examples).toHaveLength(1);
    expect(synth.examples[0]).toMatchObject({ output: { synthesis: 'NULL spike caused by mobile app v2.3 bug', synthesisId: 'inv-1-s1', confidence: 0.85 }, feedbackScore: 1 });
    expect(synth.examples[0].input.evidence).toEqual([
      { id: 'inv-1-e1', type: 'evidence.collected', text: '97% of NULL prices come from app v2.3' },
      { id: 'inv-1-e1', type: 'evidence.evaluated', text: 'strong link to app v2.3', confidence: 0.9 },
    ]);
    expect((await lines(`?task=synthesis&subject=elsewhere`)).examples).toEqual([]);

    // Refused, never ignored: no task, an unknown one, minScore out of range, an unknown parameter; raters may not export.
    const analyst = (await t.token('analyst')).token;
    expect((await t.call(analyst, 'GET', '/v1/traces/training-examples')).status).toBe(422);
    const unknownTask = await t.call(analyst, 'GET', '/v1/traces/training-examples?task=hypothesis_generation');
    expect(unknownTask.status).toBe(422);
    expect(((await unknownTask.json()) as any).error.message).toMatch(/hypothesis_gen, hypothesis_rank, query_gen, synthesis/);
    expect((await t.call(analyst, 'GET', '/v1/traces/training-examples?task=synthesis&minScore=2')).status).toBe(422);
    const unknownParam = await t.call(analyst, 'GET', '/v1/traces/training-examples?task=synthesis&min_score=0.5');
    expect(unknownParam.status).toBe(400);
    expect(((await unknownParam.json()) as any).error.code).toBe('unknown_parameter');
    const rater = (await t.token('rater')).token;
    expect((await t.call(rater, 'GET', '/v1/traces/training-examples?task=synthesis')).status).toBe(403);
    // Another workspace's export is empty.
    const outsider = (await t.token('analyst', { workspaceId: 'elsewhere' })).token;
    expect(await (await t.call(outsider, 'GET', '/v1/traces/training-examples?task=hypothesis_gen')).text()).toBe('');
  });

  it('pages through many investigations: every example once, in arrival order', async () => {
    const { post, lines } = await setup();
    const n = 120; // more than two pages of investigations (INVESTIGATION_PAGE)
    const events = Array.from({ length: n }, (_, i) => [
      { type: 'investigation.started', investigationId: `inv-${i}`, subject: DATASET, data: { issue_type: 'null_spike' } },
      { type: 'hypothesis.generated', investigationId: `inv-${i}`, subject: DATASET, data: { hypothesis_id: `h-${i}`, text: `hypothesis ${i}` } },
    ]).flat();
    for (let i = 0; i < events.length; i += 200) expect((await post({ events: events.slice(i, i + 200) })).status).toBe(200);
    // A later hypothesis of the first investigation stays with its investigation, never a second time.
    await post({ type: 'hypothesis.generated', investigationId: 'inv-0', subject: DATASET, data: { hypothesis_id: 'h-0b', text: 'late idea' } });
    const all = await lines('?task=hypothesis_gen');
    expect(all.examples.map((e: any) => e.output.hypothesisId)).toEqual(['h-0', 'h-0b', ...Array.from({ length: n - 1 }, (_, i) => `h-${i + 1}`)]);
  });
});
