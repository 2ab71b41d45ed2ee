/**
 * Contract: the AI platform's feedback collection system (../shared/seeds/002, "Feedback Collection
 * System - Implementation Summary"), from the document's own examples. Every request in it is sent
 * with its path and body verbatim (the curl body byte for byte), plus a bearer token, and every
 * answer is checked field by field: Quick Start 1–3, the integration points (chat completions,
 * memory service, tool calls), the CRUD endpoints, the stats windows and filters, the dashboard's
 * readouts, the weekly export flow `{output_path, start_date, end_date}` and its script
 * (`export_weekly_finetuning.py /tmp/dataset.jsonl --days 7`). The export gives the same lines as
 * `groundtruth export --format weighted` for the same window. Runs on SQLite and, under
 * `npm run test:postgres`, PostgreSQL.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../server/app.ts';
import { resetClock, setClock } from '../../server/lib/clock.ts';
import { openStore, type Store } from '../../server/store/open.ts';
import { createToken } from '../../server/store/tokens.ts';
import { freshPostgresUrl, testBackend } from '../helpers/backend.ts';
import { createTestApp, tempDir } from '../helpers/app.ts';

type App = Awaited<ReturnType<typeof createTestApp>>;
type Detail = string | { loc: (string | number)[]; msg: string; type: string }[];
interface DropInError {
  error: { code: string; message: string; details?: unknown };
  detail: Detail;
}

/** A request as a client sends it: the body as written (a string is sent byte for byte). */
function send(app: App['app'], token: string | null, method: string, url: string, body?: unknown) {
  return app.request(url, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}

// ——— The document's requests, verbatim ———

/** "Usage Quick Start → 1. Submit Feedback" (the curl body). */
const SUBMIT_BODY = `{
    "query": "Write hello world",
    "response": "print(\\"Hello, World!\\")",
    "model": "qwen-2.5-coder-7b",
    "rating": 1,
    "intent": "code"
  }`;
/** "2. Check Accuracy". */
const ACCURACY_URL = '/v1/feedback/accuracy?model=qwen-2.5-coder-7b';

/**
 * "Integration Points": the chat completion's feedback_data (`model_name` and `intent` from the
 * routing metadata), then `feedback_data["memory_used"] = get_memory_usage()` and
 * `feedback_data["tools_called"] = ["rag_search", "graph_query"]`; with the "rich metadata" the
 * document lists (user, session, project, custom fields) and a timestamp.
 */
function integrationBody(rating: 1 | -1, memoryUsed: number, extra: Record<string, unknown> = {}) {
  return {
    query: 'Summarise the incident report',
    response: 'Three services failed over; no data was lost.',
    model: 'qwen-2.5-14b',
    intent: 'reasoning',
    rating,
    memory_used: memoryUsed,
    tools_called: ['rag_search', 'graph_query'],
    user_id: 'user-17',
    session_id: 'session-3',
    project: 'ops',
    metadata: { ui: 'chat', latency_ms: 840 },
    ...extra,
  };
}

let restoreEnv: (() => void) | undefined;
beforeEach(() => {
  // The server writes drop-in exports under DATA_DIR/exports.
  vi.stubEnv('DATA_DIR', tempDir('gt-002-data-'));
  restoreEnv = () => vi.unstubAllEnvs();
});
afterEach(() => {
  resetClock();
  restoreEnv?.();
});

async function setup() {
  const t = await createTestApp();
  const app = await t.token('rater', { name: 'ai-platform-ui' });
  const analyst = await t.token('analyst', { name: 'dashboard' });
  return { t, app: app.token, analyst: analyst.token };
}

describe('seed 002: POST /v1/feedback and the record back (Quick Start 1, CRUD)', () => {
  it('the Quick Start body answers 201 {status, feedback_id}; GET /v1/feedback/{feedback_id} gives every field back', async () => {
    const { t, app } = await setup();
    const at = new Date('2026-03-02T09:30:00.000Z');
    setClock(at);
    const res = await send(t.app, app, 'POST', '/v1/feedback', SUBMIT_BODY);
    expect(res.status).toBe(201);
    const created = (await res.json()) as { status: string; feedback_id: string };
    expect(Object.keys(created).sort()).toEqual(['feedback_id', 'status']);
    expect(created.status).toBe('success');
    expect(created.feedback_id).toMatch(/^[0-9a-f-]{36}$/);

    const got = await send(t.app, app, 'GET', `/v1/feedback/${created.feedback_id}`);
    expect(got.status).toBe(200);
    expect(await got.json()).toEqual({
      feedback_id: created.feedback_id,
      query: 'Write hello world',
      response: 'print("Hello, World!")',
      model: 'qwen-2.5-coder-7b',
      rating: 1,
      intent: 'code',
      project: null,
      user_id: null,
      session_id: null,
      metadata: {},
      created_at: at.toISOString(),
      updated_at: at.toISOString(),
    });
  });

  it('every field the integration code sends is kept and returned (memory_used as a number, tools_called, user, session, project, metadata, created_at)', async () => {
    const { t, app } = await setup();
    setClock(new Date('2026-03-02T10:00:00.000Z'));
    const body = integrationBody(1, 512, { created_at: '2026-03-02T09:59:00Z' });
    const res = await send(t.app, app, 'POST', '/v1/feedback', body);
    expect(res.status).toBe(201);
    const { feedback_id } = (await res.json()) as { feedback_id: string };
    expect(await (await send(t.app, app, 'GET', `/v1/feedback/${feedback_id}`)).json()).toEqual({
      feedback_id,
      query: body.query,
      response: body.response,
      model: 'qwen-2.5-14b',
      rating: 1,
      intent: 'reasoning',
      project: 'ops',
      user_id: 'user-17',
      session_id: 'session-3',
      memory_used: 512,
      tools_called: ['rag_search', 'graph_query'],
      metadata: { ui: 'chat', latency_ms: 840 },
      created_at: '2026-03-02T09:59:00.000Z',
      updated_at: '2026-03-02T10:00:00.000Z',
    });
  });

  it('PUT /v1/feedback/{feedback_id} updates rating and metadata; DELETE removes it; both answer as the document does', async () => {
    const { t, app } = await setup();
    const { feedback_id } = (await (await send(t.app, app, 'POST', '/v1/feedback', SUBMIT_BODY)).json()) as { feedback_id: string };
    const put = await send(t.app, app, 'PUT', `/v1/feedback/${feedback_id}`, { rating: -1, metadata: { reason: 'missing newline' } });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ feedback_id, rating: -1, metadata: { reason: 'missing newline' }, query: 'Write hello world', model: 'qwen-2.5-coder-7b' });
    const del = await send(t.app, app, 'DELETE', `/v1/feedback/${feedback_id}`);
    expect(del.status).toBe(200);
    expect(await del.json()).toEqual({ status: 'success', feedback_id, deleted: true });
    const gone = await send(t.app, app, 'GET', `/v1/feedback/${feedback_id}`);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({ error: { code: 'not_found', message: 'No such feedback.' }, detail: 'No such feedback.' });
  });
});

