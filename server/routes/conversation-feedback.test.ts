/**
 * Drop-in shape 2 (FilAgent, seed 004): POST and GET /api/v1/feedback/{conversation_id}, called the
 * way its users call them. The document's own examples, verbatim: test/contract/seed-004.test.ts.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, makeFeedback, upsert } from '../../test/helpers/app.ts';
import { resetClock, setClock } from '../lib/clock.ts';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
type App = Awaited<ReturnType<typeof createTestApp>>;
interface FastApiBody {
  error: { code: string; message: string; details?: unknown };
  detail: string | { loc: (string | number)[]; msg: string; type: string }[];
}

const live = (t: App) => t.store.db.selectFrom('feedback').selectAll().where('deleted', '=', 0).orderBy('created_at').orderBy('id').execute();
const post = (t: App, token: string, conversation: string, body: unknown, headers: Record<string, string> = {}) =>
  t.app.request(`/api/v1/feedback/${conversation}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const logsOf = async (t: App, token: string, conversation: string, query = '') =>
  (await (await t.call(token, 'GET', `/api/v1/feedback/${conversation}${query}`)).json()) as {
    conversation_id: string;
    logs: Record<string, unknown>[];
    stats: Record<string, number | null>;
  };

afterEach(() => resetClock());

describe('POST /api/v1/feedback/{conversation_id}: one interaction, one row', () => {
  it('every post is a new record with its own target, stamped by the server clock', async () => {
    const t = await createTestApp();
    const { token, info } = await t.token('rater');
    const times = ['2026-03-01T10:00:00.000Z', '2026-03-01T10:05:00.000Z', '2026-03-01T10:05:00.000Z'];
    for (const [i, score] of [5, 2, 3].entries()) {
      setClock(new Date(times[i]!));
      const res = await post(t, token, 'conv-9', { score });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'success', message: 'Feedback received and will be processed', conversation_id: 'conv-9', feedback_score: score });
    }
    const rows = await live(t);
    // The last two arrived in the same millisecond: still two rows (in no particular order).
    expect(rows.map((r) => r.stars)).toEqual([5, expect.any(Number), expect.any(Number)]);
    expect(rows.map((r) => r.stars).slice(1).sort()).toEqual([2, 3]);
    expect(rows.map((r) => r.created_at)).toEqual(times);
    expect(new Set(rows.map((r) => r.target_key)).size).toBe(3);
    for (const r of rows) {
      expect(r).toMatchObject({ rater_id: info.raterId, conversation_id: 'conv-9', kind: 'chat_response', target_key: `conversation:conv-9#${r.id}` });
    }
    // Nothing was superseded or rewritten: three creates in the event log.
    const events = await t.store.db.selectFrom('feedback_events').select('op').execute();
    expect(events.map((e) => e.op)).toEqual(['create', 'create', 'create']);
  });

  it('hashes whatever text is sent; a later post without text leaves the earlier text and hashes alone', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    setClock(new Date('2026-03-01T10:00:00.000Z'));
    await post(t, token, 'c1', { score: 4, text: 'Helpful, a bit slow', latency_ms: 1234.5, tokens_used: 512, input: 'Summarise the incident', output: 'The disk filled up at 03:00.' });
    setClock(new Date('2026-03-01T10:01:00.000Z'));
    await post(t, token, 'c1', { score: 2 });
    const [first, second] = await live(t);
    expect(JSON.parse(first!.record!)).toMatchObject({
      rating: { stars: 4 },
      comment: 'Helpful, a bit slow',
      target: {
        prompt: 'Summarise the incident',
        promptHash: sha256('Summarise the incident'),
        output: 'The disk filled up at 03:00.',
        outputHash: sha256('The disk filled up at 03:00.'),
        context: { source: 'conversation-api', latency_ms: 1234.5, tokens_used: 512 },
      },
    });
    const later = JSON.parse(second!.record!);
    expect(later.target.promptHash).toBeUndefined();
    expect(later.target.prompt).toBeUndefined();
    const { logs } = await logsOf(t, token, 'c1');
    expect(logs.map((l) => [l.user_feedback_score, l.input_hash, l.output_hash])).toEqual([
      [2, null, null],
      [4, sha256('Summarise the incident'), sha256('The disk filled up at 03:00.')],
    ]);
  });

  it("takes the client's own hashes, and refuses one that is not the hash of the text sent with it", async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const h = sha256("User's question");
    expect((await post(t, token, 'c1', { score: 3, input_hash: h, output_hash: sha256('x') })).status).toBe(200);
    expect((await post(t, token, 'c1', { score: 3, input: "User's question", input_hash: h })).status).toBe(200);
    const res = await post(t, token, 'c1', { score: 3, input: 'something else', input_hash: h });
    expect(res.status).toBe(422);
    const body = (await res.json()) as FastApiBody;
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.message).toMatch(/^input_hash: /);
    expect(body.detail).toEqual([{ loc: ['body', 'input_hash'], msg: expect.stringContaining('not the SHA-256 of input'), type: 'value_error' }]);
    for (const bad of ['abc123...', sha256('x').toUpperCase(), 42]) {
      const r = await post(t, token, 'c1', { score: 3, output_hash: bad });
      expect(r.status, String(bad)).toBe(422);
      expect(((await r.json()) as FastApiBody).detail).toEqual([{ loc: ['body', 'output_hash'], msg: expect.stringContaining('64 lowercase hex'), type: expect.any(String) }]);
    }
    expect((await live(t)).map((r) => JSON.parse(r.record!).target.promptHash)).toEqual([h, h]);
  });

  it('keeps metadata beside submitted_at, redacted like the rest of the program text', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    setClock(new Date('2026-03-02T08:00:00.000Z'));
    await post(t, token, 'c3', { score: 5, metadata: { source: 'web_ui', contact: 'jane@example.com', message_count: 2 } });
    const { logs } = await logsOf(t, token, 'c3');
    expect(logs[0]!.metadata).toEqual({ submitted_at: '2026-03-02T08:00:00.000Z', source: 'web_ui', contact: '[EMAIL]', message_count: 2 });
  });

  it('redacts input, output and text, while the hashes are of the text as sent', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const input = 'Customer jane@example.com asks about card 4111 1111 1111 1111';
    await post(t, token, 'c2', { score: 2, input, output: 'Reply to jane@example.com', text: 'mentions jane@example.com' });
    const row = await t.store.db.selectFrom('feedback').select('record').executeTakeFirstOrThrow();
    expect(row.record).not.toMatch(/jane@|4111/);
    const record = JSON.parse(row.record!);
    expect(record.target.prompt).toBe('Customer [EMAIL] asks about card [CARD]');
    expect(record.comment).toBe('mentions [EMAIL]');
    expect(record.target.promptHash).toBe(sha256(input));
  });

  it('scores show up in the workspace figures, and only in that workspace', async () => {
    const t = await createTestApp();
    const a = await t.token('rater', { workspaceId: 'ws-a' });
    const b = await t.token('admin', { workspaceId: 'ws-b' });
    await post(t, a.token, 'shared-id', { score: 5 });
    await post(t, b.token, 'shared-id', { score: 1 });
    const inB = (await (await t.call(b.token, 'GET', '/v1/feedback')).json()) as { items: { rating: { stars: number } }[] };
    expect(inB.items.map((i) => i.rating.stars)).toEqual([1]);
    expect((await logsOf(t, b.token, 'shared-id')).stats.total_count).toBe(1);
  });
});

describe('errors in the FastAPI shape the document’s clients parse', () => {
  it('anything invalid is 422 with the field in error.message, error.details and detail[].loc', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const cases: [unknown, string, string][] = [
      [{}, 'score', 'missing'],
      [{ score: 0 }, 'score', 'greater_than_equal'],
      [{ score: 6 }, 'score', 'less_than_equal'],
      [{ score: 3.5 }, 'score', 'int_from_float'],
      [{ score: '4' }, 'score', 'float_type'],
      [{ score: 4, text: 'x'.repeat(2001) }, 'text', 'string_too_long'],
      [{ score: 4, text: 7 }, 'text', 'string_type'],
      [{ score: 4, latency_ms: -1 }, 'latency_ms', 'greater_than_equal'],
      [{ score: 4, latency_ms: 'fast' }, 'latency_ms', 'float_type'],
      [{ score: 4, tokens_used: 1.5 }, 'tokens_used', 'int_from_float'],
      [{ score: 4, tokens_used: -3 }, 'tokens_used', 'greater_than_equal'],
      [{ score: 4, input: 42 }, 'input', 'string_type'],
      [{ score: 4, output: ['a'] }, 'output', 'string_type'],
      [{ score: 4, metadata: 'web_ui' }, 'metadata', 'dict_type'],
    ];
    for (const [body, field, type] of cases) {
      const res = await post(t, token, 'conv-1', body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      const got = (await res.json()) as FastApiBody & { error: { details: { path: string }[] } };
      expect(got.error.code).toBe('validation_failed');
      expect(got.error.message.startsWith(`${field}:`), got.error.message).toBe(true);
      expect(got.error.details[0]!.path).toBe(field);
      expect(got.detail, JSON.stringify(body)).toEqual([{ loc: ['body', field], msg: expect.any(String), type }]);
    }
    // A body that is not an object at all.
    const list = (await (await post(t, token, 'conv-1', [1, 2])).json()) as FastApiBody;
    expect(list.detail).toEqual([{ loc: ['body'], msg: expect.any(String), type: 'model_attributes_type' }]);
    // The edges are accepted, each as its own row.
    for (const body of [{ score: 1 }, { score: 5, text: 'x'.repeat(2000), latency_ms: 0, tokens_used: 0 }]) {
      expect((await post(t, token, 'conv-1', body)).status).toBe(200);
    }
    expect(await live(t)).toHaveLength(2);
  });

  it('an unknown body field is 422 unknown_field, named, with what is accepted; nothing is stored', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const res = await post(t, token, 'c1', { score: 4, comment: 'typo of text', rating: 4 });
    expect(res.status).toBe(422);
    const body = (await res.json()) as FastApiBody;
    expect(body.error.code).toBe('unknown_field');
    expect(body.error.message).toContain('"comment", "rating"');
    const accepted = ['score', 'text', 'latency_ms', 'tokens_used', 'input', 'output', 'input_hash', 'output_hash', 'metadata'];
    expect(body.error.details).toEqual({ unknown: ['comment', 'rating'], accepted });
    expect(body.detail).toEqual([
      { loc: ['body', 'comment'], msg: `Extra inputs are not permitted (accepted: ${accepted.join(', ')})`, type: 'extra_forbidden' },
      { loc: ['body', 'rating'], msg: `Extra inputs are not permitted (accepted: ${accepted.join(', ')})`, type: 'extra_forbidden' },
    ]);
    expect(await live(t)).toHaveLength(0);
  });

  it('an unknown query parameter is 400 unknown_parameter, named, on both routes', async () => {
    const t = await createTestApp();
    const { token } = await t.token('analyst');
    const onPost = await post(t, token, 'c1?conversationId=c2', { score: 4 });
    expect(onPost.status).toBe(400);
    const p = (await onPost.json()) as FastApiBody;
    expect(p.error).toMatchObject({ code: 'unknown_parameter', details: { unknown: ['conversationId'], accepted: [] } });
    expect(p.detail).toBe('Unknown query parameter: conversationId.');
    const onGet = await t.call(token, 'GET', '/api/v1/feedback/c1?min_score=4&limit=5');
    expect(onGet.status).toBe(400);
    const g = (await onGet.json()) as FastApiBody;
    expect(g.error).toMatchObject({ code: 'unknown_parameter', details: { unknown: ['min_score'], accepted: ['limit'] } });
    expect(g.detail).toBe('Unknown query parameter: min_score.');
    // An empty value counts as absent, as everywhere.
    expect((await t.call(token, 'GET', '/api/v1/feedback/c1?min_score=')).status).toBe(200);
    expect(await live(t)).toHaveLength(0);
  });

  it('every other refusal carries detail as a string: 400, 401, 404, 415', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const cases: [Response, number][] = [
      [await t.app.request('/api/v1/feedback/c1', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"score":4}' }), 401],
      [await post(t, 'gt_not_a_token', 'c1', { score: 4 }), 401],
      [await post(t, token, 'c1', '{"score": 4'), 400],
      [await t.app.request('/api/v1/feedback/c1', { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/plain' }, body: 'score=4' }), 415],
      [await t.call(token, 'GET', '/api/v1/nothing-here'), 404],
    ];
    for (const [res, status] of cases) {
      expect(res.status).toBe(status);
      const body = (await res.json()) as FastApiBody;
      expect(typeof body.detail, JSON.stringify(body)).toBe('string');
      expect(body.detail).toBe(body.error.message);
    }
    // The native API keeps its own shape.
    expect(await (await t.call(token, 'GET', '/v1/nothing-here')).json()).not.toHaveProperty('detail');
  });
});

describe('Idempotency-Key', () => {
  it("a client's retry of the same post is one row, answered again with Idempotent-Replayed", async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const body = { score: 4, text: 'Good', metadata: { a: 1, b: 2 } };
    const first = await post(t, token, 'c1', body, { 'Idempotency-Key': 'retry-1' });
    expect(first.status).toBe(200);
    expect(first.headers.get('Idempotent-Replayed')).toBeNull();
    // The same request, its JSON keys in another order.
    const again = await post(t, token, 'c1', { metadata: { b: 2, a: 1 }, text: 'Good', score: 4 }, { 'Idempotency-Key': 'retry-1' });
    expect(again.status).toBe(200);
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
    expect(await again.json()).toEqual(await first.json());
    expect(await live(t)).toHaveLength(1);
    // Without a key, or with a new one, a post is a new row.
    await post(t, token, 'c1', body);
    await post(t, token, 'c1', body, { 'Idempotency-Key': 'retry-2' });
    expect(await live(t)).toHaveLength(3);
  });

  it('retries racing the first attempt still make one row', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const answers = await Promise.all(Array.from({ length: 5 }, () => post(t, token, 'race', { score: 3 }, { 'Idempotency-Key': 'same' })));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(answers.filter((r) => r.headers.get('Idempotent-Replayed') === 'true')).toHaveLength(4);
    expect(await live(t)).toHaveLength(1);
  });

  it('the same key with another request is 422 idempotency_key_reused, and nothing is written', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    await post(t, token, 'c1', { score: 4 }, { 'Idempotency-Key': 'k' });
    const [row] = await live(t);
    for (const [conversation, body] of [['c1', { score: 5 }], ['c2', { score: 4 }]] as const) {
      const res = await post(t, token, conversation, body, { 'Idempotency-Key': 'k' });
      expect(res.status).toBe(422);
      const got = (await res.json()) as FastApiBody;
      expect(got.error).toMatchObject({ code: 'idempotency_key_reused', details: { feedback_id: row!.id } });
      expect(got.detail).toEqual([{ loc: ['header', 'idempotency-key'], msg: got.error.message, type: 'idempotency_key_reused' }]);
    }
    expect(await live(t)).toHaveLength(1);
  });

  it('keys belong to one rater, are remembered 24 hours, and leave with an erased rater', async () => {
    const t = await createTestApp();
    const admin = await t.token('admin');
    const a = await t.token('rater');
    const b = await t.token('rater');
    const start = Date.parse('2026-03-01T00:00:00.000Z');
    setClock(start);
    await post(t, a.token, 'c1', { score: 4 }, { 'Idempotency-Key': 'k' });
    await post(t, b.token, 'c1', { score: 4 }, { 'Idempotency-Key': 'k' });
    expect(await live(t)).toHaveLength(2);
    setClock(start + 24 * 3_600_000 - 1);
    expect((await post(t, a.token, 'c1', { score: 4 }, { 'Idempotency-Key': 'k' })).headers.get('Idempotent-Replayed')).toBe('true');
    setClock(start + 24 * 3_600_000 + 1);
    const late = await post(t, a.token, 'c1', { score: 4 }, { 'Idempotency-Key': 'k' });
    expect(late.headers.get('Idempotent-Replayed')).toBeNull();
    expect(await live(t)).toHaveLength(3);
    // Expired keys are dropped as new ones arrive (b's first one too).
    await post(t, b.token, 'c1', { score: 2 }, { 'Idempotency-Key': 'k2' });
    const keys = () => t.store.db.withTables<{ idempotency_keys: { rater_id: string } }>().selectFrom('idempotency_keys').select('rater_id').execute();
    expect((await keys()).map((k) => k.rater_id).sort()).toEqual([a.info.raterId, b.info.raterId].sort());
    expect((await t.call(admin.token, 'DELETE', `/v1/raters/${a.info.raterId}`)).status).toBe(200);
    expect((await keys()).map((k) => k.rater_id)).toEqual([b.info.raterId]);
  });

  it('a malformed key is 422 on the header', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    for (const key of ['has space', 'x'.repeat(256)]) {
      const res = await post(t, token, 'c1', { score: 4 }, { 'Idempotency-Key': key });
      expect(res.status).toBe(422);
      expect(((await res.json()) as FastApiBody).detail).toEqual([{ loc: ['header', 'idempotency-key'], msg: expect.any(String), type: expect.any(String) }]);
    }
    expect(await live(t)).toHaveLength(0);
  });
});

describe('GET /api/v1/feedback/{conversation_id}', () => {
  it('answers the logs, newest first, and the stats of the whole conversation in the document’s names', async () => {
    const t = await createTestApp();
    const { token } = await t.token('analyst');
    const posts = [
      { score: 5, latency_ms: 100, tokens_used: 200 },
      { score: 4, latency_ms: 300 },
      { score: 5, text: 'again', tokens_used: 101 },
      { score: 1 },
    ];
    for (const [i, body] of posts.entries()) {
      setClock(Date.parse('2026-03-01T00:00:00.000Z') + i * 1000);
      await post(t, token, 'conv-s', body);
    }
    await post(t, token, 'other', { score: 2, latency_ms: 9999 });
    const got = await logsOf(t, token, 'conv-s');
    expect(got.conversation_id).toBe('conv-s');
    expect(got.logs.map((l) => l.user_feedback_score)).toEqual([1, 5, 4, 5]);
    expect(got.stats).toEqual({
      total_count: 4,
      avg_score: 3.75,
      score_1: 1,
      score_2: 0,
      score_3: 0,
      score_4: 1,
      score_5: 2,
      avg_latency_ms: 200,
      avg_tokens: 150.5,
    });
    const two = await logsOf(t, token, 'conv-s', '?limit=2');
    expect(two.logs.map((l) => l.user_feedback_score)).toEqual([1, 5]);
    expect(two.stats.total_count).toBe(4);
    const bad = await t.call(token, 'GET', '/api/v1/feedback/conv-s?limit=0');
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as FastApiBody).detail).toEqual([{ loc: ['query', 'limit'], msg: expect.any(String), type: 'greater_than_equal' }]);
  });

  it('an empty conversation has zero counts and null averages', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    expect(await logsOf(t, token, 'never-rated')).toEqual({
      conversation_id: 'never-rated',
      logs: [],
      stats: { total_count: 0, avg_score: null, score_1: 0, score_2: 0, score_3: 0, score_4: 0, score_5: 0, avg_latency_ms: null, avg_tokens: null },
    });
  });

  it('a rater reads their own logs, an analyst everyone’s; deleted records and other kinds of feedback are not logs', async () => {
    const t = await createTestApp();
    const a = await t.token('rater');
    const b = await t.token('rater');
    const analyst = await t.token('analyst');
    await post(t, a.token, 'c1', { score: 5 });
    await post(t, b.token, 'c1', { score: 1 });
    await post(t, b.token, 'c1', { score: 2 });
    // An extension rating in a conversation of the same id is not an interaction log.
    const native = makeFeedback({ target: { kind: 'chat_response', key: 'chatgpt:m1', conversationId: 'c1' }, rating: { stars: 3 } });
    expect((await t.call(a.token, 'POST', '/v1/sync', { clientId: 'ext', mutations: [upsert(native)] })).status).toBe(200);
    expect((await logsOf(t, a.token, 'c1')).stats).toMatchObject({ total_count: 1, score_5: 1 });
    expect((await logsOf(t, b.token, 'c1')).stats).toMatchObject({ total_count: 2, score_1: 1, score_2: 1 });
    expect((await logsOf(t, analyst.token, 'c1')).stats).toMatchObject({ total_count: 3 });
    const [mine] = (await logsOf(t, a.token, 'c1')).logs;
    expect((await t.call(a.token, 'DELETE', `/v1/feedback/${mine!.id}`)).status).toBe(200);
    expect((await logsOf(t, analyst.token, 'c1')).stats).toMatchObject({ total_count: 2, avg_score: 1.5 });
  });
});

describe('knownConversationsOnly', () => {
  it('off by default; an admin turns it on (the settings stay strict)', async () => {
    const t = await createTestApp();
    const admin = await t.token('admin');
    expect(await (await t.call(admin.token, 'GET', '/v1/settings')).json()).toMatchObject({ knownConversationsOnly: false });
    expect((await post(t, admin.token, 'anything', { score: 3 })).status).toBe(200);
    const on = await t.call(admin.token, 'PATCH', '/v1/settings', { knownConversationsOnly: true });
    expect(await on.json()).toMatchObject({ knownConversationsOnly: true, redactProgramText: true, retentionDays: null });
    expect((await t.call(admin.token, 'PATCH', '/v1/settings', { knownConversationsOnly: 'yes' })).status).toBe(422);
    expect((await t.call(admin.token, 'PATCH', '/v1/settings', { knownConversations: true })).status).toBe(422);
    const rater = await t.token('rater');
    expect((await t.call(rater.token, 'PATCH', '/v1/settings', { knownConversationsOnly: false })).status).toBe(403);
  });

  it('a conversation nothing in the workspace names is 404 "Conversation not found"; an item or a record naming it makes it known', async () => {
    const t = await createTestApp();
    const admin = await t.token('admin');
    const { token } = await t.token('rater');
    await t.call(admin.token, 'PATCH', '/v1/settings', { knownConversationsOnly: true });
    for (const res of [await post(t, token, 'nonexistent-conv', { score: 5 }), await t.call(token, 'GET', '/api/v1/feedback/nonexistent-conv')]) {
      expect(res.status).toBe(404);
      const body = (await res.json()) as FastApiBody;
      expect(body.error.code).toBe('conversation_not_found');
      expect(body.detail).toBe('Conversation not found');
    }
    // Known through an item the program registered.
    const item = { key: 'demo-answer-1', kind: 'chat_response', input: 'Explain quantum computing', output: 'Qubits…', context: { conversation_id: 'by-item' } };
    expect((await t.call(token, 'POST', '/v1/items', { items: [item] })).status).toBe(200);
    expect((await post(t, token, 'by-item', { score: 4 })).status).toBe(200);
    // Known through any feedback record naming it (here, an extension rating).
    const native = makeFeedback({ target: { kind: 'chat_response', key: 'chatgpt:m2', conversationId: 'by-record' } });
    await t.call(token, 'POST', '/v1/sync', { clientId: 'ext', mutations: [upsert(native)] });
    expect((await post(t, token, 'by-record', { score: 4 })).status).toBe(200);
    expect((await logsOf(t, token, 'by-record')).stats.total_count).toBe(1);
    // Only this workspace's items and records count.
    const elsewhere = await t.token('admin', { workspaceId: 'ws-other' });
    await t.call(elsewhere.token, 'PATCH', '/v1/settings', { knownConversationsOnly: true });
    expect((await post(t, elsewhere.token, 'by-item', { score: 4 })).status).toBe(404);
    expect((await live(t)).filter((r) => r.target_key.startsWith('conversation:'))).toHaveLength(2);
  });
});
