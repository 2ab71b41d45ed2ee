/**
 * Contract: the orchestrator's feedback store (../shared/seeds/003, "Feedback Storage System
 * Documentation"), from the document's own examples. 003 is a Python library over SQLite; each of
 * its calls is made here through the HTTP route that now serves it, with its `FeedbackEntry`
 * mapped onto the record as docs/api/drop-in-feedback.md says (task → target.key and subject,
 * feedback type → criterion, content → comment, rating → stars, metadata → context, user_id →
 * context.user_id), plus a bearer token, and every answer is checked field by field:
 * create, get, get_by_task, get_by_type, get_filtered(limit, offset), update, delete (one, and
 * every entry of a task), get_summary, transaction(), the JSON backup and import, the 90-day
 * cleanup, the rating constraint and the trend query. Runs on SQLite and, under
 * `npm run test:postgres`, PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ATOMIC_BATCH_NOT_APPLIED } from '../../shared/schemas.ts';
import { resetClock, setClock } from '../../server/lib/clock.ts';
import { createTestApp } from '../helpers/app.ts';

type App = Awaited<ReturnType<typeof createTestApp>>;

/** 003's FeedbackType values. */
type FeedbackType =
  | 'task_completion'
  | 'worker_performance'
  | 'task_quality'
  | 'decomposition_effectiveness'
  | 'error_report'
  | 'general'
  | 'manager_review'
  | 'allocation_feedback';

/** 003's FeedbackEntry (its dataclass), as its clients fill it in. */
interface FeedbackEntry {
  id: string;
  task_id: string;
  feedback_type: FeedbackType;
  content: string;
  rating: number | null;
  user_id: string | null;
  metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

/**
 * The mapping (docs/api/drop-in-feedback.md, "003"): one live entry per token, task and feedback
 * type, as `update()` keeps one; an entry without a rating is labelled with its type.
 */
function recordOf(e: FeedbackEntry) {
  return {
    id: e.id,
    target: { kind: 'task', key: e.task_id, subject: e.task_id, context: { ...e.metadata, ...(e.user_id ? { user_id: e.user_id } : {}) } },
    criterion: e.feedback_type,
    rating: e.rating === null ? { label: e.feedback_type } : { stars: e.rating },
    comment: e.content,
    createdAt: e.created_at,
    updatedAt: e.updated_at,
  };
}

/** "Creating Feedback": the document's entry (`datetime.now()` pinned). */
const NOW = '2026-04-01T10:00:00.000Z';
function documentEntry(): FeedbackEntry {
  return {
    id: randomUUID(),
    task_id: 'task-123',
    feedback_type: 'task_completion',
    content: 'Task completed successfully with high quality output',
    rating: 5,
    user_id: 'user-456',
    metadata: { execution_time: 45.3, resources_used: ['claude-3', 'gpt-1'], output_quality: 'excellent' },
    created_at: NOW,
    updated_at: NOW,
  };
}

function entry(task: string, type: FeedbackType, rating: number | null, extra: Partial<FeedbackEntry> = {}): FeedbackEntry {
  return { ...documentEntry(), id: randomUUID(), task_id: task, feedback_type: type, rating, content: `${type} of ${task}`, metadata: {}, ...extra };
}

async function setup() {
  const t = await createTestApp();
  setClock(new Date('2026-04-01T12:00:00Z'));
  // The orchestrator writes with its own token and reads figures with an analyst one.
  const orchestrator = await t.token('rater', { name: 'orchestrator' });
  const analyst = await t.token('analyst', { name: 'orchestrator-reports' });
  const admin = await t.token('admin', { name: 'orchestrator-cleanup' });
  return { t, w: orchestrator.token, raterId: orchestrator.info.raterId, analyst: analyst.token, admin: admin.token };
}

async function create(t: App, token: string, e: FeedbackEntry) {
  const res = await t.call(token, 'POST', '/v1/feedback', recordOf(e));
  expect(res.status, JSON.stringify(await res.clone().json())).toBe(201);
  return res;
}

const ids = (page: { items: { id: string }[] }) => page.items.map((i) => i.id).sort();

afterEach(() => resetClock());

describe('seed 003: storage.create / get (the FeedbackEntry on the record)', () => {
  it('create(feedback) is POST /v1/feedback; get(id) gives every field back in its place', async () => {
    const { t, w, raterId } = await setup();
    const e = documentEntry();
    const res = await create(t, w, e);
    expect(await res.json()).toMatchObject({ status: 'applied', feedback: { id: e.id } });
    const got = await t.call(w, 'GET', `/v1/feedback/${e.id}`);
    expect(got.status).toBe(200);
    expect(await got.json()).toEqual({
      id: e.id,
      target: {
        kind: 'task',
        key: 'task-123',
        subject: 'task-123',
        context: { execution_time: 45.3, resources_used: ['claude-3', 'gpt-1'], output_quality: 'excellent', user_id: 'user-456' },
      },
      criterion: 'task_completion',
      rating: { stars: 5 },
      comment: 'Task completed successfully with high quality output',
      createdAt: NOW,
      updatedAt: NOW,
      receivedAt: '2026-04-01T12:00:00.000Z',
      raterId,
      workspaceId: 'default',
      clientId: null,
      // Where it came from (DESIGN, "Where a rating comes from"): a program's post is a person's, by the API.
      source: { type: 'human', channel: 'api' },
    });
  });

  it('"Constraint Violations": rating 6 is 422 naming the field; nothing is stored', async () => {
    const { t, w } = await setup();
    const res = await t.call(w, 'POST', '/v1/feedback', recordOf(entry('task-1', 'task_quality', 6)));
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/^rating\.stars: stars go from 1 to 5/);
    expect(await t.store.db.selectFrom('feedback').select('id').execute()).toHaveLength(0);
  });
});

