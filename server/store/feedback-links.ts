/**
 * Presigned rating links (issue 17, item 1; ADR 0046): a link lets one person rate one target on
 * one criterion without a token, at `/r/<secret>`. The secret is 256 random bits, shown once and
 * stored as its SHA-256. A link's ratings are ordinary feedback records written through the store's
 * one write path (applyMutations) with channel `link` and client id `link:<id>`: they count like
 * any other, and `link:<id>` is how one link's ratings are found again (export, erasure).
 */
import { createHash, randomBytes } from 'node:crypto';
import { hashToken } from './tokens.ts';
import { sql, type Kysely, type Transaction } from 'kysely';
import { AllowedRatings, type FeedbackLink } from '../../shared/feedback-links.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { Target } from '../../shared/schemas.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { withLinkTables, type FeedbackLinksTable } from './link-tables.ts';
import type { DB, FeedbackTable } from './schema.ts';

export const LINK_SECRET_PREFIX = 'gtl_';
const PREFIX_CHARS = 12;


/** A new secret: `gtl_` and 256 random bits, base64url. */
export function newLinkSecret(): string {
  return `${LINK_SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** Whether a path segment can be a link secret at all (checked before any lookup). */
export function looksLikeLinkSecret(s: string): boolean {
  return /^gtl_[A-Za-z0-9_-]{43}$/.test(s);
}

/** The client id a link's records carry: one link's ratings are those with it. */
export const linkClientId = (linkId: string) => `link:${linkId}`;

/**
 * The record id of one rater's vote through one link: the same on every re-vote, so one browser
 * voting again updates its one record (a UUID v8 from SHA-256, RFC 9562 §5.8).
 */
export function linkFeedbackId(linkId: string, raterId: string): string {
  const b = createHash('sha256').update(`feedback-link\n${linkId}\n${raterId}`).digest().subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x80;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export type LinkStatus = FeedbackLink['status'];

export function linkStatus(row: FeedbackLinksTable, now: Date): LinkStatus {
  if (row.revoked_at) return 'revoked';
  if (!row.reusable && row.used_at) return 'used';
  if (row.expires_at <= now.toISOString()) return 'expired';
  return 'active';
}

export function toFeedbackLink(row: FeedbackLinksTable, now: Date): FeedbackLink {
  return {
    id: row.id,
    prefix: row.prefix,
    target: JSON.parse(row.target) as Target,
    criterion: row.criterion,
    reusable: row.reusable === 1,
    allowedRatings: row.allowed_ratings ? (JSON.parse(row.allowed_ratings) as AllowedRatings) : null,
    userId: row.user_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    usedAt: row.used_at,
    votes: row.votes,
    status: linkStatus(row, now),
  };
}

export interface NewLink {
  workspaceId: string;
  target: Target;
  criterion: string;
  expiresAt: Date;
  reusable: boolean;
  allowedRatings: AllowedRatings | null;
  userId: string | null;
  /** The token that makes it. */
  createdBy: string;
}

/** Stores a new link; returns it with its secret (the only time the secret exists outside the URL). */
export async function createLink(db: Kysely<DB>, input: NewLink, now: Date): Promise<{ link: FeedbackLink; secret: string }> {
  const secret = newLinkSecret();
  const row: FeedbackLinksTable = {
    id: uuidv7(now.getTime()),
    workspace_id: input.workspaceId,
    secret_hash: hashToken(secret),
    prefix: secret.slice(0, PREFIX_CHARS),
    target: JSON.stringify(input.target),
    target_key: input.target.key,
    criterion: input.criterion,
    allowed_ratings: input.allowedRatings ? JSON.stringify(input.allowedRatings) : null,
    reusable: input.reusable ? 1 : 0,
    user_id: input.userId,
    created_by: input.createdBy,
    created_at: now.toISOString(),
    expires_at: input.expiresAt.toISOString(),
    revoked_at: null,
    used_at: null,
    votes: 0,
  };
  await withLinkTables(db).insertInto('feedback_links').values(row).execute();
  return { link: toFeedbackLink(row, now), secret };
}

export async function getLink(db: Kysely<DB> | Transaction<DB>, workspaceId: string, id: string): Promise<FeedbackLinksTable | undefined> {
  return withLinkTables(db).selectFrom('feedback_links').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
}

/** The link a secret opens, in any workspace (the secret is the credential), or undefined. */
export async function findLinkBySecret(db: Kysely<DB>, secret: string): Promise<FeedbackLinksTable | undefined> {
  if (!looksLikeLinkSecret(secret)) return undefined;
  return withLinkTables(db).selectFrom('feedback_links').selectAll().where('secret_hash', '=', hashToken(secret)).executeTakeFirst();
}

export class LinkCursorError extends Error {}

/** The workspace's links, newest first, a page at a time; `status` filters as linkStatus says. */
export async function listLinks(
  db: Kysely<DB>,
  workspaceId: string,
  q: { status?: LinkStatus; limit: number; cursor?: string },
  now: Date,
): Promise<{ items: FeedbackLink[]; nextCursor: string | null }> {
  const at = now.toISOString();
  let query = withLinkTables(db).selectFrom('feedback_links').selectAll().where('workspace_id', '=', workspaceId);
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    if (!c) throw new LinkCursorError('cursor: not a cursor this server gave out');
    const [t, id] = c;
    query = query.where((eb) => eb.or([eb('created_at', '<', t), eb.and([eb('created_at', '=', t), eb('id', '<', id)])]));
  }
  if (q.status === 'revoked') query = query.where('revoked_at', 'is not', null);
  else if (q.status) {
    query = query.where('revoked_at', 'is', null);
    const used = (eb: any) => eb.and([eb('reusable', '=', 0), eb('used_at', 'is not', null)]);
    if (q.status === 'used') query = query.where(used);
    else {
      query = query.where((eb) => eb.not(used(eb)));
      query = q.status === 'expired' ? query.where('expires_at', '<=', at) : query.where('expires_at', '>', at);
    }
  }
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit + 1).execute();
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => toFeedbackLink(r, now)),
    nextCursor: rows.length > q.limit && last ? encodeCursor(last) : null,
  };
}

/** Revokes a link (idempotent: the first revocation's time stays). Undefined: no such link in the workspace. */
export async function revokeLink(db: Kysely<DB>, workspaceId: string, id: string, now: Date): Promise<FeedbackLinksTable | undefined> {
  const t = withLinkTables(db);
  await t.updateTable('feedback_links').set({ revoked_at: now.toISOString() }).where('workspace_id', '=', workspaceId).where('id', '=', id).where('revoked_at', 'is', null).execute();
  return getLink(db, workspaceId, id);
}

/**
 * Takes a single-use link's one use inside the write's transaction: true when this request got it.
 * Concurrent requests race on the row (PostgreSQL re-checks the WHERE after the winner commits).
 */
export async function takeSingleUse(trx: Transaction<DB>, link: FeedbackLinksTable, now: Date): Promise<boolean> {
  const res = await withLinkTables(trx)
    .updateTable('feedback_links')
    .set({ used_at: now.toISOString() })
    .where('workspace_id', '=', link.workspace_id)
    .where('id', '=', link.id)
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** One more rater rated through the link. */
export async function countVote(trx: Transaction<DB>, link: FeedbackLinksTable): Promise<void> {
  await withLinkTables(trx)
    .updateTable('feedback_links')
    .set({ votes: sql<number>`votes + 1` })
    .where('workspace_id', '=', link.workspace_id)
    .where('id', '=', link.id)
    .execute();
}

/** Every record (live and tombstones) written through one link, in id order. */
export async function linkFeedbackRows(db: Kysely<DB> | Transaction<DB>, link: Pick<FeedbackLinksTable, 'workspace_id' | 'id' | 'target_key'>): Promise<FeedbackTable[]> {
  return (db as Kysely<DB>)
    .selectFrom('feedback')
    .selectAll()
    // feedback_ws_target finds the link's target; the client id picks its records among the target's.
    .where('workspace_id', '=', link.workspace_id)
    .where('target_key', '=', link.target_key)
    .where('client_id', '=', linkClientId(link.id))
    .orderBy('id')
    .execute();
}
