/**
 * Contract: FilAgent's feedback system (../shared/seeds/004, "User Feedback & Analytics System"),
 * from the document's own examples. Every HTTP request in it is sent with its path and body
 * verbatim (the curl bodies byte for byte), plus a bearer token; every answer is checked field by
 * field against what the document shows. Its Python calls (add_interaction_log,
 * get_interaction_logs, get_feedback_stats, compute_hash, cleanup_old_feedback) are made through
 * the HTTP routes that now serve them. Runs on SQLite and, under `npm run test:postgres`, PostgreSQL.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { resetClock, setClock } from '../../server/lib/clock.ts';
import { withGovernance } from '../../server/store/governance-tables.ts';
import { createTestApp } from '../helpers/app.ts';

/** The document's `compute_hash`: SHA-256 of the UTF-8 text, 64 hex characters. */
const computeHash = (content: string) => createHash('sha256').update(content, 'utf8').digest('hex');

type App = Awaited<ReturnType<typeof createTestApp>>;
interface DropInError {
  error: { code: string; message: string; details?: unknown };
  detail: string | { loc: (string | number)[]; msg: string; type: string }[];
}

/** A request as a client sends it: the body as written (a string is sent byte for byte). */
function send(t: App, token: string | null, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return t.app.request(path, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}

// ——— The document's requests, verbatim ———

/** "API Usage → Submit Feedback → Request Body". */
const REQUEST_BODY = `{
  "score": 5,
  "text": "Excellent response!",
  "latency_ms": 125.5,
  "tokens_used": 245
}`;
/** "Response (200 OK)". */
const RESPONSE_200 = {
  status: 'success',
  message: 'Feedback received and will be processed',
  conversation_id: 'conv-123',
  feedback_score: 5,
};
/** "Example Usage", step 1 (FilAgent's own chat endpoint). */
const CHAT_BODY = `{
    "messages": [{"role": "user", "content": "Explain quantum computing"}],
    "conversation_id": "demo-123"
  }`;
/** "Example Usage", step 2. */
const FEEDBACK_BODY = `{
    "score": 5,
    "text": "Clear and concise explanation",
    "latency_ms": 150.0,
    "tokens_used": 300
  }`;

const LOG_COLUMNS = [
  'id', 'conversation_id', 'input_hash', 'output_hash', 'user_feedback_score', 'user_feedback_text', 'latency_ms', 'tokens_used', 'created_at', 'metadata',
];
const STATS_KEYS = ['total_count', 'avg_score', 'score_1', 'score_2', 'score_3', 'score_4', 'score_5', 'avg_latency_ms', 'avg_tokens'];

afterEach(() => resetClock());

describe('seed 004 (FilAgent): Submit Feedback', () => {
  it('POST /api/v1/feedback/{conversation_id} with the Request Body answers the Response (200 OK) exactly', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const res = await send(t, token, 'POST', '/api/v1/feedback/conv-123', REQUEST_BODY);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^application\/json/);
    const body = await res.json();
    expect(Object.keys(body)).toEqual(['status', 'message', 'conversation_id', 'feedback_score']);
    expect(body.status).toBe(RESPONSE_200.status);
    expect(body.message).toBe(RESPONSE_200.message);
    expect(body.conversation_id).toBe(RESPONSE_200.conversation_id);
    expect(body.feedback_score).toBe(RESPONSE_200.feedback_score);
  });

  it('Example Usage: the chat stays FilAgent’s; the feedback curl is answered as documented and stored as one interaction_logs row', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    // Step 1 is FilAgent's own endpoint: Groundtruth does not serve chats.
    const chat = await send(t, token, 'POST', '/chat', CHAT_BODY);
    expect(chat.status).toBe(404);
    expect(((await chat.json()) as DropInError).error.message).toBe('No route for POST /chat.');
    // Step 2, verbatim.
    setClock(new Date('2026-03-10T09:30:00.000Z'));
    const res = await send(t, token, 'POST', '/api/v1/feedback/demo-123', FEEDBACK_BODY);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'success', message: 'Feedback received and will be processed', conversation_id: 'demo-123', feedback_score: 5 });
    // Stored before the answer ("will be processed" is the document's wording): readable at once, no sleep.
    const logs = await send(t, token, 'GET', '/api/v1/feedback/demo-123');
    expect(logs.status).toBe(200);
    const got = (await logs.json()) as { conversation_id: string; logs: Record<string, unknown>[]; stats: Record<string, unknown> };
    expect(got.conversation_id).toBe('demo-123');
    expect(got.logs).toHaveLength(1);
    const row = got.logs[0]!;
    expect(Object.keys(row)).toEqual(LOG_COLUMNS);
    expect(row.id).toEqual(expect.any(String));
    expect(row.conversation_id).toBe('demo-123');
    expect(row.input_hash).toBeNull();
    expect(row.output_hash).toBeNull();
    expect(row.user_feedback_score).toBe(5);
    expect(row.user_feedback_text).toBe('Clear and concise explanation');
    expect(row.latency_ms).toBe(150.0);
    expect(row.tokens_used).toBe(300);
    expect(row.created_at).toBe('2026-03-10T09:30:00.000Z');
    expect(row.metadata).toEqual({ submitted_at: '2026-03-10T09:30:00.000Z' });
  });

  it('Fields: score required 1–5 integer, text ≤ 2000, latency_ms ≥ 0 float, tokens_used ≥ 0 integer; 422 in FastAPI’s detail list', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const invalid: [string, string, string][] = [
      ['{"text": "Excellent response!"}', 'score', 'missing'],
      ['{"score": 0}', 'score', 'greater_than_equal'],
      ['{"score": 6}', 'score', 'less_than_equal'],
      ['{"score": 4.5}', 'score', 'int_from_float'],
      [`{"score": 5, "text": "${'a'.repeat(2001)}"}`, 'text', 'string_too_long'],
      ['{"score": 5, "latency_ms": -10}', 'latency_ms', 'greater_than_equal'],
      ['{"score": 5, "tokens_used": -100}', 'tokens_used', 'greater_than_equal'],
      ['{"score": 5, "tokens_used": 2.5}', 'tokens_used', 'int_from_float'],
    ];
    for (const [body, field, type] of invalid) {
      const res = await send(t, token, 'POST', '/api/v1/feedback/conv-123', body);
      expect(res.status, body.slice(0, 40)).toBe(422);
      const err = (await res.json()) as DropInError;
      expect(err.detail).toEqual([{ loc: ['body', field], msg: expect.any(String), type }]);
      expect(err.error.code).toBe('validation_failed');
      expect(err.error.message.startsWith(`${field}:`)).toBe(true);
    }
    // The edges of each field are accepted: a float latency, zero tokens, 2000 characters, no optional field.
    for (const body of ['{"score": 1}', `{"score": 5, "text": "${'a'.repeat(2000)}", "latency_ms": 0.5, "tokens_used": 0}`]) {
      expect((await send(t, token, 'POST', '/api/v1/feedback/conv-123', body)).status).toBe(200);
    }
  });

  it('Error Responses 404: "Conversation not found" when the workspace knows only its conversations', async () => {
    const t = await createTestApp();
    const admin = await t.token('admin');
    const { token } = await t.token('rater');
    expect((await send(t, admin.token, 'PATCH', '/v1/settings', { knownConversationsOnly: true })).status).toBe(200);
    const missing = await send(t, token, 'POST', '/api/v1/feedback/demo-123', FEEDBACK_BODY);
    expect(missing.status).toBe(404);
    const err = (await missing.json()) as DropInError;
    expect(err.detail).toBe('Conversation not found');
    expect((err.detail as string).toLowerCase()).toContain('not found');
    // "Have a conversation": the program registers the answer it gave as an item of that conversation.
    const item = { key: 'demo-123/1', kind: 'chat_response', input: 'Explain quantum computing', output: 'Quantum computers use qubits…', context: { conversation_id: 'demo-123' } };
    expect((await send(t, token, 'POST', '/v1/items', { items: [item] })).status).toBe(200);
    const res = await send(t, token, 'POST', '/api/v1/feedback/demo-123', FEEDBACK_BODY);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'success', message: 'Feedback received and will be processed', conversation_id: 'demo-123', feedback_score: 5 });
  });
});