describe('seed 002: what the document refuses, in FastAPI\'s shape', () => {
  it('"rating restricted to ±1": 422 with detail [{loc: ["body","rating"], msg, type}]', async () => {
    const { t, app } = await setup();
    const res = await send(t.app, app, 'POST', '/v1/feedback', SUBMIT_BODY.replace('"rating": 1', '"rating": 0'));
    expect(res.status).toBe(422);
    const body = (await res.json()) as DropInError;
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.message).toMatch(/^rating: rating must be 1 \(good\) or -1 \(bad\)/);
    expect(body.detail).toEqual([{ loc: ['body', 'rating'], msg: 'rating must be 1 (good) or -1 (bad)', type: expect.any(String) }]);
  });

  it('a missing field is "missing"; an unknown one is 422 unknown_field, named, and "extra_forbidden"', async () => {
    const { t, app } = await setup();
    const missing = await send(t.app, app, 'POST', '/v1/feedback', { response: 'r', model: 'm', rating: 1 });
    expect(missing.status).toBe(422);
    expect(((await missing.json()) as DropInError).detail).toEqual([{ loc: ['body', 'query'], msg: expect.any(String), type: 'missing' }]);

    const unknown = await send(t.app, app, 'POST', '/v1/feedback', { ...JSON.parse(SUBMIT_BODY), model_name: 'qwen' });
    expect(unknown.status).toBe(422);
    const u = (await unknown.json()) as DropInError;
    expect(u.error.code).toBe('unknown_field');
    expect(u.error.message).toMatch(/^Unknown field "model_name"; accepted: "query", "response", "model", "rating", /);
    expect(u.error.details).toMatchObject({ unknown: ['model_name'], accepted: expect.arrayContaining(['memory_used', 'tools_called', 'created_at']) });
    expect(u.detail).toEqual([{ loc: ['body', 'model_name'], msg: expect.stringMatching(/^Extra inputs are not permitted/), type: 'extra_forbidden' }]);

    const put = await send(t.app, app, 'PUT', '/v1/feedback/0190a1b2-0000-7000-8000-000000000000', { rating: 1, query: 'x' });
    expect(put.status).toBe(422);
    expect(((await put.json()) as DropInError).error.code).toBe('unknown_field');
  });

  it('an unknown query parameter is 400 named; a bad token 401; both with detail as a string', async () => {
    const { t, analyst } = await setup();
    const unknown = await send(t.app, analyst, 'GET', '/v1/feedback/accuracy?modle=qwen-2.5-coder-7b');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({
      error: { code: 'unknown_parameter', message: 'Unknown query parameter: modle.', details: { unknown: ['modle'], accepted: ['intent', 'model', 'project'] } },
      detail: 'Unknown query parameter: modle.',
    });
    const badToken = await send(t.app, 'gt_not-a-token', 'POST', '/v1/feedback', SUBMIT_BODY);
    expect(badToken.status).toBe(401);
    const b = (await badToken.json()) as DropInError;
    expect(typeof b.detail).toBe('string');
    expect(b.detail).toBe(b.error.message);
  });

  it('the native API keeps its own errors: a native body, or the list, gets no detail', async () => {
    const { t, app } = await setup();
    const native = await send(t.app, app, 'POST', '/v1/feedback', { id: 'not-a-uuid', target: { kind: 'chat_response', key: 'k' }, rating: { thumb: 'up' }, createdAt: 'x', updatedAt: 'x' });
    expect(native.status).toBe(422);
    expect(await native.json()).not.toHaveProperty('detail');
    const list = await send(t.app, app, 'GET', '/v1/feedback?modle=x');
    expect(list.status).toBe(400);
    expect(await list.json()).not.toHaveProperty('detail');
  });
});

