/**
 * The server's API as a typed client: `hc<AppType>` (hono/client), typed from the server's own
 * routes. `AppType` is imported as a type only (DESIGN: the extension may import only types from the
 * server), so no server code enters the bundle; hono/client itself is ~4.7 kB minified, and only
 * the background loads it (the options page and the popup ask the background; the content script
 * never talks to the server).
 *
 * A route renamed or removed on the server, a changed method, or a body that no longer fits the
 * route's schema is a type error at the call (`npm run typecheck`), not a 404 for a rater
 * (docs/decisions/0032-typed-extension-client.md). There are no path strings in the extension:
 * test/conventions/typed-client.test.ts keeps it so.
 */
import type { Hono } from 'hono';
import { hc } from 'hono/client';
import type { AppType } from '../../server/app.ts';
import { baseUrl, type Fetch } from './http.ts';

export type Api = ReturnType<typeof hc<AppType>>;

/**
 * A route whose validation hook takes a plain `Context` (not generic in the path) widens its path to
 * `string` in AppType, and the client then loses every route with confusing errors below. This line
 * names the cause instead: make the hook generic, as server/lib/unknown-keys.ts does.
 */
type RoutePaths = AppType extends Hono<any, infer S, any> ? keyof S : never;
const routePathsAreLiteral: string extends RoutePaths ? 'a route hook takes a plain Context: its path widened to string' : true = true;

/** A client for one server and token; every call sends the token and nothing else of the server's site. */
export function serverApi(fetchFn: Fetch, serverUrl: string, token?: string): Api {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  return hc<AppType>(baseUrl(serverUrl), {
    // hono/client always calls fetch with a URL string.
    fetch: (input: RequestInfo | URL, init?: RequestInit) => fetchFn(String(input), init),
    headers,
    // Never send cookies of the server's site; the bearer token is the only credential.
    init: { credentials: 'omit' },
  });
}