describe('seed 004 (FilAgent): the Python API, over HTTP', () => {
  it('add_interaction_log, then get_interaction_logs(conversation_id="conv-123") and get_feedback_stats(conversation_id="conv-123")', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const inputHash = computeHash("User's question");
    const outputHash = computeHash("Agent's response");
    // add_interaction_log(conversation_id="conv-123", user_feedback_score=5, user_feedback_text="Great answer!",
    //   input_hash=…, output_hash=…, latency_ms=125.5, tokens_used=245, metadata={"source": "web_ui"})
    setClock(new Date('2026-03-10T10:00:00.000Z'));
    const add = await send(t, token, 'POST', '/api/v1/feedback/conv-123', {
      score: 5, text: 'Great answer!', input_hash: inputHash, output_hash: outputHash, latency_ms: 125.5, tokens_used: 245, metadata: { source: 'web_ui' },
    });
    expect(add.status).toBe(200);
    // The Request Body example, then a low score with the texts themselves (the server hashes them).
    setClock(new Date('2026-03-10T10:01:00.000Z'));
    await send(t, token, 'POST', '/api/v1/feedback/conv-123', REQUEST_BODY);
    setClock(new Date('2026-03-10T10:02:00.000Z'));
    await send(t, token, 'POST', '/api/v1/feedback/conv-123', { score: 2, input: "User's question", output: "Agent's response" });

    // logs = get_interaction_logs(conversation_id="conv-123"): every post is its own row, newest first.
    const res = await send(t, token, 'GET', '/api/v1/feedback/conv-123');
    expect(res.status).toBe(200);
    const { logs, stats } = (await res.json()) as { logs: Record<string, unknown>[]; stats: Record<string, unknown> };
    expect(logs.map((l) => Object.keys(l))).toEqual([LOG_COLUMNS, LOG_COLUMNS, LOG_COLUMNS]);
    const [low, example, added] = logs;
    expect(added).toEqual({
      id: expect.any(String),
      conversation_id: 'conv-123',
      input_hash: inputHash,
      output_hash: outputHash,
      user_feedback_score: 5,
      user_feedback_text: 'Great answer!',
      latency_ms: 125.5,
      tokens_used: 245,
      created_at: '2026-03-10T10:00:00.000Z',
      metadata: { submitted_at: '2026-03-10T10:00:00.000Z', source: 'web_ui' },
    });
    expect(example).toEqual({
      id: expect.any(String),
      conversation_id: 'conv-123',
      input_hash: null,
      output_hash: null,
      user_feedback_score: 5,
      user_feedback_text: 'Excellent response!',
      latency_ms: 125.5,
      tokens_used: 245,
      created_at: '2026-03-10T10:01:00.000Z',
      metadata: { submitted_at: '2026-03-10T10:01:00.000Z' },
    });
    // Hash Computation: SHA-256, 64 hex characters, of the text as sent.
    expect(low).toMatchObject({ user_feedback_score: 2, input_hash: inputHash, output_hash: outputHash, user_feedback_text: null, latency_ms: null, tokens_used: null });
    expect(low!.input_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(logs.map((l) => l.id)).size).toBe(3);

    // stats = get_feedback_stats(conversation_id="conv-123"); print(f"Average score: {stats['avg_score']:.2f}/5")
    expect(Object.keys(stats)).toEqual(STATS_KEYS);
    expect(stats.total_count).toBe(3);
    expect((stats.avg_score as number).toFixed(2)).toBe('4.00');
    expect(stats.score_5).toBe(2);
    // Get Feedback Distribution and Average Performance Metrics.
    expect([stats.score_1, stats.score_2, stats.score_3, stats.score_4, stats.score_5]).toEqual([0, 1, 0, 0, 2]);
    expect(stats.avg_latency_ms).toBe(125.5);
    expect(stats.avg_tokens).toBe(245);
  });

  it('two posts on one conversation are two rows (one interaction each), and a retry with an Idempotency-Key stays one', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    expect((await send(t, token, 'POST', '/api/v1/feedback/conv-123', '{"score": 4, "text": "Good"}')).status).toBe(200);
    expect((await send(t, token, 'POST', '/api/v1/feedback/conv-123', '{"score": 5, "text": "Even better after clarification"}')).status).toBe(200);
    for (let i = 0; i < 2; i++) {
      const retry = await send(t, token, 'POST', '/api/v1/feedback/conv-123', REQUEST_BODY, { 'Idempotency-Key': '7f0c4a52-1d7e-4d2b-9a51-3c0a6e2b9f10' });
      expect(retry.status).toBe(200);
      expect(await retry.json()).toEqual(RESPONSE_200);
    }
    const { logs, stats } = (await (await send(t, token, 'GET', '/api/v1/feedback/conv-123')).json()) as { logs: { user_feedback_text: string }[]; stats: { total_count: number } };
    expect(stats.total_count).toBe(3);
    expect(logs.map((l) => l.user_feedback_text).sort()).toEqual(['Even better after clarification', 'Excellent response!', 'Good']);
  });

  it('get_interaction_logs(min_score=4, limit=100) / (max_score=2): the feedback list with minStars / maxStars', async () => {
    const t = await createTestApp();
    const { token } = await t.token('analyst');
    for (const score of [1, 2, 4, 5]) await send(t, token, 'POST', '/api/v1/feedback/conv-123', { score });
    const stars = async (query: string) => {
      const res = await send(t, token, 'GET', `/v1/feedback?${query}`);
      expect(res.status).toBe(200);
      return ((await res.json()) as { items: { rating: { stars: number } }[] }).items.map((i) => i.rating.stars).sort();
    };
    expect(await stars('minStars=4&limit=100')).toEqual([4, 5]);
    expect(await stars('maxStars=2')).toEqual([1, 2]);
  });
});

