/** Drop-in shape 1 under /v1/feedback, called the way apps built against it call it. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTestApp, makeFeedback } from '../../test/helpers/app.ts';

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
      [{ query: 'changed' }, /only rating and metadata can be changed/],
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

  it('accuracy per model, intent and project with a Wilson interval (and is not taken for an id)', async () => {
    const t = await createTestApp();
    const rater = await t.token('rater');
    const analyst = await t.token('analyst');
    await seed(t, rater.token);
    const acc = async (q: string) => {
      const res = await t.call(analyst.token, 'GET', `/v1/feedback/accuracy${q}`);
      expect(res.status).toBe(200);
      return (await res.json()) as { total: number; positive: number; negative: number; accuracy: number | null; interval: { lower: number; upper: number; confidence: number } | null; thin: boolean; model: string | null };
    };
    const all = await acc('');
    expect(all).toMatchObject({ total: 6, positive: 3, negative: 3, accuracy: 0.5, model: null, thin: true });
    const gpt = await acc('?model=gpt-5');
    expect(gpt).toMatchObject({ model: 'gpt-5', total: 4, positive: 3, negative: 1, accuracy: 0.75 });
    expect(gpt.interval!.confidence).toBe(0.95);
    expect(gpt.interval!.lower).toBeGreaterThan(0.2);
    expect(gpt.interval!.lower).toBeLessThan(0.75);
    expect(gpt.interval!.upper).toBeGreaterThan(0.75);
    expect(gpt.interval!.upper).toBeLessThanOrEqual(1);
    expect(await acc('?model=gpt-5&intent=billing')).toMatchObject({ total: 2, positive: 1, negative: 1 });
    expect(await acc('?project=shop')).toMatchObject({ total: 1, positive: 0, negative: 1, accuracy: 0 });
    expect(await acc('?model=nobody')).toMatchObject({ total: 0, accuracy: null, interval: null });
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

  it('another workspace’s ratings never count', async () => {
    const t = await createTestApp();
    const raterA = await t.token('rater', { workspaceId: 'ws-a' });
    const analystB = await t.token('analyst', { workspaceId: 'ws-b' });
    await seed(t, raterA.token);
    expect(await (await t.call(analystB.token, 'GET', '/v1/feedback/accuracy')).json()).toMatchObject({ total: 0 });
    expect(await (await t.call(analystB.token, 'GET', '/v1/feedback/stats')).json()).toMatchObject({ total: 0, by_model: [] });
    const id = (await create(t, raterA.token, dropIn())).body.feedback_id as string;
    expect((await t.call(analystB.token, 'GET', `/v1/feedback/${id}`)).status).toBe(404);
    const adminB = await t.token('admin', { workspaceId: 'ws-b' });
    expect((await t.call(adminB.token, 'PUT', `/v1/feedback/${id}`, { rating: -1 })).status).toBe(404);
    expect((await t.call(adminB.token, 'DELETE', `/v1/feedback/${id}`)).status).toBe(404);
    const exported = await t.call(analystB.token, 'POST', '/v1/feedback/export/finetuning', {});
    expect(await exported.text()).toBe('');
    const analystA = await t.token('analyst', { workspaceId: 'ws-a' });
    expect((await (await t.call(analystA.token, 'POST', '/v1/feedback/export/finetuning', {})).text()).trim().split('\n')).toHaveLength(7);
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

  it('answers weighted JSONL for the last 7 days by default', async () => {
    const t = await createTestApp();
    const rater = await t.token('rater');
    const analyst = await t.token('analyst');
    await create(t, rater.token, dropIn({ query: 'good q', response: 'good a' }));
    await create(t, rater.token, dropIn({ query: 'bad q', response: 'bad a', rating: -1 }));
    const now = Date.now();
    const at = (daysAgo: number) => new Date(now - daysAgo * 86_400_000).toISOString();
    // Corrected answer: the correction is what gets trained on, weighted as good.
    await create(t, rater.token, makeFeedback({ createdAt: at(1), updatedAt: at(1), rating: { thumb: 'down' }, correction: { output: 'fixed a' } }));
    // 3 stars: neither good nor bad, left out. Ten days old: outside the default window.
    await create(t, rater.token, makeFeedback({ createdAt: at(1), updatedAt: at(1), rating: { stars: 3 } }));
    await create(t, rater.token, makeFeedback({ createdAt: at(10), updatedAt: at(10), rating: { stars: 5 } }));

    const res = await t.call(analyst.token, 'POST', '/v1/feedback/export/finetuning', {});
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const text = await res.text();
    expect(text).toMatch(/"weight":2\.0,/);
    expect(text).toMatch(/"weight":0\.5,/);
    const got = lines(text);
    expect(got).toHaveLength(3);
    const byAnswer = Object.fromEntries(got.map((l) => [l.messages.at(-1)!.content, l]));
    expect(byAnswer['good a']).toMatchObject({ weight: 2, messages: [{ role: 'user', content: 'good q' }, { role: 'assistant', content: 'good a' }], metadata: { rating: 1, model: 'gpt-5' } });
    expect(byAnswer['bad a']).toMatchObject({ weight: 0.5, metadata: { rating: -1 } });
    expect(byAnswer['fixed a']).toMatchObject({ weight: 2, metadata: { corrected: true } });
    for (const l of got) expect(l.metadata.feedback_id).toEqual(expect.any(String));

    const wide = await t.call(analyst.token, 'POST', '/v1/feedback/export/finetuning', { start_date: at(30).slice(0, 10), end_date: new Date(now).toISOString().slice(0, 10) });
    expect(lines(await wide.text())).toHaveLength(4);
    const old = await t.call(analyst.token, 'POST', '/v1/feedback/export/finetuning', { start_date: at(11), end_date: at(9) });
    expect(lines(await old.text()).map((l) => l.weight)).toEqual([2]);
  });

  it('validates dates and needs the analyst role', async () => {
    const t = await createTestApp();
    const rater = await t.token('rater');
    const analyst = await t.token('analyst');
    expect((await t.call(rater.token, 'POST', '/v1/feedback/export/finetuning', {})).status).toBe(403);
    const bad = await t.call(analyst.token, 'POST', '/v1/feedback/export/finetuning', { start_date: 'last tuesday' });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/^start_date:/);
    const reversed = await t.call(analyst.token, 'POST', '/v1/feedback/export/finetuning', { start_date: '2026-02-10', end_date: '2026-02-01' });
    expect(reversed.status).toBe(422);
    const empty = await t.call(analyst.token, 'POST', '/v1/feedback/export/finetuning', {});
    expect(empty.status).toBe(200);
    expect(await empty.text()).toBe('');
  });
});