describe('seed 003: querying (get_by_task, get_by_type, get_filtered with limit and offset)', () => {
  async function seeded() {
    const s = await setup();
    await create(s.t, s.w, documentEntry());
    await create(s.t, s.w, entry('task-123', 'worker_performance', 4, { metadata: { worker_id: 'worker-456', speed: 0.9 } }));
    await create(s.t, s.w, entry('task-123', 'error_report', null, { content: 'TimeoutError: worker did not answer' }));
    await create(s.t, s.w, entry('task-103', 'task_completion', 2));
    await create(s.t, s.w, entry('task-104', 'worker_performance', 5));
    return s;
  }

  it('get_by_task("task-123") is GET /v1/feedback?subject=task-123: that task only', async () => {
    const { t, w } = await seeded();
    const res = await t.call(w, 'GET', '/v1/feedback?subject=task-123');
    expect(res.status).toBe(200);
    const page = (await res.json()) as { items: { target: { subject: string }; criterion: string }[]; nextCursor: string | null };
    expect(page.items.map((i) => [i.target.subject, i.criterion]).sort()).toEqual([
      ['task-123', 'error_report'],
      ['task-123', 'task_completion'],
      ['task-123', 'worker_performance'],
    ]);
    expect(page.nextCursor).toBeNull();
  });

  it('get_by_type(WORKER_PERFORMANCE) is GET /v1/feedback?criterion=worker_performance', async () => {
    const { t, w } = await seeded();
    const page = (await (await t.call(w, 'GET', '/v1/feedback?criterion=worker_performance')).json()) as { items: { target: { subject: string }; criterion: string }[] };
    expect(page.items.map((i) => i.target.subject).sort()).toEqual(['task-104', 'task-123']);
    expect(new Set(page.items.map((i) => i.criterion))).toEqual(new Set(['worker_performance']));
  });

  it('get_filtered(task_id="task-123", feedback_type=TASK_COMPLETION, limit=10, offset=0)', async () => {
    const { t, w } = await seeded();
    const page = (await (await t.call(w, 'GET', '/v1/feedback?subject=task-123&criterion=task_completion&limit=10&offset=0')).json()) as {
      items: { comment: string; rating: unknown }[];
    };
    expect(page.items).toEqual([expect.objectContaining({ comment: 'Task completed successfully with high quality output', rating: { stars: 5 } })]);
  });

  it('offset pages through what limit cuts, newest first; offset with cursor is 400', async () => {
    const { t, w } = await setup();
    const made: string[] = [];
    for (let i = 0; i < 15; i++) {
      const at = new Date(Date.UTC(2026, 2, 1, 0, i)).toISOString();
      const e = entry(`task-${i}`, 'task_completion', (i % 5) + 1, { created_at: at, updated_at: at });
      await create(t, w, e);
      made.push(e.id);
    }
    const newestFirst = [...made].reverse();
    const page = async (q: string) => ((await (await t.call(w, 'GET', `/v1/feedback?criterion=task_completion&${q}`)).json()) as { items: { id: string }[] }).items.map((i) => i.id);
    expect(await page('limit=10&offset=0')).toEqual(newestFirst.slice(0, 10));
    expect(await page('limit=10&offset=10')).toEqual(newestFirst.slice(10));
    expect(await page('limit=4&offset=6')).toEqual(newestFirst.slice(6, 10));
    expect(await page('limit=10&offset=15')).toEqual([]);
    const first = (await (await t.call(w, 'GET', '/v1/feedback?criterion=task_completion&limit=10')).json()) as { nextCursor: string };
    const both = await t.call(w, 'GET', `/v1/feedback?limit=10&offset=10&cursor=${first.nextCursor}`);
    expect(both.status).toBe(400);
    expect(await both.json()).toEqual({
      error: { code: 'conflicting_parameters', message: 'offset and cursor cannot be combined: page with one or the other.', details: { params: ['offset', 'cursor'] } },
    });
    expect((await t.call(w, 'GET', '/v1/feedback?offset=-1')).status).toBe(422);
  });

  it('a misspelt filter is refused, never answered with everything (the "delete all of task-103" script)', async () => {
    const { t, w } = await seeded();
    const res = await t.call(w, 'GET', '/v1/feedback?task_id=task-103');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'unknown_parameter', message: expect.stringMatching(/task_id/) });
  });
});

