import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiError, handleError } from './errors.ts';
import { fastApiDetail, fastApiItems } from './fastapi-detail.ts';

describe('fastApiItems: zod issues as pydantic v2 reports them', () => {
  const Body = z.strictObject({
    score: z.number().int().min(1).max(5),
    name: z.string().min(2).max(4).optional(),
    tags: z.array(z.string()).max(2).optional(),
    nested: z.strictObject({ ok: z.boolean() }).optional(),
    when: z.string().regex(/^\d{4}$/).optional(),
  });
  const items = (value: unknown, location: 'body' | 'query' = 'body') => {
    const r = Body.safeParse(value);
    if (r.success) throw new Error('expected a failure');
    return fastApiItems(r.error, location, value).map(({ loc, type }) => ({ loc, type }));
  };

  it('names the location, the path and the type', () => {
    expect(items({})).toEqual([{ loc: ['body', 'score'], type: 'missing' }]);
    expect(items({ score: 2.5 })).toEqual([{ loc: ['body', 'score'], type: 'int_from_float' }]);
    expect(items({ score: 'x' })).toEqual([{ loc: ['body', 'score'], type: 'float_type' }]);
    expect(items({ score: 9 }, 'query')).toEqual([{ loc: ['query', 'score'], type: 'less_than_equal' }]);
    expect(items({ score: 1, name: 'a' })).toEqual([{ loc: ['body', 'name'], type: 'string_too_short' }]);
    expect(items({ score: 1, name: 'abcde' })).toEqual([{ loc: ['body', 'name'], type: 'string_too_long' }]);
    expect(items({ score: 1, tags: ['a', 'b', 'c'] })).toEqual([{ loc: ['body', 'tags'], type: 'too_long' }]);
    expect(items({ score: 1, tags: ['a', 3] })).toEqual([{ loc: ['body', 'tags', 1], type: 'string_type' }]);
    expect(items({ score: 1, when: '20x6' })).toEqual([{ loc: ['body', 'when'], type: 'string_pattern_mismatch' }]);
    expect(items({ score: 1, nested: { ok: 1 } })).toEqual([{ loc: ['body', 'nested', 'ok'], type: 'bool_type' }]);
    expect(items(null)).toEqual([{ loc: ['body'], type: 'model_attributes_type' }]);
  });

  it('reports each unknown key on its own, nested ones at their path', () => {
    expect(items({ score: 1, a: 1, nested: { ok: true, b: 2 } })).toEqual(
      expect.arrayContaining([
        { loc: ['body', 'a'], type: 'extra_forbidden' },
        { loc: ['body', 'nested', 'b'], type: 'extra_forbidden' },
      ]),
    );
    expect(items({ score: 1, a: 1, b: 2 })).toEqual([
      { loc: ['body', 'a'], type: 'extra_forbidden' },
      { loc: ['body', 'b'], type: 'extra_forbidden' },
    ]);
  });
});

describe('fastApiDetail', () => {
  const app = new Hono();
  app.onError(handleError);
  app.use('/api/*', fastApiDetail);
  app.get('/api/missing', () => {
    throw new ApiError(404, 'not_found', 'Conversation not found');
  });
  app.get('/api/limited', () => {
    throw new ApiError(429, 'rate_limited', 'Too many requests.');
  });
  app.get('/api/invalid', () => {
    throw new ApiError(422, 'validation_failed', 'score: too big', [{ path: 'score', message: 'too big' }]);
  });
  app.get('/api/own', (c) => c.json({ error: { code: 'x', message: 'm' }, detail: [{ loc: ['header', 'h'], msg: 'm', type: 't' }] }, 422));
  app.get('/api/ok', (c) => c.json({ ok: true }));
  app.get('/other/missing', () => {
    throw new ApiError(404, 'not_found', 'No such thing.');
  });

  it('adds the message as a string, a list on 422, and leaves everything else alone', async () => {
    expect(await (await app.request('/api/missing')).json()).toEqual({ error: { code: 'not_found', message: 'Conversation not found' }, detail: 'Conversation not found' });
    const limited = await app.request('/api/limited');
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as { detail: string }).detail).toBe('Too many requests.');
    expect(((await (await app.request('/api/invalid')).json()) as { detail: unknown }).detail).toEqual([{ loc: ['body', 'score'], msg: 'too big', type: 'value_error' }]);
    expect(((await (await app.request('/api/own')).json()) as { detail: unknown }).detail).toEqual([{ loc: ['header', 'h'], msg: 'm', type: 't' }]);
    expect(await (await app.request('/api/ok')).json()).toEqual({ ok: true });
    expect(await (await app.request('/other/missing')).json()).not.toHaveProperty('detail');
  });
});
