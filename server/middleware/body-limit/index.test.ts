import type { AddressInfo } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../lib/errors.ts';
import { handleError } from '../../lib/errors.ts';
import { bodyLimit } from './index.ts';

const MAX = 64;

/** A real node-server on 127.0.0.1: the fast path exists only behind one (c.env.incoming). */
const app = new Hono<{ Bindings: { incoming: IncomingMessage } }>()
  .use(
    '*',
    bodyLimit({
      maxSize: MAX,
      onError: () => {
        throw new ApiError(413, 'payload_too_large', 'too big');
      },
    }),
  )
  .post('/json', async (c) => c.json({ body: await c.req.json(), direct: Buffer.isBuffer((c.env.incoming as { rawBody?: unknown }).rawBody) }))
  .post('/text', async (c) => c.json({ text: await c.req.text(), again: await c.req.text() }))
  .post('/bytes', async (c) => c.json({ bytes: [...new Uint8Array(await c.req.arrayBuffer())] }))
  .post('/raw', async (c) => c.json({ text: await c.req.raw.text() }))
  .post('/unread', (c) => c.json({ ok: true }));
app.onError(handleError);

let server: ServerType;
let url: string;
beforeAll(async () => {
  await new Promise<void>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const post = (path: string, body: BodyInit, headers: Record<string, string> = { 'Content-Type': 'application/json' }) =>
  fetch(`${url}${path}`, { method: 'POST', headers, body, ...(body instanceof ReadableStream ? { duplex: 'half' } : {}) } as RequestInit);

function chunked(parts: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const p of parts) controller.enqueue(p);
      controller.close();
    },
  });
}

describe('bodyLimit (API)', () => {
  it('reads a body with a Content-Length straight from the socket: json(), text() twice, arrayBuffer(), raw.text()', async () => {
    const json = await post('/json', JSON.stringify({ a: 'é✓' }));
    expect(await json.json()).toEqual({ body: { a: 'é✓' }, direct: true });
    expect(await (await post('/text', 'hello')).json()).toEqual({ text: 'hello', again: 'hello' });
    expect(await (await post('/bytes', 'AB')).json()).toEqual({ bytes: [65, 66] });
    expect(await (await post('/raw', 'as sent')).json()).toEqual({ text: 'as sent' });
    expect((await post('/unread', '{"never":"read"}')).status).toBe(200);
  });

  it('decodes as Request.text() does: BOM dropped, a bad byte replaced', async () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, 0x68, 0x69, 0xff]);
    expect(await (await post('/text', bytes)).json()).toMatchObject({ text: 'hi\uFFFD' });
  });

  it('a declared length over the limit is 413 before anything is read', async () => {
    const res = await post('/json', JSON.stringify({ pad: 'x'.repeat(MAX) }));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
  });

  it('a chunked body goes through hono’s bodyLimit: within the limit it arrives, over it is 413', async () => {
    const enc = new TextEncoder();
    const ok = await post('/json', chunked([enc.encode('{"a":'), enc.encode('1}')]));
    expect(await ok.json()).toEqual({ body: { a: 1 }, direct: false });
    const big = await post('/json', chunked([enc.encode('{"a":"'), enc.encode('x'.repeat(MAX)), enc.encode('"}')]));
    expect(big.status).toBe(413);
  });
});
