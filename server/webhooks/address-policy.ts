/**
 * Which addresses a webhook may reach (issue 13, item 3). Loopback, link-local, private and other
 * special-purpose addresses are refused by default, so an admin cannot make the server probe its
 * own network (cloud metadata at 169.254.169.254, databases on 10.x, admin ports on 127.0.0.1).
 * The operator opens them for on-premises receivers: WEBHOOK_ALLOW_PRIVATE=1 for all, or
 * WEBHOOK_ALLOWED_HOSTS for some (host names, addresses, CIDR ranges).
 *
 * The ranges are the IANA special-purpose registries:
 * https://www.iana.org/assignments/iana-ipv4-special-registry and
 * https://www.iana.org/assignments/iana-ipv6-special-registry; IPv6 forms that carry an IPv4
 * address (IPv4-mapped, NAT64, 6to4) are judged by that IPv4 address. Matching uses node:net's
 * BlockList (built in, no dependency).
 */
import { BlockList, isIP } from 'node:net';

export interface WebhookAddressPolicy {
  /** WEBHOOK_ALLOW_PRIVATE=1: every address may be reached. */
  allowPrivate: boolean;
  /** WEBHOOK_ALLOWED_HOSTS: host names (`hooks.corp`, `*.corp`), addresses and CIDR ranges that may be private. */
  allowedHosts: readonly string[];
}

/** The default: public addresses only. */
export const PUBLIC_ONLY: WebhookAddressPolicy = { allowPrivate: false, allowedHosts: [] };

type Kind = 'unspecified' | 'loopback' | 'private' | 'link-local' | 'multicast' | 'special-purpose';

const V4: [string, number, Kind][] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'private'], // shared address space (carrier-grade NAT)
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'special-purpose'],
  ['192.0.2.0', 24, 'special-purpose'], // documentation
  ['192.88.99.0', 24, 'special-purpose'], // 6to4 relay anycast
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'special-purpose'], // benchmarking
  ['198.51.100.0', 24, 'special-purpose'], // documentation
  ['203.0.113.0', 24, 'special-purpose'], // documentation
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'special-purpose'], // reserved, and the broadcast address
];

const V6: [string, number, Kind][] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['::', 96, 'special-purpose'], // IPv4-compatible (deprecated)
  ['64:ff9b:1::', 48, 'special-purpose'], // local-use IPv4/IPv6 translation
  ['100::', 64, 'special-purpose'], // discard-only
  ['2001::', 23, 'special-purpose'], // IETF protocol assignments (Teredo, ORCHID, …)
  ['2001:db8::', 32, 'special-purpose'], // documentation
  ['fc00::', 7, 'private'], // unique local
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'private'], // site-local (deprecated)
  ['ff00::', 8, 'multicast'],
];

function blockList(ranges: [string, number, Kind][], type: 'ipv4' | 'ipv6', kind: Kind): BlockList {
  const list = new BlockList();
  for (const [net, prefix, k] of ranges) if (k === kind) list.addSubnet(net, prefix, type);
  return list;
}

const KINDS: Kind[] = ['unspecified', 'loopback', 'private', 'link-local', 'multicast', 'special-purpose'];
const LISTS = KINDS.map((kind) => ({ kind, v4: blockList(V4, 'ipv4', kind), v6: blockList(V6, 'ipv6', kind) }));

/** The 16 bytes of an IPv6 address (which isIP() has accepted), or undefined. */
function ipv6Bytes(address: string): number[] | undefined {
  let text = address.split('%')[0]!;
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    tail.push(...dotted[1]!.split('.').map(Number));
    text = text.slice(0, -dotted[1]!.length) + '0:0';
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const groups = (s: string) => (s ? s.split(':').map((g) => Number.parseInt(g, 16)) : []);
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const all = rest === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill(0), ...right];
  if (all.length !== 8 || all.some((g) => !(g >= 0 && g <= 0xffff))) return undefined;
  const bytes = all.flatMap((g) => [g >> 8, g & 0xff]);
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** The IPv4 address an IPv6 one carries (IPv4-mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16). */
function embeddedIpv4(address: string): string | undefined {
  const b = ipv6Bytes(address);
  if (!b) return undefined;
  const zero = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  const v4 = (at: number) => b.slice(at, at + 4).join('.');
  if (zero(0, 10) && b[10] === 0xff && b[11] === 0xff) return v4(12);
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zero(4, 12)) return v4(12);
  if (b[0] === 0x20 && b[1] === 0x02) return v4(2);
  return undefined;
}

