/**
 * One webhook POST over node:http(s), with the address policy applied to the address each
 * connection actually uses: a literal address is checked before connecting, a host name's DNS
 * answers are filtered in the socket's `lookup` (so a name that resolves to 127.0.0.1 never gets a
 * connection, and DNS cannot answer one thing to a check and another to the connect), and the
 * connected socket's remote address is checked once more. Redirects are never followed (a 3xx is
 * the answer). Errors are short fixed texts that name no address, port or system message, so the
 * delivery log cannot be used to map the network behind the server.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { addressRefusal, bareHost, hostIsListed, type WebhookAddressPolicy } from './address-policy.ts';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** DNS for webhook hosts (tests pass their own; the real one is the system resolver). */
export type Resolve = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolve: Resolve = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

export interface SendOptions {
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
  policy: WebhookAddressPolicy;
  resolve?: Resolve;
}

export interface SendResult {
  status: number;
  retryAfter: string | null;
}

/** A failure whose message is safe to store in the delivery log. */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
}

const NOT_ALLOWED = 'the address is not allowed (loopback, link-local, private or special network)';

const SAFE_TEXT: [RegExp, string][] = [
  [/^EADDRNOTALLOWED$/, NOT_ALLOWED],
  [/^(ENOTFOUND|EAI_AGAIN|EAI_FAIL|EAI_NODATA|EAI_NONAME|ENODATA)$/, 'could not resolve the host name'],
  [/^ECONNREFUSED$/, 'connection refused'],
  [/^(ECONNRESET|EPIPE|ECONNABORTED|UND_ERR_SOCKET)$/, 'connection reset'],
  [/^(ETIMEDOUT|ESOCKETTIMEDOUT|UND_ERR_CONNECT_TIMEOUT)$/, 'connection timed out'],
  [/^(EHOSTUNREACH|ENETUNREACH|EHOSTDOWN|ENETDOWN)$/, 'host unreachable'],
  [/^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL)/, 'TLS handshake failed (certificate or protocol)'],
  [/^HPE_/, 'invalid HTTP response'],
];

/** A short, fixed description of a failed attempt: never an address, a port or the system's message. */
export function deliveryErrorText(err: unknown): string {
  if (err instanceof DeliveryError) return err.message;
  const code = String((err as { code?: unknown })?.code ?? (err as { cause?: { code?: unknown } })?.cause?.code ?? '');
  for (const [pattern, text] of SAFE_TEXT) if (pattern.test(code)) return text;
  return 'network error';
}

const notAllowed = () => Object.assign(new Error(NOT_ALLOWED), { code: 'EADDRNOTALLOWED' });

/** A socket `lookup` that resolves with `resolve` and drops the addresses the policy refuses. */
function guardedLookup(resolve: Resolve, policy: WebhookAddressPolicy, listed: boolean): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (found) => {
        const usable = found.filter((a) => (options.family ? a.family === options.family : true) && (listed || !addressRefusal(a.address, policy)));
        if (!usable.length) return callback(found.length ? notAllowed() : Object.assign(new Error('no address'), { code: 'ENOTFOUND' }), '', 0);
        if (options.all) return (callback as unknown as (e: null, all: ResolvedAddress[]) => void)(null, usable);
        callback(null, usable[0]!.address, usable[0]!.family);
      },
      (err) => callback(err as NodeJS.ErrnoException, '', 0),
    );
  };
}

export function postWebhook(url: string, options: SendOptions): Promise<SendResult> {
  const { headers, body, signal, policy, resolve = systemResolve } = options;
  return new Promise<SendResult>((settle, fail) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return fail(new DeliveryError('the URL cannot be read'));
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') return fail(new DeliveryError('only http and https URLs are sent to'));
    const host = bareHost(target.hostname);
    const listed = hostIsListed(host, policy);
    if (!listed && isIP(host) && addressRefusal(host, policy)) return fail(new DeliveryError(NOT_ALLOWED));
    const request = (target.protocol === 'https:' ? https : http).request(target, {
      method: 'POST',
      headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
      // A fresh connection per attempt: no pooled socket is reused past the checks below.
      agent: false,
      lookup: guardedLookup(resolve, policy, listed),
      signal,
    });
    request.once('socket', (socket) => {
      socket.once('connect', () => {
        const remote = socket.remoteAddress;
        if (!listed && (!remote || addressRefusal(remote, policy))) request.destroy(new DeliveryError(NOT_ALLOWED));
      });
    });
    request.once('response', (res) => {
      const retryAfter = res.headers['retry-after'];
      settle({ status: res.statusCode ?? 0, retryAfter: typeof retryAfter === 'string' ? retryAfter : null });
      // The body is not read: the status is the answer. Closing the connection is cheaper.
      res.destroy();
    });
    // `on`, not `once`: an error after the answer (the closed body) must not go unhandled.
    request.on('error', fail);
    request.end(body);
  });
}