describe('seed 003: update and delete', () => {
  it('update(feedback) with new content and rating is PATCH /v1/feedback/{id} {comment, rating}', async () => {
    const { t, w } = await setup();
    const e = documentEntry();
    await create(t, w, e);
    setClock(new Date('2026-04-01T12:30:00Z'));
    const res = await t.call(w, 'PATCH', `/v1/feedback/${e.id}`, { comment: 'Updated feedback content', rating: { stars: 4 }, updatedAt: '2026-04-01T12:30:00.000Z' });
    expect(res.status).toBe(200);
    const { feedback } = (await res.json()) as { status: string; feedback: Record<string, unknown> };
    expect(feedback).toMatchObject({ id: e.id, comment: 'Updated feedback content', rating: { stars: 4 }, criterion: 'task_completion', updatedAt: '2026-04-01T12:30:00.000Z', createdAt: NOW });
    expect((feedback.target as { subject: string }).subject).toBe('task-123');
  });

  it('delete(id) is DELETE /v1/feedback/{id}; "delete all feedback for a task" deletes that task\'s only', async () => {
    const { t, w } = await setup();
    const one = documentEntry();
    await create(t, w, one);
    await create(t, w, entry('task-123', 'worker_performance', 3));
    await create(t, w, entry('task-123', 'general', 4));
    const other = entry('task-124', 'general', 4);
    await create(t, w, other);
    const del = await t.call(w, 'DELETE', `/v1/feedback/${one.id}`);
    expect(del.status).toBe(200);
    expect(await del.json()).toEqual({ id: one.id, deleted: true });
    expect((await t.call(w, 'GET', `/v1/feedback/${one.id}`)).status).toBe(404);
    // for feedback in storage.get_by_task("task-123"): storage.delete(feedback.id)
    const page = (await (await t.call(w, 'GET', '/v1/feedback?subject=task-123')).json()) as { items: { id: string }[] };
    expect(page.items).toHaveLength(2);
    for (const f of page.items) expect((await t.call(w, 'DELETE', `/v1/feedback/${f.id}`)).status).toBe(200);
    expect(((await (await t.call(w, 'GET', '/v1/feedback?subject=task-123')).json()) as { items: unknown[] }).items).toEqual([]);
    expect(ids((await (await t.call(w, 'GET', '/v1/feedback')).json()) as { items: { id: string }[] })).toEqual([other.id]);
  });
});