/** Ratings as the platform's users leave them over a week, through the integration code. */
async function aWeekOfRatings(t: App, app: string) {
  const post = (rating: 1 | -1, memory: number, extra: Record<string, unknown>) => send(t.app, app, 'POST', '/v1/feedback', integrationBody(rating, memory, extra));
  const ok = async (res: Response | Promise<Response>) => expect((await res).status).toBe(201);
  await ok(send(t.app, app, 'POST', '/v1/feedback', SUBMIT_BODY));
  await ok(post(1, 256, { query: 'Fix the CSS grid', model: 'qwen-2.5-coder-7b', intent: 'code', project: 'web', user_id: 'u1', session_id: 's1' }));
  await ok(post(-1, 768, { query: 'Add a dark mode', model: 'qwen-2.5-coder-7b', intent: 'code', project: 'web', user_id: 'u2', session_id: 's2' }));
  await ok(post(1, 1024, { query: 'What is a monad?', model: 'qwen-2.5-coder-7b', intent: 'general', user_id: 'u1', session_id: 's3' }));
  await ok(post(1, 512, { user_id: 'u3', session_id: 's4' }));
  await ok(post(-1, 512, { query: 'Why did the deploy fail?', user_id: 'u3', session_id: 's4', created_at: '2026-02-20T08:00:00Z' }));
}

