/** Serves the app over HTTP, with a graceful stop: in-flight requests finish, then the store closes. */
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.ts';
import { metricsApp } from './metrics/routes.ts';
import type { Store } from './store/open.ts';

export interface RunningServer {
  url: string;
  server: ServerType;
  /** With METRICS_PORT: where /metrics is served (no token). */
  metricsUrl?: string;
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

function listen(fetch: (req: Request) => Response | Promise<Response>, port: number, host: string): Promise<ServerType> {
  return new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch, port, hostname: host }, () => resolve(s));
    s.once('error', reject);
  });
}

function urlOf(server: ServerType): string {
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

function close(server: ServerType): Promise<void> {
  return new Promise<void>((resolve) => {
    // close() stops accepting and resolves once in-flight requests have been answered.
    server.close(() => resolve());
    // Idle keep-alive sockets would hold close() open forever.
    (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
  });
}

/** `metricsPort` (env METRICS_PORT): a second listener serving only /metrics, without a token (issue 18). */
export async function startHttpServer(store: Store, opts: { port: number; host: string; metricsPort?: number }): Promise<RunningServer> {
  const app = createApp({ store });
  const server = await listen(closeAfterRefusedBody(app.fetch), opts.port, opts.host);
  const metrics = opts.metricsPort === undefined ? undefined : await listen(metricsApp(store).fetch, opts.metricsPort, opts.host);
  let stopping: Promise<void> | undefined;
  return {
    url: urlOf(server),
    server,
    ...(metrics ? { metricsUrl: urlOf(metrics) } : {}),
    stop() {
      stopping ??= Promise.all([close(server), metrics && close(metrics)]).then(() => store.close());
      return stopping;
    },
  };
}
