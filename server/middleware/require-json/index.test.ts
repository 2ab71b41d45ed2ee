import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { handleError } from '../../lib/errors.ts';
import type { AppEnv } from '../../lib/types.ts';
import { requireJson } from './index.ts';

const app = new Hono<AppEnv>().use('*', requireJson()).all('/x', (c) => c.text('reached'));
app.onError(handleError);

/** As a client sends it: a body comes with its Content-Length (a Request built here has none). */
async function send(method: string, headers: Record<string, string>, body?: string) {
  const length: Record<string, string> = body === undefined || 'Transfer-Encoding' in headers ? {} : { 'Content-Length': String(Buffer.byteLength(body)) };
  const res = await app.request('/x', { method, headers: { ...length, ...headers }, body });
  return { status: res.status, body: res.status === 200 ? await res.text() : ((await res.json()) as { error: { code: string } }).error.code };
}

describe('requireJson', () => {
  it('lets JSON bodies through, +json types and parameters included', async () => {
    for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/vnd.api+json']) {
      expect(await send('POST', { 'Content-Type': type }, '{}'), type).toEqual({ status: 200, body: 'reached' });
    }
  });

  it('refuses any other body of a POST, PUT or PATCH with 415', async () => {
    for (const method of ['POST', 'PUT', 'PATCH']) {
      expect(await send(method, { 'Content-Type': 'text/plain' }, '{}'), method).toEqual({ status: 415, body: 'unsupported_media_type' });
    }
    expect(await send('POST', { 'Content-Type': 'application/jsonp' }, '{}')).toEqual({ status: 415, body: 'unsupported_media_type' });
    expect(await send('POST', {}, 'x=1')).toEqual({ status: 415, body: 'unsupported_media_type' });
  });

  it('has nothing to check without a body, or on other methods', async () => {
    expect(await send('POST', {})).toEqual({ status: 200, body: 'reached' });
    expect(await send('POST', { 'Content-Length': '0', 'Content-Type': 'text/plain' })).toEqual({ status: 200, body: 'reached' });
    expect(await send('DELETE', { 'Content-Type': 'text/plain' }, 'x')).toEqual({ status: 200, body: 'reached' });
  });

  it('counts a chunked body as a body', async () => {
    expect(await send('POST', { 'Transfer-Encoding': 'chunked', 'Content-Type': 'text/plain' })).toEqual({ status: 415, body: 'unsupported_media_type' });
  });
});
