/**
 * Dashboard sessions. Signing in with a token creates a row in dashboard_sessions and sets a cookie
 * holding a random secret (HttpOnly, SameSite=Strict, Path=/dashboard; Secure over HTTPS). Only the
 * secret's SHA-256 is stored. Every request re-reads the token behind the session, so revoking a
 * token (or changing what it may do) signs its sessions out at once.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Kysely } from 'kysely';
import { withDashboardTables } from '../store/dashboard-schema.ts';
import type { DB } from '../store/schema.ts';
import type { TokenInfo } from '../store/tokens.ts';
import type { DashEnv } from './env.ts';

export const SESSION_COOKIE = 'gt_dashboard';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const TOUCH_EVERY_MS = 60_000;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export interface Session {
  id: string;
  csrf: string;
  expiresAt: string;
}

export async function createSession(db: Kysely<DB>, token: TokenInfo, now = new Date()): Promise<{ secret: string; session: Session }> {
  const ddb = withDashboardTables(db);
  const secret = randomBytes(32).toString('base64url');
  const session = {
    id: sha256(secret),
    csrf: randomBytes(24).toString('base64url'),
    expiresAt: new Date(now.getTime() + SESSION_TTL_MS).toISOString(),
  };
  // Sweep expired sessions while we are writing anyway.
  await ddb.deleteFrom('dashboard_sessions').where('expires_at', '<', now.toISOString()).execute();
  await ddb
    .insertInto('dashboard_sessions')
    .values({
      id: session.id,
      token_id: token.id,
      workspace_id: token.workspaceId,
      csrf: session.csrf,
      created_at: now.toISOString(),
      expires_at: session.expiresAt,
      last_seen_at: now.toISOString(),
    })
    .execute();
  return { secret, session };
}

/** The session and its (still active) token for a cookie secret, or undefined. */
export async function findSession(db: Kysely<DB>, secret: string, now = new Date()): Promise<{ session: Session; auth: TokenInfo; lastSeenAt: string } | undefined> {
  const row = await withDashboardTables(db)
    .selectFrom('dashboard_sessions as s')
    .innerJoin('tokens as t', 't.id', 's.token_id')
    .select([
      's.id', 's.csrf', 's.expires_at', 's.last_seen_at',
      't.id as token_id', 't.workspace_id', 't.rater_id', 't.name', 't.role', 't.prefix', 't.created_at', 't.last_used_at', 't.revoked_at',
      't.expires_at as token_expires_at',
    ])
    .where('s.id', '=', sha256(secret))
    .where('s.expires_at', '>', now.toISOString())
    .where('t.revoked_at', 'is', null)
    // A token's expiry ends its sessions too.
    .where((eb) => eb.or([eb('t.expires_at', 'is', null), eb('t.expires_at', '>', now.toISOString())]))
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    session: { id: row.id, csrf: row.csrf, expiresAt: row.expires_at },
    lastSeenAt: row.last_seen_at,
    auth: {
      id: row.token_id,
      workspaceId: row.workspace_id,
      raterId: row.rater_id,
      name: row.name,
      role: row.role,
      prefix: row.prefix,
      createdAt: row.created_at,
      lastUsedAt: row.last_used_at,
      revokedAt: row.revoked_at,
      expiresAt: row.token_expires_at,
    },
  };
}

export async function deleteSession(db: Kysely<DB>, id: string): Promise<void> {
  await withDashboardTables(db).deleteFrom('dashboard_sessions').where('id', '=', id).execute();
}

function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('X-Forwarded-Proto') === 'https';
}

export function setSessionCookie(c: Context, secret: string): void {
  setCookie(c, SESSION_COOKIE, secret, {
    path: '/dashboard',
    httpOnly: true,
    sameSite: 'Strict',
    secure: isHttps(c),
    maxAge: Math.floor(SESSION_TTL_MS / 1000),
  });
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/dashboard', httpOnly: true, sameSite: 'Strict', secure: isHttps(c) });
}

/** Puts `auth` and `session` on the context when the cookie names a live session; never rejects. */
export function dashboardSession(): MiddlewareHandler<DashEnv> {
  return async function dashboardSession(c, next) {
    const secret = getCookie(c, SESSION_COOKIE);
    if (secret && /^[\w-]{20,100}$/.test(secret)) {
      const db = c.get('store').db;
      const found = await findSession(db, secret);
      if (found) {
        c.set('auth', found.auth);
        c.set('session', found.session);
        const now = Date.now();
        if (Date.parse(found.lastSeenAt) + TOUCH_EVERY_MS < now) {
          await withDashboardTables(db)
            .updateTable('dashboard_sessions')
            .set({ last_seen_at: new Date(now).toISOString() })
            .where('id', '=', found.session.id)
            .execute();
        }
      }
    }
    await next();
  };
}

/** Constant-time comparison of the form's CSRF field with the session's. */
export function csrfMatches(session: Session, sent: unknown): boolean {
  if (typeof sent !== 'string') return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(sent);
  return a.length === b.length && timingSafeEqual(a, b);
}
