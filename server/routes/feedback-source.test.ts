/**
 * Where a rating comes from (DESIGN, "Where a rating comes from"; ADR 0042): the client says a
 * person or a named judge, the server says the channel from the route, and one program token keeps
 * one live vote per judge.
 */
import { describe, expect, it } from 'vitest';
import { createTestApp, makeFeedback, upsert } from '../../test/helpers/app.ts';

describe('feedback source', () => {
  it('stamps the channel from the route: api for POST /v1/feedback, extension for /v1/sync', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const posted = makeFeedback();
    const res = await t.call(token, 'POST', '/v1/feedback', posted);
    expect(res.status).toBe(201);
    expect((await res.json()).feedback.source).toEqual({ type: 'human', channel: 'api' });
    const synced = makeFeedback();
    expect((await t.call(token, 'POST', '/v1/sync', { clientId: 'c1', mutations: [upsert(synced)] })).status).toBe(200);
    const back = await (await t.call(token, 'GET', `/v1/feedback/${synced.id}`)).json();
    expect(back.source).toEqual({ type: 'human', channel: 'extension' });
    // A person's record is stored as sent: no source was added to it, so a replay is unchanged.
    const again = await (await t.call(token, 'POST', '/v1/sync', { clientId: 'c1', mutations: [upsert(synced)] })).json();
    expect(again.results[0].status).toBe('unchanged');
  });

  it('takes a named judge, refuses a judge without a name, a named person and a channel from the client', async () => {
    const t = await createTestApp();
    const { token } = await t.token('admin');
    const judged = makeFeedback({ source: { type: 'model', name: 'gpt-judge' } });
    const res = await t.call(token, 'POST', '/v1/feedback', judged);
    expect(res.status).toBe(201);
    expect((await res.json()).feedback.source).toEqual({ type: 'model', channel: 'api', name: 'gpt-judge' });
    for (const source of [{ type: 'model' }, { type: 'human', name: 'alice' }, { type: 'robot' }]) {
      const bad = await t.call(token, 'POST', '/v1/feedback', makeFeedback({ source }));
      expect(bad.status, JSON.stringify(source)).toBe(422);
    }
    const channel = await t.call(token, 'POST', '/v1/feedback', makeFeedback({ source: { type: 'model', name: 'j', channel: 'embed' } }));
    expect(channel.status).toBe(422);
    expect(JSON.stringify(await channel.json())).toContain('channel');
  });

  it('keeps one live vote per judge: two judges on one answer through one token are two votes', async () => {
    const t = await createTestApp();
    const { token } = await t.token('admin');
    const first = makeFeedback({ source: { type: 'model', name: 'judge-a' }, rating: { thumb: 'up' } });
    const second = makeFeedback({ target: first.target, source: { type: 'model', name: 'judge-b' }, rating: { thumb: 'down' } });
    const person = makeFeedback({ target: first.target, rating: { thumb: 'down' } });
    for (const f of [first, second, person]) expect((await t.call(token, 'POST', '/v1/feedback', f)).status).toBe(201);
    const live = await (await t.call(token, 'GET', '/v1/feedback?limit=10')).json();
    expect(live.items.map((i: { id: string }) => i.id).sort()).toEqual([first.id, second.id, person.id].sort());
    // The same judge again, with a new id, supersedes its own earlier vote only.
    const again = makeFeedback({ target: first.target, source: { type: 'model', name: 'judge-a' }, rating: { thumb: 'down' } });
    expect((await t.call(token, 'POST', '/v1/feedback', again)).status).toBe(201);
    const after = await (await t.call(token, 'GET', '/v1/feedback?judge=judge-a')).json();
    expect(after.items.map((i: { id: string }) => i.id)).toEqual([again.id]);
    const judges = await (await t.call(token, 'GET', '/v1/feedback?sourceType=model')).json();
    expect(judges.items).toHaveLength(2);
    const people = await (await t.call(token, 'GET', '/v1/feedback?sourceType=human&channel=api')).json();
    expect(people.items.map((i: { id: string }) => i.id)).toEqual([person.id]);
  });

  it('a PATCH keeps who gave the rating', async () => {
    const t = await createTestApp();
    const { token } = await t.token('admin');
    const judged = makeFeedback({ source: { type: 'model', name: 'gpt-judge' } });
    expect((await t.call(token, 'POST', '/v1/feedback', judged)).status).toBe(201);
    const res = await t.call(token, 'PATCH', `/v1/feedback/${judged.id}`, { rating: { thumb: 'down' }, comment: 'wrong after all' });
    expect(res.status).toBe(200);
    expect((await res.json()).feedback.source).toEqual({ type: 'model', channel: 'api', name: 'gpt-judge' });
  });
});
