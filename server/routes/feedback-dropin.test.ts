/** Drop-in shape 1 under /v1/feedback, called the way apps built against it call it. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createTestApp, makeFeedback, tempDir } from '../../test/helpers/app.ts';

type T = Awaited<ReturnType<typeof createTestApp>>;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function dropIn(overrides: Record<string, unknown> = {}) {
  return {
    query: 'How do I reset my password?',
    response: 'Open Settings, then Security, then Reset password.',
    model: 'gpt-5',
    rating: 1,
    intent: 'account',
    project: 'helpdesk',
    user_id: 'user-42',
    session_id: 'sess-7',
    memory_used: true,
    tools_called: ['kb_search'],
    metadata: { channel: 'web', version: 3 },
    ...overrides,
  };
}

async function create(t: T, token: string, body: unknown) {
  const res = await t.call(token, 'POST', '/v1/feedback', body);
  return { res, body: (await res.json()) as Record<string, unknown> };
}

describe('POST /v1/feedback in the drop-in shape', () => {
  it('answers 201 with feedback_id; GET answers in the same shape; ?format=native gives the record', async () => {
    const t = await createTestApp();
    const { token, info } = await t.token('rater');
    const { res, body } = await create(t, token, dropIn());
    expect(res.status).toBe(201);
    expect(body).toEqual({ status: 'success', feedback_id: expect.any(String) });
    const id = body.feedback_id as string;

    const got = await t.call(token, 'GET', `/v1/feedback/${id}`);
    expect(got.status).toBe(200);
    const record = await got.json();
    expect(record).toEqual({
      feedback_id: id,
      query: 'How do I reset my password?',
      response: 'Open Settings, then Security, then Reset password.',
      model: 'gpt-5',
      rating: 1,
      intent: 'account',
      project: 'helpdesk',
      user_id: 'user-42',
      session_id: 'sess-7',
      memory_used: true,
      tools_called: ['kb_search'],
      metadata: { channel: 'web', version: 3 },
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });

    const native = await (await t.call(token, 'GET', `/v1/feedback/${id}?format=native`)).json();
    expect(native).toMatchObject({
      id,
      raterId: info.raterId,
      rating: { thumb: 'up' },
      target: {
        kind: 'chat_response',
        model: 'gpt-5',
        intent: 'account',
        project: 'helpdesk',
        conversationId: 'sess-7',
        prompt: 'How do I reset my password?',
        promptHash: sha256('How do I reset my password?'),
        outputHash: sha256('Open Settings, then Security, then Reset password.'),
        context: { source: 'feedback-api', user_id: 'user-42' },
      },
    });
  });

  it('each POST is its own record, even with the same text', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const a = await create(t, token, dropIn());
    const b = await create(t, token, dropIn({ rating: -1 }));
    expect(a.body.feedback_id).not.toBe(b.body.feedback_id);
    const list = (await (await t.call(token, 'GET', '/v1/feedback')).json()) as { items: unknown[] };
    expect(list.items).toHaveLength(2);
  });

  it('a rating other than 1 or -1 is 422 naming rating; a missing field is named too', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    for (const rating of [0, 2, -2, '1', 0.5, null]) {
      const { res, body } = await create(t, token, dropIn({ rating }));
      expect(res.status, `rating ${JSON.stringify(rating)}`).toBe(422);
      expect((body.error as { message: string }).message).toMatch(/^rating: rating must be 1 \(good\) or -1 \(bad\)/);
    }
    const { query: _q, ...noQuery } = dropIn();
    const missing = await create(t, token, noQuery);
    expect(missing.res.status).toBe(422);
    expect((missing.body.error as { message: string }).message).toMatch(/^query:/);
    const badMeta = await create(t, token, dropIn({ metadata: 'x' }));
    expect((badMeta.body.error as { details: { path: string }[] }).details[0]!.path).toBe('metadata');
  });

  it('keeps the native body working, with native field errors', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const f = makeFeedback();
    const ok = await create(t, token, f);
    expect(ok.res.status).toBe(201);
    expect(ok.body).toMatchObject({ status: 'applied', feedback: { id: f.id } });
    expect(await (await t.call(token, 'GET', `/v1/feedback/${f.id}`)).json()).toMatchObject({ id: f.id, target: { key: f.target.key } });
    expect(await (await t.call(token, 'GET', `/v1/feedback/${f.id}?format=dropin`)).json()).toMatchObject({ feedback_id: f.id, rating: 1, query: 'What is 2+2?' });
    const bad = await create(t, token, { ...makeFeedback(), target: { kind: 'chat_response', key: '' } });
    expect(bad.res.status).toBe(422);
    expect((bad.body.error as { message: string }).message).toMatch(/^target\.key: must not be empty/);
    expect((await t.call(token, 'GET', `/v1/feedback/${f.id}?format=xml`)).status).toBe(422);
  });

  it('redacts the query, response and metadata, and hashes the text as sent', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const query = 'My email is jane@example.com';
    const { body } = await create(t, token, dropIn({ query, metadata: { note: 'call +44 20 7946 0958' } }));
    const got = (await (await t.call(token, 'GET', `/v1/feedback/${body.feedback_id}`)).json()) as Record<string, unknown>;
    expect(got.query).toBe('My email is [EMAIL]');
    expect(got.metadata).toEqual({ note: 'call [PHONE]' });
    const native = (await (await t.call(token, 'GET', `/v1/feedback/${body.feedback_id}?format=native`)).json()) as { target: { promptHash: string } };
    expect(native.target.promptHash).toBe(sha256(query));
  });
});

describe('PUT and DELETE /v1/feedback/{id} in the drop-in shape', () => {
  it('PUT changes the rating and replaces the metadata; other fields are refused', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const id = (await create(t, token, dropIn())).body.feedback_id as string;
    const put = await t.call(token, 'PUT', `/v1/feedback/${id}`, { rating: -1, metadata: { reviewed: true } });
    expect(put.status).toBe(200);
    const after = (await put.json()) as Record<string, unknown>;
    expect(after).toMatchObject({ feedback_id: id, rating: -1, metadata: { reviewed: true }, query: 'How do I reset my password?', user_id: 'user-42' });
    expect(after.updated_at).not.toBe(after.created_at);
    expect(await (await t.call(token, 'GET', `/v1/feedback/${id}`)).json()).toMatchObject({ rating: -1, metadata: { reviewed: true } });

    const onlyRating = await t.call(token, 'PUT', `/v1/feedback/${id}`, { rating: 1 });
    expect(await onlyRating.json()).toMatchObject({ rating: 1, metadata: { reviewed: true } });

    for (const [body, field] of [
      [{ rating: 3 }, /^rating:/],
      [{ query: 'changed' }, /^Unknown field "query"; accepted: "rating", "metadata"/],
      [{}, /send rating, metadata or both/],
    ] as const) {
      const res = await t.call(token, 'PUT', `/v1/feedback/${id}`, body);
      expect(res.status).toBe(422);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(field);
    }
  });

  it('PUT on someone else’s or an unknown record is 404 for a rater, 403 for an analyst', async () => {
    const t = await createTestApp();
    const alice = await t.token('rater');
    const bob = await t.token('rater');
    const analyst = await t.token('analyst');
    const id = (await create(t, alice.token, dropIn())).body.feedback_id as string;
    expect((await t.call(bob.token, 'PUT', `/v1/feedback/${id}`, { rating: -1 })).status).toBe(404);
    expect((await t.call(analyst.token, 'PUT', `/v1/feedback/${id}`, { rating: -1 })).status).toBe(403);
    expect((await t.call(alice.token, 'PUT', '/v1/feedback/0190a1b2-0000-7000-8000-000000000000', { rating: -1 })).status).toBe(404);
  });

  it('DELETE answers in the shape the record was created in; the record then reads 404', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const id = (await create(t, token, dropIn())).body.feedback_id as string;
    const del = await t.call(token, 'DELETE', `/v1/feedback/${id}`);
    expect(del.status).toBe(200);
    expect(await del.json()).toEqual({ status: 'success', feedback_id: id, deleted: true });
    expect((await t.call(token, 'GET', `/v1/feedback/${id}`)).status).toBe(404);
    expect((await t.call(token, 'DELETE', `/v1/feedback/${id}`)).status).toBe(404);
    const f = makeFeedback();
    await create(t, token, f);
    expect(await (await t.call(token, 'DELETE', `/v1/feedback/${f.id}`)).json()).toEqual({ id: f.id, deleted: true });
  });
});

describe('GET /v1/feedback/accuracy and /stats', () => {
  async function seed(t: T, token: string) {
    const rate = (model: string, rating: number, extra: Record<string, unknown> = {}) => create(t, token, dropIn({ model, rating, ...extra }));
    await rate('gpt-5', 1);
    await rate('gpt-5', 1);
    await rate('gpt-5', 1, { intent: 'billing' });
    await rate('gpt-5', -1, { intent: 'billing', project: 'shop' });
    await rate('claude-4', -1);
    await rate('claude-4', -1);
  }

  it('accuracy: one row per model × intent × project with a Wilson interval, narrowed by the filters (and is not taken for an id)', async () => {
    const t = await createTestApp();
    const rater = await t.token('rater');
    const analyst = await t.token('analyst');
    await seed(t, rater.token);
    type Row = { model: string | null; intent: string | null; project: string | null; total: number; positive: number; negative: number; accuracy: number; interval: { lower: number; upper: number; confidence: number }; thin: boolean };
    const acc = async (q: string) => {
      const res = await t.call(analyst.token, 'GET', `/v1/feedback/accuracy${q}`);
      expect(res.status).toBe(200);
      return (await res.json()) as Row[];
    };
    const all = await acc('');
    expect(all.map((r) => [r.model, r.intent, r.project, r.total, r.positive, r.negative])).toEqual([
      ['claude-4', 'account', 'helpdesk', 2, 0, 2],
      ['gpt-5', 'account', 'helpdesk', 2, 2, 0],
      ['gpt-5', 'billing', 'helpdesk', 1, 1, 0],
      ['gpt-5', 'billing', 'shop', 1, 0, 1],
    ]);
    const gpt = await acc('?model=gpt-5');
    expect(gpt).toHaveLength(3);
    const [top] = gpt;
    expect(top).toMatchObject({ model: 'gpt-5', intent: 'account', project: 'helpdesk', accuracy: 1, thin: true });
    expect(top!.interval.confidence).toBe(0.95);
    expect(top!.interval.lower).toBeGreaterThan(0.2);
    expect(top!.interval.lower).toBeLessThan(1);
    expect(top!.interval.upper).toBe(1);
    expect(await acc('?model=gpt-5&intent=billing')).toMatchObject([{ project: 'helpdesk', total: 1 }, { project: 'shop', total: 1 }]);
    expect(await acc('?project=shop')).toMatchObject([{ model: 'gpt-5', total: 1, positive: 0, negative: 1, accuracy: 0 }]);
    expect(await acc('?model=nobody')).toEqual([]);
    expect(await acc('?model=&intent=')).toHaveLength(4);
    expect((await t.call(rater.token, 'GET', '/v1/feedback/accuracy')).status).toBe(403);
  });

  it('stats over the last N days: totals, per model, one row per day', async () => {
    const t = await createTestApp();
    const rater = await t.token('rater');
    const analyst = await t.token('analyst');
    await seed(t, rater.token);
    // An old record (2026-01-01) outside any short window.
    await create(t, rater.token, makeFeedback());
    const res = await t.call(analyst.token, 'GET', '/v1/feedback/stats?days=3');
    expect(res.status).toBe(200);
    const s = (await res.json()) as { days: number; total: number; positive: number; negative: number; accuracy: number; by_model: { model: string; total: number }[]; daily: { date: string; total: number }[] };
    expect(s).toMatchObject({ days: 3, total: 6, positive: 3, negative: 3, accuracy: 0.5 });
    expect(s.by_model).toEqual([
      { model: 'gpt-5', total: 4, positive: 3, negative: 1, accuracy: 0.75 },
      { model: 'claude-4', total: 2, positive: 0, negative: 2, accuracy: 0 },
    ]);
    expect(s.daily).toHaveLength(3);
    expect(s.daily[2]).toMatchObject({ date: new Date().toISOString().slice(0, 10), total: 6 });
    expect(((await (await t.call(analyst.token, 'GET', '/v1/feedback/stats')).json()) as { days: number }).days).toBe(7);
    for (const q of ['days=0', 'days=366', 'days=abc', 'days=1.5']) {
      expect((await t.call(analyst.token, 'GET', `/v1/feedback/stats?${q}`)).status, q).toBe(422);
    }
    expect((await t.call(rater.token, 'GET', '/v1/feedback/stats')).status).toBe(403);
  });

  it('stats honour model, intent and project, and count unique users, sessions and the mean memory_used', async () => {
    const t = await createTestApp();
    const rater = await t.token('rater');
    const analyst = await t.token('analyst');
    const post = (extra: Record<string, unknown>) => create(t, rater.token, dropIn(extra));
    await post({ model: 'm1', intent: 'code', project: 'p1', user_id: 'u1', session_id: 's1', memory_used: 100 });
    await post({ model: 'm1', intent: 'code', project: 'p1', user_id: 'u1', session_id: 's2', memory_used: 300, rating: -1 });
    await post({ model: 'm1', intent: 'chat', project: 'p2', user_id: 'u2', session_id: 's3', memory_used: 1000 });
    await post({ model: 'm2', intent: 'code', project: 'p1', user_id: 'u3', session_id: 's1', memory_used: true });
    type S = { model: string | null; intent: string | null; project: string | null; total: number; positive: number; negative: number; unique_users: number; unique_sessions: number; avg_memory_used: number | null; by_model: { model: string }[] };
    const stats = async (q: string) => (await (await t.call(analyst.token, 'GET', `/v1/feedback/stats?${q}`)).json()) as S;
    expect(await stats('')).toMatchObject({ model: null, total: 4, positive: 3, negative: 1, unique_users: 3, unique_sessions: 3, avg_memory_used: 1400 / 3 });
    expect(await stats('model=m1')).toMatchObject({ model: 'm1', total: 3, unique_users: 2, unique_sessions: 3, avg_memory_used: 1400 / 3, by_model: [{ model: 'm1' }] });
    expect(await stats('model=m1&intent=code')).toMatchObject({ intent: 'code', total: 2, positive: 1, negative: 1, unique_users: 1, unique_sessions: 2, avg_memory_used: 200 });
    expect(await stats('project=p1')).toMatchObject({ project: 'p1', total: 3, unique_users: 2, unique_sessions: 2, avg_memory_used: 200 });
    expect(await stats('model=m2')).toMatchObject({ total: 1, unique_users: 1, avg_memory_used: null });
    expect(await stats('model=nobody')).toMatchObject({ total: 0, unique_users: 0, unique_sessions: 0, avg_memory_used: null, by_model: [] });
    const unknown = await t.call(analyst.token, 'GET', '/v1/feedback/stats?modle=m1');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ error: { code: 'unknown_parameter', message: 'Unknown query parameter: modle.', details: { unknown: ['modle'] } }, detail: 'Unknown query parameter: modle.' });
  });

  it('another workspace’s ratings never count', async () => {
    const t = await createTestApp();
    const raterA = await t.token('rater', { workspaceId: 'ws-a' });
    const analystB = await t.token('analyst', { workspaceId: 'ws-b' });
    await seed(t, raterA.token);
    expect(await (await t.call(analystB.token, 'GET', '/v1/feedback/accuracy')).json()).toEqual([]);
    expect(await (await t.call(analystB.token, 'GET', '/v1/feedback/stats')).json()).toMatchObject({ total: 0, by_model: [] });
    const id = (await create(t, raterA.token, dropIn())).body.feedback_id as string;
    expect((await t.call(analystB.token, 'GET', `/v1/feedback/${id}`)).status).toBe(404);
    const adminB = await t.token('admin', { workspaceId: 'ws-b' });
    expect((await t.call(adminB.token, 'PUT', `/v1/feedback/${id}`, { rating: -1 })).status).toBe(404);
    expect((await t.call(adminB.token, 'DELETE', `/v1/feedback/${id}`)).status).toBe(404);
    const exported = await t.call(analystB.token, 'POST', '/v1/feedback/export/finetuning', {});
    expect(await exported.text()).toBe('');
    const analystA = await t.token('analyst', { workspaceId: 'ws-a' });
    // Seven ratings of one prompt and answer: one merged example (the exporter's rule).
    expect((await (await t.call(analystA.token, 'POST', '/v1/feedback/export/finetuning', {})).text()).trim().split('\n')).toHaveLength(1);
  });
});

describe('POST /v1/feedback/export/finetuning', () => {
  function lines(text: string) {
    return text
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { messages: { role: string; content: string }[]; weight: number; metadata: Record<string, unknown> });
  }

  it('answers the weighted JSONL of the last 7 days by default (without output_path)', async () => {
    const t = await createTestApp();
    const rater = await t.token('rater');
    const analyst = await t.token('analyst');
    await create(t, rater.token, dropIn({ query: 'good q', response: 'good a' }));
    await create(t, rater.token, dropIn({ query: 'bad q', response: 'bad a', rating: -1 }));
    const now = Date.now();
    const at = (daysAgo: number) => new Date(now - daysAgo * 86_400_000).toISOString();
    // Corrected answer: the correction is trained on as good, the rated answer as bad.
    await create(t, rater.token, makeFeedback({ createdAt: at(1), updatedAt: at(1), rating: { thumb: 'down' }, target: { kind: 'chat_response', key: 'k-fix', prompt: 'fix q', output: 'wrong a' }, correction: { output: 'fixed a' } }));
    // 3 stars: neither good nor bad, left out. Ten days old: outside the default window.
    await create(t, rater.token, makeFeedback({ createdAt: at(1), updatedAt: at(1), rating: { stars: 3 } }));
    await create(t, rater.token, makeFeedback({ createdAt: at(10), updatedAt: at(10), rating: { stars: 5 }, target: { kind: 'chat_response', key: 'k-old', prompt: 'old q', output: 'old a' } }));

    const res = await t.call(analyst.token, 'POST', '/v1/feedback/export/finetuning', {});
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const got = lines(await res.text());
    const byAnswer = Object.fromEntries(got.map((l) => [l.messages.at(-1)!.content, l]));
    expect(Object.keys(byAnswer).sort()).toEqual(['bad a', 'fixed a', 'good a', 'wrong a']);
    expect(byAnswer['good a']).toMatchObject({ weight: 2, messages: [{ role: 'user', content: 'good q' }, { role: 'assistant', content: 'good a' }], metadata: { model: 'gpt-5', intent: 'account', project: 'helpdesk' } });
    expect(byAnswer['bad a']).toMatchObject({ weight: 0.5 });
    expect(byAnswer['wrong a']).toMatchObject({ weight: 0.5 });
    expect(byAnswer['fixed a']).toMatchObject({ weight: 2, metadata: { source: 'correction' } });
    for (const l of got) expect(l.metadata.feedbackId).toEqual(expect.any(String));

    const wide = await t.call(analyst.token, 'POST', '/v1/feedback/export/finetuning', { start_date: at(30).slice(0, 10), end_date: new Date(now).toISOString().slice(0, 10) });
    expect(lines(await wide.text())).toHaveLength(5);
    const old = await t.call(analyst.token, 'POST', '/v1/feedback/export/finetuning', { start_date: at(11), end_date: at(9) });
    expect(lines(await old.text()).map((l) => l.weight)).toEqual([2]);
    const days = await t.call(analyst.token, 'POST', '/v1/feedback/export/finetuning', { days: 11 });
    expect(lines(await days.text())).toHaveLength(5);
  });

  it('validates dates, days and output_path, refuses unknown fields, and needs the analyst role', async () => {
    const t = await createTestApp();
    const rater = await t.token('rater');
    const analyst = await t.token('analyst');
    expect((await t.call(rater.token, 'POST', '/v1/feedback/export/finetuning', {})).status).toBe(403);
    const refused = async (body: unknown, field: RegExp) => {
      const res = await t.call(analyst.token, 'POST', '/v1/feedback/export/finetuning', body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      const b = (await res.json()) as { error: { message: string }; detail: { loc: string[] }[] };
      expect(b.error.message, JSON.stringify(body)).toMatch(field);
      expect(b.detail[0]!.loc[0]).toBe('body');
      return b;
    };
    await refused({ start_date: 'last tuesday' }, /^start_date:/);
    await refused({ start_date: '2026-02-10', end_date: '2026-02-01' }, /^start_date: must be before end_date/);
    expect((await refused({ days: 7, start_date: '2026-02-01' }, /^days: send days or start_date, not both/)).detail).toEqual([
      { loc: ['body', 'days'], msg: 'send days or start_date, not both (days counts back from end_date)', type: 'value_error' },
    ]);
    await refused({ days: 0 }, /^days:/);
    for (const output_path of ['/etc/cron.d/x.jsonl', '../x.jsonl', 'a/../../x.jsonl', 'C:\\x.jsonl', 'dir/', '']) {
      await refused({ output_path }, /^output_path:/);
    }
    const unknown = await refused({ output: 'x.jsonl' }, /^Unknown field "output"; accepted: "output_path", "start_date", "end_date", "days"/);
    expect(unknown.detail).toEqual([{ loc: ['body', 'output'], msg: expect.stringMatching(/^Extra inputs are not permitted/), type: 'extra_forbidden' }]);
    const empty = await t.call(analyst.token, 'POST', '/v1/feedback/export/finetuning', {});
    expect(empty.status).toBe(200);
    expect(await empty.text()).toBe('');
    // No body at all (curl -X POST): the defaults.
    const bare = await t.app.request('/v1/feedback/export/finetuning', { method: 'POST', headers: { Authorization: `Bearer ${analyst.token}` } });
    expect(bare.status).toBe(200);
    expect(await bare.text()).toBe('');
  });

  it('output_path never leaves DATA_DIR/exports, also through a symbolic link', async () => {
    const dataDir = tempDir('gt-dropin-data-');
    vi.stubEnv('DATA_DIR', dataDir);
    try {
      const t = await createTestApp();
      const analyst = await t.token('analyst');
      const outside = tempDir('gt-dropin-outside-');
      fs.mkdirSync(path.join(dataDir, 'exports'), { recursive: true });
      fs.symlinkSync(outside, path.join(dataDir, 'exports', 'elsewhere'));
      for (const output_path of ['elsewhere/x.jsonl', 'elsewhere/deeper/x.jsonl']) {
        const res = await t.call(analyst.token, 'POST', '/v1/feedback/export/finetuning', { output_path });
        expect(res.status, output_path).toBe(422);
        expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/^output_path: must stay under DATA_DIR\/exports\//);
      }
      expect(fs.readdirSync(outside)).toEqual([]);
      const ok = await t.call(analyst.token, 'POST', '/v1/feedback/export/finetuning', { output_path: 'inside/x.jsonl' });
      expect(await ok.json()).toMatchObject({ status: 'success', output_path: 'inside/x.jsonl', total_samples: 0 });
      expect(fs.readFileSync(path.join(dataDir, 'exports', 'inside', 'x.jsonl'), 'utf8')).toBe('');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('GET, PUT and DELETE of one record refuse an unknown query parameter, naming it, with FastAPI\'s detail', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const id = (await create(t, token, dropIn())).body.feedback_id as string;
    for (const [method, body] of [['GET', undefined], ['PUT', { rating: -1 }], ['DELETE', undefined]] as const) {
      const res = await t.call(token, method, `/v1/feedback/${id}?fromat=dropin`, body);
      expect(res.status, method).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'unknown_parameter', details: { unknown: ['fromat'] } }, detail: 'Unknown query parameter: fromat.' });
    }
    expect((await t.call(token, 'GET', `/v1/feedback/${id}`)).status).toBe(200);
  });
});