describe('seed 003: get_summary("task-123") is GET /v1/insights/summary?subject=task-123', () => {
  it('answers {subject, total, averageRating, distribution "1".."5", byCriterion}, field by field', async () => {
    const { t, w, analyst } = await setup();
    await create(t, w, documentEntry());
    await create(t, w, entry('task-123', 'worker_performance', 4));
    await create(t, w, entry('task-123', 'task_quality', 3));
    await create(t, w, entry('task-123', 'error_report', null));
    await create(t, w, entry('task-999', 'task_quality', 1));
    const other = await t.token('rater');
    await create(t, other.token, entry('task-123', 'task_quality', 5));
    const res = await t.call(analyst, 'GET', '/v1/insights/summary?subject=task-123');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      subject: 'task-123',
      total: 5,
      averageRating: (5 + 4 + 3 + 5) / 4,
      distribution: { 1: 0, 2: 0, 3: 1, 4: 1, 5: 2 },
      byCriterion: {
        error_report: { total: 1, averageRating: null, distribution: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 } },
        task_completion: { total: 1, averageRating: 5, distribution: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 1 } },
        task_quality: { total: 2, averageRating: 4, distribution: { 1: 0, 2: 0, 3: 1, 4: 0, 5: 1 } },
        worker_performance: { total: 1, averageRating: 4, distribution: { 1: 0, 2: 0, 3: 0, 4: 1, 5: 0 } },
      },
    });
    const body = (await (await t.call(analyst, 'GET', '/v1/insights/summary?subject=task-123')).text());
    expect(body).toContain('"distribution":{"1":0,"2":0,"3":1,"4":1,"5":2}');
  });

  it('a task with no feedback, a filter, a missing subject, an unknown parameter, a rater', async () => {
    const { t, w, analyst } = await setup();
    await create(t, w, documentEntry());
    await create(t, w, entry('task-123', 'task_quality', 3));
    expect(await (await t.call(analyst, 'GET', '/v1/insights/summary?subject=task-000')).json()).toEqual({
      subject: 'task-000',
      total: 0,
      averageRating: null,
      distribution: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 },
      byCriterion: {},
    });
    expect(await (await t.call(analyst, 'GET', '/v1/insights/summary?subject=task-123&criterion=task_quality')).json()).toMatchObject({ total: 1, averageRating: 3, byCriterion: { task_quality: { total: 1 } } });
    const missing = await t.call(analyst, 'GET', '/v1/insights/summary');
    expect(missing.status).toBe(422);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/^subject: required/);
    const unknown = await t.call(analyst, 'GET', '/v1/insights/summary?task_id=task-123');
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { message: string; details: { unknown: string[] } } }).error).toMatchObject({ message: 'Unknown query parameter: task_id.', details: { unknown: ['task_id'] } });
    expect((await t.call(w, 'GET', '/v1/insights/summary?subject=task-123')).status).toBe(403);
  });
});

describe('seed 003: transactions (batch operations, "all succeed or all fail")', () => {
  const upsert = (e: FeedbackEntry) => ({ id: e.id, op: 'upsert', updatedAt: e.updated_at, feedback: recordOf(e) });

  it('with storage.transaction(): create(f1), update(f2), delete(f3) is one atomic POST /v1/sync', async () => {
    const { t, w, analyst } = await setup();
    const f2 = entry('task-2', 'task_quality', 2);
    const f3 = entry('task-3', 'task_quality', 4);
    await create(t, w, f2);
    await create(t, w, f3);
    const f1 = entry('task-1', 'task_quality', 5);
    const later = '2026-04-01T11:00:00.000Z';
    const batch = [upsert(f1), upsert({ ...f2, rating: 3, updated_at: later }), { id: f3.id, op: 'delete', updatedAt: later }];
    const res = await t.call(w, 'POST', '/v1/sync', { clientId: 'orchestrator', atomic: true, mutations: batch });
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: { id: string; status: string }[] };
    expect(results).toEqual([
      { id: f1.id, status: 'applied' },
      { id: f2.id, status: 'applied' },
      { id: f3.id, status: 'applied' },
    ]);
    expect((await (await t.call(analyst, 'GET', '/v1/insights/summary?subject=task-2')).json()).averageRating).toBe(3);
    expect((await t.call(w, 'GET', `/v1/feedback/${f3.id}`)).status).toBe(404);
  });

  it('one bad entry and the whole batch fails: nothing of it is stored', async () => {
    const { t, w, analyst } = await setup();
    const f2 = entry('task-2', 'task_quality', 2);
    await create(t, w, f2);
    const good = entry('task-1', 'task_quality', 5);
    const bad = entry('task-4', 'task_quality', 6);
    const later = '2026-04-01T11:00:00.000Z';
    const res = await t.call(w, 'POST', '/v1/sync', {
      clientId: 'orchestrator',
      atomic: true,
      mutations: [upsert(good), upsert({ ...f2, rating: 1, updated_at: later }), upsert(bad)],
    });
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: { id: string; status: string; reason?: string; error?: string }[] };
    expect(results.map((r) => [r.id, r.status, r.reason])).toEqual([
      [good.id, 'rejected', ATOMIC_BATCH_NOT_APPLIED],
      [f2.id, 'rejected', ATOMIC_BATCH_NOT_APPLIED],
      [bad.id, 'rejected', expect.any(String)],
    ]);
    expect(results[2]!.error).toMatch(/stars go from 1 to 5/);
    expect((await t.call(w, 'GET', `/v1/feedback/${good.id}`)).status).toBe(404);
    expect((await (await t.call(analyst, 'GET', '/v1/insights/summary?subject=task-2')).json()).averageRating).toBe(2);
  });
});