describe('seed 004 (FilAgent): Security Considerations, Data Retention, Future Enhancements', () => {
  it('Authentication: a bearer token is required (401, detail a string)', async () => {
    const t = await createTestApp();
    const res = await send(t, null, 'POST', '/api/v1/feedback/conv-123', REQUEST_BODY);
    expect(res.status).toBe(401);
    expect(typeof ((await res.json()) as DropInError).detail).toBe('string');
  });

  it('PII Detection: feedback text is redacted before storage', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    await send(t, token, 'POST', '/api/v1/feedback/conv-123', { score: 2, text: 'Call me at jane@example.com' });
    const { logs } = (await (await send(t, token, 'GET', '/api/v1/feedback/conv-123')).json()) as { logs: { user_feedback_text: string }[] };
    expect(logs[0]!.user_feedback_text).toBe('Call me at [EMAIL]');
  });

  it('Rate Limiting: per token, 429 with Retry-After', async () => {
    // Windows are aligned to the clock's minutes: a run crossing one would start the count again.
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-03-01T10:00:05Z') });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const t = await createTestApp({ rateLimitPerMinute: 2 });
    const { token } = await t.token('rater');
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await send(t, token, 'POST', '/api/v1/feedback/conv-123', REQUEST_BODY)).status);
    expect(statuses).toEqual([200, 200, 429]);
    const limited = await send(t, token, 'POST', '/api/v1/feedback/conv-123', REQUEST_BODY);
    expect(Number(limited.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect(typeof ((await limited.json()) as DropInError).detail).toBe('string');
  });

  it('Webhooks: notify on low ratings (feedback.low_stars at or below the threshold)', async () => {
    const t = await createTestApp({ webhookAddresses: { allowPrivate: true, allowedHosts: [] } });
    const admin = await t.token('admin');
    const hook = await send(t, admin.token, 'POST', '/v1/webhooks', { url: 'http://10.1.2.3/hook', events: ['feedback.low_stars'], threshold: 2 });
    expect(hook.status).toBe(201);
    const { token } = await t.token('rater');
    await send(t, token, 'POST', '/api/v1/feedback/conv-123', REQUEST_BODY);
    await send(t, token, 'POST', '/api/v1/feedback/conv-123', '{"score": 1, "text": "Wrong answer"}');
    const deliveries = await withGovernance(t.store.db).selectFrom('webhook_deliveries').select(['event', 'payload']).execute();
    expect(deliveries.map((d) => d.event)).toEqual(['feedback.low_stars']);
    expect(deliveries[0]!.payload).toContain('"stars":1');
  });

  it('Data Retention (cleanup_old_feedback(days=90)) and GDPR deletion: a retention setting and erasure of a rater', async () => {
    const t = await createTestApp();
    const admin = await t.token('admin');
    const settings = await send(t, admin.token, 'PATCH', '/v1/settings', { retentionDays: 90 });
    expect(settings.status).toBe(200);
    expect(await settings.json()).toMatchObject({ retentionDays: 90 });
    const rater = await t.token('rater');
    await send(t, rater.token, 'POST', '/api/v1/feedback/conv-123', REQUEST_BODY, { 'Idempotency-Key': 'k1' });
    expect((await send(t, admin.token, 'DELETE', `/v1/raters/${rater.info.raterId}`)).status).toBe(200);
    const { stats } = (await (await send(t, admin.token, 'GET', '/api/v1/feedback/conv-123')).json()) as { stats: { total_count: number } };
    expect(stats.total_count).toBe(0);
  });
});
