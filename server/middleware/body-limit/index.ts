/**
 * The API's body limit (issue 13) without building a web `Request` per request (issue 19, item 2).
 *
 * hono's `bodyLimit` reads `c.req.raw.body`, which makes @hono/node-server turn its lightweight
 * request into a full `Request` (headers, an AbortSignal, a web stream over the socket) before
 * anything is read; then `c.req.json()` reads the body through that stream. Profiled on single
 * `POST /v1/feedback` at 32 in flight (`npm run bench -- sync`), that was about a tenth of the
 * request's time. Here, when the request came through node-server with a Content-Length within
 * the limit and no Transfer-Encoding, the body is read straight from Node's IncomingMessage, once,
 * when a route first asks for it (`c.req.json()`, `text()`, … all go through `bodyCache.text`), and
 * decoded as `Request.text()` does (UTF-8, BOM dropped, bad bytes replaced). It is also left where
 * node-server finds it (`incoming.rawBody`) should anything build the full `Request` afterwards.
 *
 * Anything else (no Content-Length, chunked, an app called without a server as the tests do)
 * goes through hono's `bodyLimit` exactly as before, as does a declared length over the limit
 * (413 before a byte is read).
 */
import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit as honoBodyLimit } from 'hono/body-limit';

interface Options {
  maxSize: number;
  onError: (c: Context) => Response | Promise<Response>;
}

/** The node-server request behind `c`, if there is one whose body nobody has started reading. */
function unreadIncoming(c: Context): IncomingMessage | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming || typeof incoming.on !== 'function' || incoming.readableDidRead || 'rawBody' in incoming) return undefined;
  return incoming;
}

const decoder = new TextDecoder(); // fatal: false, BOM dropped: what Request.text() does

async function readAll(incoming: IncomingMessage, length: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
  }
  // Node's parser ends the body at the declared length; a shorter one is a client that gave up.
  if (size < length) throw new TypeError('the request body ended before its Content-Length');
  const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
  (incoming as IncomingMessage & { rawBody?: Buffer }).rawBody = body;
  return decoder.decode(body);
}

export const bodyLimit = (options: Options): MiddlewareHandler => {
  const fallback = honoBodyLimit(options);
  return async function bodyLimit(c, next) {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD') return next(); // no body to limit (and none read)
    const incoming = unreadIncoming(c);
    const declared = incoming?.headers['content-length'];
    if (!incoming || declared === undefined || incoming.headers['transfer-encoding'] !== undefined) return fallback(c, next);
    const length = Number.parseInt(declared, 10);
    if (!(length <= options.maxSize)) return options.onError(c);
    let text: Promise<string> | undefined;
    Object.defineProperty(c.req.bodyCache, 'text', {
      enumerable: true,
      configurable: true,
      get: () => {
        if (!text) {
          text = readAll(incoming, length);
          text.catch(() => {}); // read by whoever asked; never an unhandled rejection
        }
        return text;
      },
      set: (value: Promise<string>) => {
        text = value;
      },
    });
    return next();
  };
};
