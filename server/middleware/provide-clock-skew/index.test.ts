import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../lib/types.ts';
import { provideClockSkew } from './index.ts';

describe('provideClockSkew', () => {
  it('hands every request the allowed skew', async () => {
    const app = new Hono<AppEnv>().use('*', provideClockSkew(42)).get('/skew', (c) => c.json({ skew: c.get('maxClockSkewSeconds') }));
    expect(await (await app.request('/skew')).json()).toEqual({ skew: 42 });
  });
});