describe('seed 003: export and backup, import, cleanup, trends', () => {
  it('the JSON backup (get_all → file) and import (create each) round-trip through GET /v1/exports/jsonl?all=true and an atomic sync', async () => {
    const { t, w, analyst } = await setup();
    const entries = [documentEntry(), entry('task-5', 'general', null), entry('task-6', 'manager_review', 2, { created_at: '2025-01-01T00:00:00.000Z', updated_at: '2025-01-01T00:00:00.000Z' })];
    for (const e of entries) await create(t, w, e);
    const res = await t.call(analyst, 'GET', '/v1/exports/jsonl?all=true');
    expect(res.status).toBe(200);
    const backup = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(backup.map((r) => r.id).sort()).toEqual(entries.map((e) => e.id).sort());

    // Import into another workspace, all at once.
    const restore = await t.token('rater', { workspaceId: 'restored' });
    const mutations = backup.map((r) => {
      // The server's fields go; so does the source of a person's record (its channel is the server's to say).
      const { receivedAt: _r, raterId: _u, workspaceId: _w, clientId: _c, source, ...input } = r;
      expect(source).toEqual({ type: 'human', channel: 'api' });
      return { id: r.id, op: 'upsert', updatedAt: r.updatedAt, feedback: input };
    });
    const imported = await t.call(restore.token, 'POST', '/v1/sync', { clientId: 'import', atomic: true, mutations });
    expect(((await imported.json()) as { results: { status: string }[] }).results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);
    for (const e of entries) {
      const got = (await (await t.call(restore.token, 'GET', `/v1/feedback/${e.id}`)).json()) as Record<string, unknown>;
      const { receivedAt: _a, raterId: _b, workspaceId, clientId: _d, source, ...rest } = got;
      expect(workspaceId).toBe('restored');
      expect(source).toEqual({ type: 'human', channel: 'extension' });
      expect(rest).toEqual(recordOf(e));
    }
  });

  it('"Regular Cleanup": feedback older than 90 days is listed by until= and deleted; newer stays', async () => {
    const { t, w, admin } = await setup();
    const old = entry('task-old', 'general', 3, { created_at: '2025-12-01T00:00:00.000Z', updated_at: '2025-12-01T00:00:00.000Z' });
    const recent = entry('task-new', 'general', 4);
    await create(t, w, old);
    await create(t, w, recent);
    const cutoff = new Date(Date.parse('2026-04-01T12:00:00Z') - 90 * 86_400_000).toISOString();
    const page = (await (await t.call(admin, 'GET', `/v1/feedback?until=${cutoff}`)).json()) as { items: { id: string }[] };
    expect(ids(page)).toEqual([old.id]);
    for (const f of page.items) expect((await t.call(admin, 'DELETE', `/v1/feedback/${f.id}`)).status).toBe(200);
    expect(ids((await (await t.call(admin, 'GET', '/v1/feedback')).json()) as { items: { id: string }[] })).toEqual([recent.id]);
  });

  it('"Feedback Trends" (average rating per day, last 30 days) is GET /v1/insights/stats?days=30&criterion=…', async () => {
    const { t, w, analyst } = await setup();
    // /v1/insights/stats counts back from the machine's today.
    resetClock();
    const day = (ago: number) => new Date(Date.now() - ago * 86_400_000).toISOString().slice(0, 10);
    const on = (d: string, task: string, stars: number) => entry(task, 'task_quality', stars, { created_at: `${d}T00:00:01.000Z`, updated_at: `${d}T00:00:01.000Z` });
    await create(t, w, on(day(2), 'task-a', 5));
    await create(t, w, on(day(2), 'task-b', 3));
    await create(t, w, on(day(1), 'task-c', 2));
    await create(t, w, { ...on(day(1), 'task-d', 1), feedback_type: 'general' });
    const res = await t.call(analyst, 'GET', '/v1/insights/stats?days=30&criterion=task_quality');
    expect(res.status).toBe(200);
    const s = (await res.json()) as { series: { day: string; ratings: number; meanStars: number | null }[] };
    expect(s.series).toHaveLength(30);
    expect(s.series.find((d) => d.day === day(2))).toMatchObject({ ratings: 2, meanStars: 4 });
    expect(s.series.find((d) => d.day === day(1))).toMatchObject({ ratings: 1, meanStars: 2 });
  });
});
