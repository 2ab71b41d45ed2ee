/**
 * The client's address, for per-address rate limits and the audit log. By default the socket's
 * peer address (what @hono/node-server hands the app as `env.incoming.socket`). Behind load
 * balancers, TRUST_PROXY=N (N proxies in front, usually 1) takes the address the outermost of
 * them saw: the N-th entry of X-Forwarded-For counted from the right. Entries further left were
 * written by the client and are never believed.
 */
import type { Context } from 'hono';
import { isIP } from 'node:net';

interface NodeBindings {
  incoming?: { socket?: { remoteAddress?: string } };
}

/** `::ffff:1.2.3.4` → `1.2.3.4`; `1.2.3.4:5678` and `[::1]:5678` lose the port; undefined if not an address. */
export function normalizeAddress(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  let a = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(a);
  if (bracketed) a = bracketed[1]!;
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(a)) a = a.slice(0, a.lastIndexOf(':'));
  if (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(a)) a = a.slice(7);
  return isIP(a) ? a.toLowerCase() : undefined;
}

export function clientAddress(c: Context, trustProxy = 0): string | undefined {
  if (trustProxy > 0) {
    const hops = (c.req.header('X-Forwarded-For') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (hops.length) {
      const seen = normalizeAddress(hops[Math.max(0, hops.length - trustProxy)]);
      if (seen) return seen;
    }
  }
  return normalizeAddress((c.env as NodeBindings | undefined)?.incoming?.socket?.remoteAddress);
}
