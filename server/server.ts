/** Serves the app over HTTP, with a graceful stop: in-flight requests finish, then the store closes. */
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.ts';
import type { Store } from './store/open.ts';

export interface RunningServer {
  url: string;
  server: ServerType;
  stop(): Promise<void>;
}

/**
 * A 413 is sent before the oversized body has been read (or once 1 MiB of a chunked one has). The
 * rest of the upload is never read: @hono/node-server drains it for at most 500 ms or 64 MiB and then
 * closes the socket, so a keep-alive client that finishes its upload and sends its next request on
 * that socket gets a reset. `Connection: close` tells it to stop sending and reconnect; Node closes
 * the socket once the answer is out (issue 13; test: connection-close-413.test.ts).
 */
function closeAfterRefusedBody(fetch: (req: Request, env?: unknown) => Response | Promise<Response>) {
  return async function fetchClosingAfter413(req: Request, env?: unknown): Promise<Response> {
    const res = await fetch(req, env);
    if (res.status !== 413) return res;
    try {
      res.headers.set('Connection', 'close');
      return res;
    } catch {
      // Immutable headers (a Response passed through from fetch()): copy it.
      const headers = new Headers(res.headers);
      headers.set('Connection', 'close');
      return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
    }
  };
}

export async function startHttpServer(store: Store, opts: { port: number; host: string }): Promise<RunningServer> {
  const app = createApp({ store });
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: closeAfterRefusedBody(app.fetch), port: opts.port, hostname: opts.host }, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    server,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        // close() stops accepting and resolves once in-flight requests have been answered.
        server.close(() => resolve());
        // Idle keep-alive sockets would hold close() open forever.
        (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      }).then(() => store.close());
      return stopping;
    },
  };
}