describe('seed 002: accuracy per model × intent × project (Quick Start 2, the dashboard)', () => {
  it('GET /v1/feedback/accuracy with no filter returns the rows of model_accuracy_by_intent', async () => {
    const { t, app, analyst } = await setup();
    setClock(new Date('2026-03-02T12:00:00Z'));
    await aWeekOfRatings(t, app);
    const res = await send(t.app, analyst, 'GET', '/v1/feedback/accuracy');
    expect(res.status).toBe(200);
    const rows = (await res.json()) as Record<string, unknown>[];
    expect(rows.map(({ interval: _i, ...r }) => r)).toEqual([
      { model: 'qwen-2.5-14b', intent: 'reasoning', project: 'ops', total: 2, positive: 1, negative: 1, accuracy: 0.5, thin: true },
      { model: 'qwen-2.5-coder-7b', intent: 'code', project: null, total: 1, positive: 1, negative: 0, accuracy: 1, thin: true },
      { model: 'qwen-2.5-coder-7b', intent: 'code', project: 'web', total: 2, positive: 1, negative: 1, accuracy: 0.5, thin: true },
      { model: 'qwen-2.5-coder-7b', intent: 'general', project: 'ops', total: 1, positive: 1, negative: 0, accuracy: 1, thin: true },
    ]);
    for (const r of rows) {
      const i = r.interval as { lower: number; upper: number; confidence: number };
      expect(i.confidence).toBe(0.95);
      expect(i.lower).toBeGreaterThanOrEqual(0);
      expect(i.lower).toBeLessThanOrEqual(r.accuracy as number);
      expect(i.upper).toBeGreaterThanOrEqual(r.accuracy as number);
      expect(i.upper).toBeLessThanOrEqual(1);
    }
  });

  it('Quick Start 2 verbatim: ?model=qwen-2.5-coder-7b narrows the rows to that model; intent and project too', async () => {
    const { t, app, analyst } = await setup();
    await aWeekOfRatings(t, app);
    const rows = (await (await send(t.app, analyst, 'GET', ACCURACY_URL)).json()) as { model: string; intent: string; project: string | null; total: number }[];
    expect(rows.map((r) => [r.model, r.intent, r.project, r.total])).toEqual([
      ['qwen-2.5-coder-7b', 'code', null, 1],
      ['qwen-2.5-coder-7b', 'code', 'web', 2],
      ['qwen-2.5-coder-7b', 'general', 'ops', 1],
    ]);
    const code = (await (await send(t.app, analyst, 'GET', '/v1/feedback/accuracy?model=qwen-2.5-coder-7b&intent=code&project=web')).json()) as unknown[];
    expect(code).toMatchObject([{ model: 'qwen-2.5-coder-7b', intent: 'code', project: 'web', total: 2, positive: 1, negative: 1, accuracy: 0.5 }]);
  });
});

