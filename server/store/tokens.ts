import { randomBytes, createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Role } from '../../shared/schemas.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { clockNow } from '../lib/clock.ts';
import { readCache } from './read-cache.ts';
import type { DB, TokensTable } from './schema.ts';

export const DEFAULT_WORKSPACE = 'default';

/** Tokens are 256 random bits, so one SHA-256 is enough at rest (no password stretching needed). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface TokenInfo {
  id: string;
  workspaceId: string;
  raterId: string;
  name: string;
  role: Role;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  /** When the token stops working; null: never. */
  expiresAt: string | null;
}

function toInfo(row: TokensTable): TokenInfo {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    raterId: row.rater_id,
    name: row.name,
    role: row.role,
    prefix: row.prefix,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
    expiresAt: row.expires_at ?? null,
  };
}

/** Whether the token's expiry has passed (by the server's clock, lib/clock.ts). */
export function tokenExpired(info: Pick<TokenInfo, 'expiresAt'>, now: Date = clockNow()): boolean {
  return info.expiresAt !== null && Date.parse(info.expiresAt) <= now.getTime();
}

export async function ensureWorkspace(db: Kysely<DB>, id: string, name = id): Promise<void> {
  await db
    .insertInto('workspaces')
    .values({ id, name, created_at: new Date().toISOString() })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export interface CreateTokenInput {
  role: Role;
  name: string;
  workspaceId?: string;
  /** Give a second token to an existing rater (a second device); a new rater id otherwise. */
  raterId?: string;
  /** ISO time after which the token is refused; never by default. */
  expiresAt?: string | null;
}

/** Creates a token; the returned `token` is the only time the secret exists outside the caller. */
export async function createToken(db: Kysely<DB>, input: CreateTokenInput): Promise<{ token: string; info: TokenInfo }> {
  const workspaceId = input.workspaceId ?? DEFAULT_WORKSPACE;
  await ensureWorkspace(db, workspaceId);
  const token = `gt_${randomBytes(32).toString('base64url')}`;
  const id = uuidv7();
  const row: TokensTable = {
    id,
    workspace_id: workspaceId,
    rater_id: input.raterId ?? `rater_${id.replace(/-/g, '').slice(-12)}`,
    name: input.name,
    role: input.role,
    token_hash: hashToken(token),
    prefix: token.slice(0, 10),
    created_at: new Date().toISOString(),
    last_used_at: null,
    revoked_at: null,
    expires_at: input.expiresAt ?? null,
  };
  await db.insertInto('tokens').values(row).execute();
  return { token, info: toInfo(row) };
}

/** Token lookups, reused for at most READ_CACHE_MS (server/store/read-cache.ts says how changes are seen). */
const tokenLookups = readCache<TokenInfo>();

/** Every cached token lookup in this process is read again: call after any write to `tokens`. */
export const tokensChanged = () => tokenLookups.changed();

/** The unrevoked token with this secret, expired or not (callers say which: see tokenExpired). */
export async function findActiveToken(db: Kysely<DB>, token: string): Promise<TokenInfo | undefined> {
  const hash = hashToken(token);
  return tokenLookups.get(db, hash, async () => {
    const row = await db.selectFrom('tokens').selectAll().where('token_hash', '=', hash).where('revoked_at', 'is', null).executeTakeFirst();
    return row ? toInfo(row) : undefined;
  });
}

export async function touchToken(db: Kysely<DB>, id: string, at: string): Promise<void> {
  await db.updateTable('tokens').set({ last_used_at: at }).where('id', '=', id).execute();
}

export async function listTokens(db: Kysely<DB>, workspaceId?: string): Promise<TokenInfo[]> {
  let q = db.selectFrom('tokens').selectAll().orderBy('created_at');
  if (workspaceId) q = q.where('workspace_id', '=', workspaceId);
  return (await q.execute()).map(toInfo);
}

/**
 * Revokes the token with exactly this id; scoped to a workspace when one is given. False if none
 * matched. Never by shown prefix: two tokens can share one (the CLI resolves a prefix to exactly one
 * id first, see token-ref.ts).
 */
export async function revokeToken(db: Kysely<DB>, id: string, workspaceId?: string): Promise<boolean> {
  let q = db
    .updateTable('tokens')
    .set({ revoked_at: new Date().toISOString() })
    .where('id', '=', id)
    .where('revoked_at', 'is', null);
  if (workspaceId) q = q.where('workspace_id', '=', workspaceId);
  const res = await q.executeTakeFirst();
  tokensChanged();
  return Number(res.numUpdatedRows) > 0;
}

export async function countTokens(db: Kysely<DB>): Promise<number> {
  const row = await db.selectFrom('tokens').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
