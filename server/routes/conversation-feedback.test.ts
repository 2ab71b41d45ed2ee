/** Drop-in shape 2: POST /api/v1/feedback/{conversation_id}, called the way its users call it. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/helpers/app.ts';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('POST /api/v1/feedback/{conversation_id}', () => {
  it('answers 200 {status, message, conversation_id, feedback_score} and keeps hashes of input and output', async () => {
    const t = await createTestApp();
    const { token, info } = await t.token('rater');
    const body = { score: 4, text: 'Helpful, a bit slow', latency_ms: 1234.5, tokens_used: 512, input: 'Summarise the incident', output: 'The disk filled up at 03:00.' };
    const res = await t.call(token, 'POST', '/api/v1/feedback/conv-123', body);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'success', message: 'Feedback recorded', conversation_id: 'conv-123', feedback_score: 4 });

    const rows = await t.store.db.selectFrom('feedback').selectAll().execute();
    expect(rows).toHaveLength(1);
    const record = JSON.parse(rows[0]!.record!);
    expect(rows[0]).toMatchObject({ rater_id: info.raterId, conversation_id: 'conv-123', stars: 4, thumb: null });
    expect(record).toMatchObject({
      rating: { stars: 4 },
      comment: 'Helpful, a bit slow',
      target: {
        kind: 'chat_response',
        key: 'conversation:conv-123',
        conversationId: 'conv-123',
        promptHash: sha256('Summarise the incident'),
        outputHash: sha256('The disk filled up at 03:00.'),
        context: { source: 'conversation-api', latency_ms: 1234.5, tokens_used: 512 },
      },
    });
  });

  it('posting again for the same conversation updates the rating, never duplicates it', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    for (const score of [5, 2, 3]) {
      const res = await t.call(token, 'POST', '/api/v1/feedback/conv-9', { score });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { feedback_score: number }).feedback_score).toBe(score);
    }
    const live = await t.store.db.selectFrom('feedback').selectAll().where('deleted', '=', 0).execute();
    expect(live).toHaveLength(1);
    expect(live[0]!.stars).toBe(3);
    // A second rater on the same conversation has a rating of their own.
    const other = await t.token('rater');
    await t.call(other.token, 'POST', '/api/v1/feedback/conv-9', { score: 1 });
    expect(await t.store.db.selectFrom('feedback').selectAll().where('deleted', '=', 0).execute()).toHaveLength(2);
  });

  it('anything invalid is 422 with the field named', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const cases: [unknown, string][] = [
      [{}, 'score'],
      [{ score: 0 }, 'score'],
      [{ score: 6 }, 'score'],
      [{ score: 3.5 }, 'score'],
      [{ score: '4' }, 'score'],
      [{ score: 4, text: 'x'.repeat(2001) }, 'text'],
      [{ score: 4, latency_ms: -1 }, 'latency_ms'],
      [{ score: 4, latency_ms: 'fast' }, 'latency_ms'],
      [{ score: 4, tokens_used: 1.5 }, 'tokens_used'],
      [{ score: 4, tokens_used: -3 }, 'tokens_used'],
      [{ score: 4, input: 42 }, 'input'],
      [{ score: 4, output: ['a'] }, 'output'],
    ];
    for (const [body, field] of cases) {
      const res = await t.call(token, 'POST', '/api/v1/feedback/conv-1', body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      const err = ((await res.json()) as { error: { code: string; message: string; details: { path: string }[] } }).error;
      expect(err.code).toBe('validation_failed');
      expect(err.message.startsWith(`${field}:`), err.message).toBe(true);
      expect(err.details[0]!.path).toBe(field);
    }
    // The edges are accepted.
    for (const body of [{ score: 1 }, { score: 5, text: 'x'.repeat(2000), latency_ms: 0, tokens_used: 0 }]) {
      expect((await t.call(token, 'POST', '/api/v1/feedback/conv-1', body)).status).toBe(200);
    }
    expect(await t.store.db.selectFrom('feedback').selectAll().where('deleted', '=', 0).execute()).toHaveLength(1);
  });

  it('needs a token and JSON, like the rest of the API', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const noToken = await t.app.request('/api/v1/feedback/c1', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"score":4}' });
    expect(noToken.status).toBe(401);
    expect((await t.call('gt_not_a_token', 'POST', '/api/v1/feedback/c1', { score: 4 })).status).toBe(401);
    expect((await t.call(token, 'POST', '/api/v1/feedback/c1', '{"score": 4')).status).toBe(400);
    const text = await t.app.request('/api/v1/feedback/c1', { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/plain' }, body: 'score=4' });
    expect(text.status).toBe(415);
  });

  it('redacts input, output and text, while the hashes are of the text as sent', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const input = 'Customer jane@example.com asks about card 4111 1111 1111 1111';
    await t.call(token, 'POST', '/api/v1/feedback/c2', { score: 2, input, output: 'Reply to jane@example.com', text: 'mentions jane@example.com' });
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
    await t.call(a.token, 'POST', '/api/v1/feedback/shared-id', { score: 5 });
    await t.call(b.token, 'POST', '/api/v1/feedback/shared-id', { score: 1 });
    const inB = (await (await t.call(b.token, 'GET', '/v1/feedback')).json()) as { items: { rating: { stars: number } }[] };
    expect(inB.items.map((i) => i.rating.stars)).toEqual([1]);
  });
});
