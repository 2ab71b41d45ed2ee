/**
 * Issue 13, item 9: a 413 sent before the oversized body has been read. @hono/node-server drains
 * an unread body for at most 500 ms or 64 MiB and then closes the socket; if the 413 said
 * "keep-alive", a client that finishes its upload and sends its next request on the same socket
 * gets a reset instead of an answer. The 413 must say `Connection: close`, so the client stops
 * uploading and opens a new connection.
 *
 * A real server (startHttpServer, as `groundtruth serve` runs it) on 127.0.0.1 and a raw keep-alive
 * client on one TCP socket: it behaves as HTTP/1.1 clients do — after a response without
 * `Connection: close` it completes its request and reuses the socket; after one with it, it stops
 * sending and connects anew.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '../test/helpers/backend.ts';
import { startHttpServer, type RunningServer } from './server.ts';
import type { Store } from './store/open.ts';
import { createToken } from './store/tokens.ts';

/** More than node-server drains (64 MiB) before it closes the socket. */
const UPLOAD_BYTES = 65 * 1024 * 1024;
const CHUNK = Buffer.alloc(1024 * 1024, 0x20); // JSON whitespace

interface Response {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Parses one HTTP/1.1 response from the start of `buf`; undefined while incomplete. */
function parseResponse(buf: Buffer): { response: Response; rest: Buffer } | undefined {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = buf.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  const status = Number(statusLine!.split(' ')[1]);
  let body = buf.subarray(end + 4);
  if (headers['transfer-encoding'] === 'chunked') {
    const parts: Buffer[] = [];
    for (;;) {
      const lineEnd = body.indexOf('\r\n');
      if (lineEnd < 0) return undefined;
      const size = parseInt(body.subarray(0, lineEnd).toString('latin1'), 16);
      if (body.length < lineEnd + 2 + size + 2) return undefined;
      parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
      body = body.subarray(lineEnd + 2 + size + 2);
      if (size === 0) return { response: { status, headers, body: Buffer.concat(parts).toString('utf8') }, rest: body };
    }
  }
  const length = Number(headers['content-length'] ?? 0);
  if (body.length < length) return undefined;
  return { response: { status, headers, body: body.subarray(0, length).toString('utf8') }, rest: body.subarray(length) };
}

/** A keep-alive connection that reads responses in order and remembers how it ended. */
function connect(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  let buf: Buffer = Buffer.alloc(0);
  let waiting: ((r: Response) => void) | undefined;
  const ready: Response[] = [];
  let failure: Error | undefined;
  let onFailure: ((err: Error) => void) | undefined;
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const drain = () => {
    for (let p = parseResponse(buf); p; p = parseResponse(buf)) {
      buf = p.rest;
      if (waiting) {
        const w = waiting;
        waiting = undefined;
        w(p.response);
      } else ready.push(p.response);
    }
  };
  socket.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    drain();
  });
  const fail = (err: Error) => {
    failure ??= err;
    onFailure?.(failure);
  };
  socket.on('error', fail);
  socket.on('close', () => fail(new Error('the server closed the connection without an answer')));
  return {
    socket,
    closed,
    connected: new Promise<void>((resolve) => socket.once('connect', () => resolve())),
    /** The next response on this connection. */
    next(): Promise<Response> {
      const r = ready.shift();
      if (r) return Promise.resolve(r);
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        waiting = resolve;
        onFailure = reject;
      });
    },
    /** Resolves once `data` is handed to the kernel, or false when the connection is gone. */
    write(data: Buffer | string): Promise<boolean> {
      if (failure || socket.destroyed) return Promise.resolve(false);
      return new Promise((resolve) => {
        if (socket.write(data)) resolve(true);
        else socket.once('drain', () => resolve(true)).once('close', () => resolve(false));
      });
    },
  };
}

let store: Store;
let server: RunningServer;
let port: number;
let token: string;

beforeAll(async () => {
  store = await openTestStore();
  token = (await createToken(store.db, { role: 'rater', name: 'uploader' })).token;
  server = await startHttpServer(store, { port: 0, host: '127.0.0.1' });
  port = Number(new URL(server.url).port);
});
afterAll(() => server.stop());

/**
 * Sends `head` then the oversized body as `frame` wraps each chunk, stopping when an answer
 * saying `Connection: close` arrives; then asks GET /healthz as a keep-alive client would (same
 * socket after a keep-alive answer, a new one after a close).
 */
async function oversizedThenNext(head: string, frame: (chunk: Buffer) => Buffer | string, trailer: string) {
  const conn = connect(port);
  await conn.connected;
  await conn.write(head);
  let first: Response | undefined;
  conn.next().then(
    (r) => (first = r),
    () => {},
  );
  for (let sent = 0; sent < UPLOAD_BYTES && first?.headers.connection !== 'close'; sent += CHUNK.length) {
    if (!(await conn.write(frame(CHUNK)))) break;
  }
  let reuse = first?.headers.connection !== 'close';
  if (reuse) reuse = await conn.write(trailer);
  const response1 = first ?? (await conn.next());
  let response2: Response;
  if (response1.headers.connection === 'close') {
    await conn.closed;
    const fresh = connect(port);
    await fresh.connected;
    await fresh.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    response2 = await fresh.next();
    fresh.socket.destroy();
  } else {
    // The client did as the answer said: finished its request and reused the socket.
    if (reuse) await conn.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    response2 = await conn.next().catch((err: Error) => {
      throw new Error(`the next request on the kept-alive socket failed (${err.message}); the 413 said "Connection: ${response1.headers.connection ?? '(none)'}"`);
    });
  }
  conn.socket.destroy();
  return { response1, response2 };
}

describe('a 413 before the body is read says Connection: close', { timeout: 60_000 }, () => {
  it('POST /v1/sync with a Content-Length over the limit', async () => {
    const head =
      `POST /v1/sync HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\nAuthorization: Bearer ${token}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${UPLOAD_BYTES}\r\n\r\n`;
    const { response1, response2 } = await oversizedThenNext(head, (c) => c, '');
    expect(response1.status).toBe(413);
    expect(JSON.parse(response1.body)).toMatchObject({ error: { code: 'payload_too_large' } });
    expect(response1.headers.connection).toBe('close');
    expect(response2.status).toBe(200);
    expect(JSON.parse(response2.body)).toEqual({ ok: true });
  });

  it('POST /v1/sync chunked, refused once 1 MiB has been read', async () => {
    const head =
      `POST /v1/sync HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\nAuthorization: Bearer ${token}\r\n` +
      'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
    const { response1, response2 } = await oversizedThenNext(head, (c) => Buffer.concat([Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from('\r\n')]), '0\r\n\r\n');
    expect(response1.status).toBe(413);
    expect(response1.headers.connection).toBe('close');
    expect(response2.status).toBe(200);
  });

  it('a dashboard form over the limit', async () => {
    const head =
      `POST /dashboard/sign-in HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: http://127.0.0.1:${port}\r\nConnection: keep-alive\r\n` +
      `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${UPLOAD_BYTES}\r\n\r\n`;
    const { response1, response2 } = await oversizedThenNext(head, (c) => c, '');
    expect(response1.status).toBe(413);
    expect(response1.headers.connection).toBe('close');
    expect(response2.status).toBe(200);
  });

  it('other answers keep the connection alive (the fix is only for refused bodies)', async () => {
    const conn = connect(port);
    await conn.connected;
    await conn.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    const a = await conn.next();
    await conn.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    const b = await conn.next();
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.headers.connection).toBe('keep-alive');
    conn.socket.destroy();
  });
});
