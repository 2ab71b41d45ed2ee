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

export async function startHttpServer(store: Store, opts: { port: number; host: string }): Promise<RunningServer> {
  const app = createApp({ store });
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: opts.port, hostname: opts.host }, () => resolve(s));
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