/** What kind of special address `address` is (IPv4 or IPv6, no brackets), or undefined for a public one. */
export function specialKind(address: string): Kind | undefined {
  const family = isIP(address);
  if (family === 4) return LISTS.find((l) => l.v4.check(address, 'ipv4'))?.kind;
  if (family === 6) {
    const inner = embeddedIpv4(address);
    if (inner) return specialKind(inner);
    const bare = address.split('%')[0]!;
    return LISTS.find((l) => l.v6.check(bare, 'ipv6'))?.kind;
  }
  return 'special-purpose'; // not an address at all: never connect to it
}

const HOST_NAME = /^(\*\.)?(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/i;

/** A WEBHOOK_ALLOWED_HOSTS entry: a host name (`*.` for its subdomains), an address, or a CIDR range. */
export function isAllowedHostEntry(entry: string): boolean {
  const [net, prefix, extra] = entry.split('/');
  if (prefix !== undefined) {
    const family = isIP(net!);
    return extra === undefined && family !== 0 && /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
  }
  return isIP(entry) !== 0 || HOST_NAME.test(entry);
}

interface Compiled {
  allowPrivate: boolean;
  names: Set<string>;
  suffixes: string[];
  ranges: BlockList;
}

const compiled = new WeakMap<WebhookAddressPolicy, Compiled>();

function compile(policy: WebhookAddressPolicy): Compiled {
  let c = compiled.get(policy);
  if (c) return c;
  c = { allowPrivate: policy.allowPrivate, names: new Set(), suffixes: [], ranges: new BlockList() };
  for (const raw of policy.allowedHosts) {
    const entry = raw.trim().toLowerCase();
    const [net, prefix] = entry.split('/');
    const family = isIP(net!);
    if (family) c.ranges.addSubnet(net!, prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix), family === 4 ? 'ipv4' : 'ipv6');
    else if (entry.startsWith('*.')) c.suffixes.push(entry.slice(1));
    else c.names.add(entry.replace(/\.$/, ''));
  }
  compiled.set(policy, c);
  return c;
}

/** The host part of a URL without IPv6 brackets, lower case, without a trailing dot. */
export function bareHost(hostname: string): string {
  return hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '').toLowerCase();
}

/** Whether WEBHOOK_ALLOWED_HOSTS names this host (then whatever it resolves to may be reached). */
export function hostIsListed(hostname: string, policy: WebhookAddressPolicy): boolean {
  const c = compile(policy);
  const host = bareHost(hostname);
  return c.names.has(host) || c.suffixes.some((s) => host.endsWith(s));
}

/** Why `address` may not be reached under `policy` ("a loopback address"), or undefined when it may. */
export function addressRefusal(address: string, policy: WebhookAddressPolicy): string | undefined {
  const c = compile(policy);
  const bare = address.split('%')[0]!;
  const family = isIP(bare);
  if (c.allowPrivate) return undefined;
  if (family && c.ranges.check(bare, family === 4 ? 'ipv4' : 'ipv6')) return undefined;
  if (family === 6) {
    const inner = embeddedIpv4(bare);
    if (inner && c.ranges.check(inner, 'ipv4')) return undefined;
  }
  const kind = specialKind(bare);
  return kind && `${kind === 'unspecified' ? 'the unspecified' : /^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} address`;
}

const LOCALHOST = /(^|\.)localhost$/;

/**
 * Why a webhook URL is refused before any DNS lookup (its host is a literal special address, or a
 * localhost name), or undefined. URL parsing normalises the spellings (`2130706433`, `0x7f.1`,
 * `0`, `[::ffff:127.0.0.1]`) to the address they stand for.
 */
export function urlRefusal(url: string, policy: WebhookAddressPolicy): string | undefined {
  let host: string;
  try {
    host = bareHost(new URL(url).hostname);
  } catch {
    return 'an address that cannot be read';
  }
  if (hostIsListed(host, policy)) return undefined;
  if (isIP(host)) {
    const why = addressRefusal(host, policy);
    return why && `${why} (${host})`;
  }
  if (LOCALHOST.test(host) && !policy.allowPrivate) return `a localhost name (${host})`;
  return undefined;
}

/** The message for a refused URL at creation: why, and how the operator opens it. */
export function refusalMessage(why: string): string {
  return (
    `The webhook URL points at ${why}. Webhooks may not reach loopback, link-local, private or special addresses; ` +
    'for a receiver on your own network, start the server with WEBHOOK_ALLOW_PRIVATE=1 or list it in WEBHOOK_ALLOWED_HOSTS.'
  );
}