describe('seed 002: statistics (7/30/90-day windows, model/intent/project filters, users, sessions, memory)', () => {
  it('GET /v1/feedback/stats?days=7 is the dashboard\'s "overall statistics (last 7 days)"; 30 and 90 widen it', async () => {
    const { t, app, analyst } = await setup();
    setClock(new Date('2026-03-02T12:00:00Z'));
    await aWeekOfRatings(t, app);
    const week = await send(t.app, analyst, 'GET', '/v1/feedback/stats?days=7');
    expect(week.status).toBe(200);
    const s = (await week.json()) as Record<string, unknown> & { daily: { date: string; total: number }[] };
    expect({ ...s, daily: undefined }).toEqual({
      days: 7,
      since: '2026-02-24',
      until: '2026-03-03',
      model: null,
      intent: null,
      project: null,
      total: 5,
      positive: 4,
      negative: 1,
      accuracy: 0.8,
      unique_users: 3,
      unique_sessions: 4,
      avg_memory_used: (256 + 768 + 1024 + 512) / 4,
      by_model: [
        { model: 'qwen-2.5-coder-7b', total: 4, positive: 3, negative: 1, accuracy: 0.75 },
        { model: 'qwen-2.5-14b', total: 1, positive: 1, negative: 0, accuracy: 1 },
      ],
      daily: undefined,
    });
    expect(s.daily).toHaveLength(7);
    expect(s.daily.at(-1)).toEqual({ date: '2026-03-02', total: 5, positive: 4, negative: 1, accuracy: 0.8 });
    const month = (await (await send(t.app, analyst, 'GET', '/v1/feedback/stats?days=30')).json()) as { total: number; unique_sessions: number; avg_memory_used: number; daily: unknown[] };
    expect(month).toMatchObject({ total: 6, negative: 2, unique_users: 3, unique_sessions: 4, avg_memory_used: (256 + 768 + 1024 + 512 + 512) / 5 });
    expect(month.daily).toHaveLength(30);
    expect(((await (await send(t.app, analyst, 'GET', '/v1/feedback/stats?days=90')).json()) as { daily: unknown[] }).daily).toHaveLength(90);
  });

  it('honours model, intent and project', async () => {
    const { t, app, analyst } = await setup();
    setClock(new Date('2026-03-02T12:00:00Z'));
    await aWeekOfRatings(t, app);
    const get = async (q: string) => (await (await send(t.app, analyst, 'GET', `/v1/feedback/stats?days=7&${q}`)).json()) as Record<string, unknown>;
    expect(await get('model=qwen-2.5-coder-7b')).toMatchObject({ model: 'qwen-2.5-coder-7b', total: 4, positive: 3, negative: 1, unique_users: 2, unique_sessions: 3, avg_memory_used: (256 + 768 + 1024) / 3 });
    expect(await get('model=qwen-2.5-coder-7b&intent=code')).toMatchObject({ intent: 'code', total: 3, unique_users: 2, unique_sessions: 2, avg_memory_used: (256 + 768) / 2 });
    expect(await get('project=web')).toMatchObject({ project: 'web', total: 2, positive: 1, negative: 1, unique_users: 2 });
    expect(await get('intent=reasoning')).toMatchObject({ total: 1, unique_users: 1, unique_sessions: 1, avg_memory_used: 512, by_model: [{ model: 'qwen-2.5-14b', total: 1 }] });
  });
});

