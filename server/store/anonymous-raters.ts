/**
 * Raters who hold no token (issue 17): the people behind a rating link or an embedded widget.
 *
 * - A user id the creator of a link, or the app embedding the widget, attached: `user:<id>` in the
 *   workspace, so the rater export and erasure find that user's ratings by the id the app knows.
 * - Otherwise one anonymous rater per browser: `anon_<20 hex>`, derived from a random secret the
 *   browser keeps (the rating page's cookie, the embed's outbox client id). Two browsers are two
 *   raters (two votes on a reusable link); one browser voting again is a re-vote of one rater.
 *
 * The derivation includes what the secret was issued for (a link, a public key), so one browser's
 * secret does not join its votes across links or apps, and the stored id never reveals the secret.
 */
import { createHash } from 'node:crypto';

export const USER_ID_MAX = 200;

/** `user:<id>` for an id the creator or the embedding app attached (trimmed, at most 200 chars). */
export function userRaterId(userId: string): string {
  return `user:${userId.trim().slice(0, USER_ID_MAX)}`;
}

/** One anonymous rater per browser secret and per thing it was issued for (`link:<id>`, `key:<id>`). */
export function anonymousRaterId(scope: string, browserSecret: string): string {
  return `anon_${createHash('sha256').update(`${scope}\n${browserSecret}`).digest('hex').slice(0, 20)}`;
}

/** Whether a rater id names a person without a token (for the dashboard's labels). */
export function isTokenlessRater(raterId: string): boolean {
  return raterId.startsWith('user:') || raterId.startsWith('anon_');
}
