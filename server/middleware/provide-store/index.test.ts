import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../lib/types.ts';
import type { Store } from '../../store/open.ts';
import { provideStore } from './index.ts';

describe('provideStore', () => {
  it('hands every request the store it was given', async () => {
    const store = { dialect: 'sqlite', location: 'a.sqlite' } as Store;
    const app = new Hono<AppEnv>().use('*', provideStore(store)).get('/where', (c) => c.json({ same: c.get('store') === store, at: c.get('store').location }));
    expect(await (await app.request('/where')).json()).toEqual({ same: true, at: 'a.sqlite' });
  });
});