describe('seed 002: the weekly fine-tuning export (Export Flow, export_weekly_finetuning.py)', () => {
  /** Rated at 11:00, exported at 12:00 (a window ends at its end_date, or now, exclusive). */
  async function seeded() {
    const s = await setup();
    setClock(new Date('2026-03-02T11:00:00Z'));
    await aWeekOfRatings(s.t, s.app);
    setClock(new Date('2026-03-02T12:00:00Z'));
    return s;
  }

  it('{output_path, start_date, end_date} writes the file under DATA_DIR/exports and answers the summary', async () => {
    const { t, analyst } = await seeded();
    const res = await send(t.app, analyst, 'POST', '/v1/feedback/export/finetuning', { output_path: 'weekly/2026-03-02.jsonl', start_date: '2026-02-23', end_date: '2026-03-02' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'success',
      output_path: 'weekly/2026-03-02.jsonl',
      total_samples: 5,
      positive_samples: 4,
      negative_samples: 1,
      start_date: '2026-02-23T00:00:00.000Z',
      end_date: '2026-03-03T00:00:00.000Z',
    });
    const file = path.join(process.env.DATA_DIR!, 'exports', 'weekly', '2026-03-02.jsonl');
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { messages: { role: string; content: string }[]; weight: number; metadata: Record<string, unknown> });
    expect(lines).toHaveLength(5);
    const hello = lines.find((l) => l.messages[0]!.content === 'Write hello world')!;
    expect(hello).toEqual({
      messages: [{ role: 'user', content: 'Write hello world' }, { role: 'assistant', content: 'print("Hello, World!")' }],
      weight: 2,
      metadata: { model: 'qwen-2.5-coder-7b', intent: 'code', project: null, createdAt: '2026-03-02T11:00:00.000Z', feedbackId: expect.any(String), source: 'rating', up: 1, down: 0 },
    });
    expect(lines.map((l) => l.weight).sort()).toEqual([0.5, 2, 2, 2, 2]);
    expect(fs.existsSync(path.join(process.env.DATA_DIR!, 'exports', 'weekly', '2026-03-02.manifest.json'))).toBe(true);
    // The weekly job runs again with the same name: the file is replaced.
    const again = await send(t.app, analyst, 'POST', '/v1/feedback/export/finetuning', { output_path: 'weekly/2026-03-02.jsonl', start_date: '2026-03-02', end_date: '2026-03-02' });
    expect(await again.json()).toMatchObject({ total_samples: 5 });
  });

  it('the script\'s `/tmp/dataset.jsonl --days 7`: an absolute path is 422 on output_path; the relative name with days works; days with start_date is 422', async () => {
    const { t, analyst } = await seeded();
    const absolute = await send(t.app, analyst, 'POST', '/v1/feedback/export/finetuning', { output_path: '/tmp/dataset.jsonl', days: 7 });
    expect(absolute.status).toBe(422);
    const a = (await absolute.json()) as DropInError;
    expect(a.error.message).toMatch(/^output_path: must be a file name relative to DATA_DIR\/exports\//);
    expect(a.detail).toEqual([{ loc: ['body', 'output_path'], msg: expect.stringMatching(/relative to DATA_DIR\/exports/), type: 'value_error' }]);
    expect(fs.existsSync(path.join(process.env.DATA_DIR!, 'exports'))).toBe(false);
    const escape = await send(t.app, analyst, 'POST', '/v1/feedback/export/finetuning', { output_path: '../dataset.jsonl', days: 7 });
    expect(escape.status).toBe(422);
    expect(((await escape.json()) as DropInError).error.message).toMatch(/^output_path: must not contain "\.\."/);

    const ok = await send(t.app, analyst, 'POST', '/v1/feedback/export/finetuning', { output_path: 'dataset.jsonl', days: 7 });
    expect(await ok.json()).toEqual({
      status: 'success',
      output_path: 'dataset.jsonl',
      total_samples: 5,
      positive_samples: 4,
      negative_samples: 1,
      start_date: '2026-02-23T12:00:00.000Z',
      end_date: '2026-03-02T12:00:00.000Z',
    });
    const thirty = await send(t.app, analyst, 'POST', '/v1/feedback/export/finetuning', { output_path: 'month', days: 30 });
    expect(await thirty.json()).toMatchObject({ output_path: 'month.jsonl', total_samples: 6, negative_samples: 2 });

    const both = await send(t.app, analyst, 'POST', '/v1/feedback/export/finetuning', { days: 7, start_date: '2026-02-01' });
    expect(both.status).toBe(422);
    expect(((await both.json()) as DropInError).detail).toEqual([{ loc: ['body', 'days'], msg: 'send days or start_date, not both (days counts back from end_date)', type: 'value_error' }]);
  });
});

