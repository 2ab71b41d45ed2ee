import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../lib/types.ts';
import { provideClient } from './index.ts';

const app = (trustProxy?: number) =>
  new Hono<AppEnv>().use('*', provideClient(trustProxy)).get('/who', (c) => c.json(c.get('client')));
const socket = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress } } });
const who = async (a: ReturnType<typeof app>, headers: Record<string, string>, env?: unknown) => (await a.request('/who', { headers }, env)).json();

describe('provideClient', () => {
  it("takes the socket's peer address, and never a forwarded one it was not told to trust", async () => {
    expect(await who(app(), { 'X-Forwarded-For': '203.0.113.9' }, socket('::ffff:198.51.100.7'))).toEqual({ address: '198.51.100.7', via: 'api' });
  });

  it('behind N trusted proxies, takes the address the outermost one saw', async () => {
    const headers = { 'X-Forwarded-For': '10.9.9.9, 203.0.113.9, 192.0.2.1' };
    expect(await who(app(1), headers, socket('127.0.0.1'))).toEqual({ address: '192.0.2.1', via: 'api' });
    expect(await who(app(2), headers, socket('127.0.0.1'))).toEqual({ address: '203.0.113.9', via: 'api' });
  });

  it('no address at all is null, not a guess', async () => {
    expect(await who(app(), {})).toEqual({ address: null, via: 'api' });
  });
});
