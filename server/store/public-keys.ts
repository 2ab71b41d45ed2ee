/**
 * Public ingest keys (issue 17, item 2; docs/api/public-keys.md, ADR 0047): what an admin gives a
 * web app so its pages can send ratings from the embedded widget. A key is a bearer secret that
 * sits in a page, so it is public: it may only sync feedback (server/middleware/auth), only from
 * its origins, only about pages of its origins, only the criteria and kinds it names, at its rate.
 *
 * Keys are 256 random bits (`gtpk_…`), shown once and stored only as their SHA-256, as tokens are.
 * Lookups are cached for at most a second (read-cache.ts): a revocation here is seen by this
 * process's next request (`publicKeysChanged()`), by other servers within the cache's TTL.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { uuidv7 } from '../../shared/ids.ts';
import { clockNow } from '../lib/clock.ts';
import { withPublicKeyTables, type PublicKeysTable } from './public-key-tables.ts';
import { readCache } from './read-cache.ts';
import type { DB } from './schema.ts';
import { ensureWorkspace, hashToken } from './tokens.ts';

export const PUBLIC_KEY_PREFIX = 'gtpk_';
export const DEFAULT_RATE_PER_MINUTE = 120;
export const MAX_RATE_PER_MINUTE = 100_000;
export const MAX_ORIGINS = 50;

export interface PublicKeyInfo {
  id: string;
  workspaceId: string;
  name: string;
  prefix: string;
  /** Normalised `scheme://host[:port]`. */
  origins: string[];
  /** null: any criterion. */
  criteria: string[] | null;
  /** null: any target kind. */
  kinds: string[] | null;
  ratePerMinute: number;
  hashesOnly: boolean;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
}

/** Whether a bearer secret is shaped like a public key (the auth middleware routes it here). */
export const isPublicKey = (secret: string): boolean => secret.startsWith(PUBLIC_KEY_PREFIX);

/**
 * An origin as browsers send it in `Origin`: `http(s)://host[:port]`, lowercase, without the
 * default port. Undefined for anything else (a path, a query, credentials, another scheme, `null`).
 * A trailing `/` is forgiven, since people paste origins from the address bar.
 */
export function normaliseOrigin(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username || url.password || url.search || url.hash || url.pathname !== '/') return undefined;
  if (!/^https?:\/\/[^/?#]+\/?$/i.test(value.trim())) return undefined;
  // A host name (IDNs arrive punycoded), an IPv4 or a bracketed IPv6 address: no wildcard.
  if (!/^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])$/.test(url.hostname)) return undefined;
  return url.origin;
}

/** The origin of a page's URL (`target.url`), or undefined when it has none we accept. */
export function originOfUrl(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

const list = (json: string | null): string[] | null => (json === null ? null : (JSON.parse(json) as string[]));

function toInfo(row: PublicKeysTable): PublicKeyInfo {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    name: row.name,
    prefix: row.prefix,
    origins: list(row.origins) ?? [],
    criteria: list(row.criteria),
    kinds: list(row.kinds),
    ratePerMinute: Number(row.rate_per_minute),
    hashesOnly: Number(row.hashes_only) === 1,
    createdBy: row.created_by,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}

export interface CreatePublicKeyInput {
  workspaceId: string;
  name: string;
  /** Already normalised (normaliseOrigin). */
  origins: string[];
  criteria?: string[] | null;
  kinds?: string[] | null;
  ratePerMinute?: number;
  hashesOnly?: boolean;
  /** The admin token's id (or `cli`). */
  createdBy: string;
}

/** Lookups by secret and the set of live origins, reused for at most READ_CACHE_MS. */
const keyLookups = readCache<PublicKeyInfo>();
const originLookups = readCache<Set<string>>();

/** Every cached lookup in this process is read again: call after any write to `public_keys`. */
export function publicKeysChanged(): void {
  keyLookups.changed();
  originLookups.changed();
}

/** Creates a key; the returned `key` is the only time the secret exists outside the caller. */
export async function createPublicKey(db: Kysely<DB>, input: CreatePublicKeyInput): Promise<{ key: string; info: PublicKeyInfo }> {
  await ensureWorkspace(db, input.workspaceId);
  const key = `${PUBLIC_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const row: PublicKeysTable = {
    id: uuidv7(),
    workspace_id: input.workspaceId,
    name: input.name,
    key_hash: hashToken(key),
    prefix: key.slice(0, 12),
    origins: JSON.stringify([...new Set(input.origins)]),
    criteria: input.criteria?.length ? JSON.stringify([...new Set(input.criteria)]) : null,
    kinds: input.kinds?.length ? JSON.stringify([...new Set(input.kinds)]) : null,
    rate_per_minute: input.ratePerMinute ?? DEFAULT_RATE_PER_MINUTE,
    hashes_only: input.hashesOnly ? 1 : 0,
    created_by: input.createdBy,
    created_at: clockNow().toISOString(),
    revoked_at: null,
  };
  await withPublicKeyTables(db).insertInto('public_keys').values(row).execute();
  publicKeysChanged();
  return { key, info: toInfo(row) };
}

/** A workspace's keys, revoked ones too, oldest first. */
export async function listPublicKeys(db: Kysely<DB>, workspaceId: string): Promise<PublicKeyInfo[]> {
  const rows = await withPublicKeyTables(db).selectFrom('public_keys').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at').orderBy('id').execute();
  return rows.map(toInfo);
}

/** Revokes the live key with this id in this workspace; the revoked key, or undefined if none matched. */
export async function revokePublicKey(db: Kysely<DB>, id: string, workspaceId: string): Promise<PublicKeyInfo | undefined> {
  const t = withPublicKeyTables(db);
  const revokedAt = clockNow().toISOString();
  const res = await t
    .updateTable('public_keys')
    .set({ revoked_at: revokedAt })
    .where('id', '=', id)
    .where('workspace_id', '=', workspaceId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  publicKeysChanged();
  if (Number(res.numUpdatedRows) === 0) return undefined;
  const row = await t.selectFrom('public_keys').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  return toInfo(row);
}

/** The unrevoked key with this secret. */
export async function findLivePublicKey(db: Kysely<DB>, secret: string): Promise<PublicKeyInfo | undefined> {
  const hash = hashToken(secret);
  return keyLookups.get(db, hash, async () => {
    const row = await withPublicKeyTables(db).selectFrom('public_keys').selectAll().where('key_hash', '=', hash).where('revoked_at', 'is', null).executeTakeFirst();
    return row ? toInfo(row) : undefined;
  });
}

/**
 * Whether some live key (of any workspace) lists this origin: the CORS preflight's question, asked
 * before any key is shown (a preflight carries no Authorization). All live origins are read at once
 * and reused for a second: there are few keys, and preflights come with every page that rates.
 */
export async function originOfSomeLiveKey(db: Kysely<DB>, origin: string): Promise<boolean> {
  const origins = await originLookups.get(db, 'live', async () => {
    const rows = await withPublicKeyTables(db).selectFrom('public_keys').select('origins').where('revoked_at', 'is', null).execute();
    return new Set(rows.flatMap((r) => list(r.origins) ?? []));
  });
  return origins?.has(origin) ?? false;
}