describe('seed 002: the drop-in export and `groundtruth export --format weighted` agree', () => {
  const run = promisify(execFile);
  const BIN = path.resolve(import.meta.dirname, '../../bin/groundtruth.js');

  /** A store the CLI can open too: a SQLite directory, or a PostgreSQL schema by URL. */
  async function sharedStore(): Promise<{ store: Store; env: Record<string, string> }> {
    const dataDir = tempDir('gt-002-cli-');
    if (testBackend() === 'postgres') {
      const url = await freshPostgresUrl();
      return { store: await openStore({ databaseUrl: url, poolSize: 4, idleTimeoutMillis: 500 }), env: { DATA_DIR: dataDir, DATABASE_URL: url } };
    }
    return { store: await openStore({ dataDir }), env: { DATA_DIR: dataDir, DATABASE_URL: '' } };
  }

  it('the same lines for the same window, byte for byte', { timeout: 90_000 }, async () => {
    const { store, env } = await sharedStore();
    try {
      const app = createApp({ store, rateLimitPerMinute: 0 });
      const rater = (await createToken(store.db, { role: 'rater', name: 'ui', workspaceId: 'platform' })).token;
      const analyst = (await createToken(store.db, { role: 'analyst', name: 'cron', workspaceId: 'platform' })).token;
      setClock(new Date('2026-03-02T12:00:00Z'));
      const post = async (body: unknown) => expect((await send(app, rater, 'POST', '/v1/feedback', body)).status).toBe(201);
      await post(SUBMIT_BODY);
      await post(integrationBody(1, 512, { created_at: '2026-02-25T10:00:00Z' }));
      await post(integrationBody(-1, 512, { response: 'No idea.', created_at: '2026-02-26T10:00:00Z' }));
      // Identical prompt and answer, rated both ways: one merged example (or none on a tie).
      await post(integrationBody(1, 100, { query: 'q', response: 'a', created_at: '2026-02-27T10:00:00Z' }));
      await post(integrationBody(1, 100, { query: 'q', response: 'a', created_at: '2026-02-27T11:00:00Z' }));
      await post(integrationBody(-1, 100, { query: 'q', response: 'a', created_at: '2026-02-27T12:00:00Z' }));
      // Outside the window on either side.
      await post(integrationBody(1, 1, { query: 'early', created_at: '2026-02-10T10:00:00Z' }));
      await post(integrationBody(1, 1, { query: 'late', created_at: '2026-03-02T11:00:00Z' }));

      vi.stubEnv('DATA_DIR', env.DATA_DIR!);
      const res = await send(app, analyst, 'POST', '/v1/feedback/export/finetuning', { output_path: 'week.jsonl', start_date: '2026-02-23', end_date: '2026-03-01' });
      // Two answers to one prompt, and three identical examples merged into one.
      expect(await res.json()).toMatchObject({ total_samples: 3, positive_samples: 2, negative_samples: 1, start_date: '2026-02-23T00:00:00.000Z', end_date: '2026-03-02T00:00:00.000Z' });
      const dropIn = fs.readFileSync(path.join(env.DATA_DIR!, 'exports', 'week.jsonl'), 'utf8');
      const streamed = await (await send(app, analyst, 'POST', '/v1/feedback/export/finetuning', { start_date: '2026-02-23', end_date: '2026-03-01' })).text();
      expect(streamed).toBe(dropIn);

      const out = path.join(tempDir('gt-002-out-'), 'cli.jsonl');
      await run(process.execPath, [BIN, 'export', '--format', 'weighted', '--workspace', 'platform', '--since', '2026-02-23', '--until', '2026-03-02', '--out', out], {
        env: { ...process.env, ...env },
        timeout: 60_000,
      });
      const cli = fs.readFileSync(out, 'utf8');
      expect(cli.split('\n').filter(Boolean)).toHaveLength(3);
      expect(dropIn).toBe(cli);
    } finally {
      await store.close();
    }
  });
});
