/**
 * `groundtruth review`'s flags: where the server is, and which part of the review queue to go
 * through. The queue filters become the query of `GET /v1/items?unrated=1` (shared/items.ts), so
 * the server has the last word on them; what can be told here (a bad date, --date with --days, a
 * missing token) is refused before any request, in one line naming the flags.
 */
import { z } from 'zod';
import { ITEM_FILTER_SHAPE, itemFilterConflicts, itemFilterQuery } from '../../../shared/items.ts';

/** Items a session goes through unless --limit says otherwise (DAGnostics' `--max-errors` default is 20 too). */
export const REVIEW_DEFAULT_LIMIT = 20;
/** A session fetches its queue up front; past this, run it again (the rated items are gone from the queue). */
export const REVIEW_MAX_LIMIT = 1000;

export interface ReviewFlags {
  date?: string;
  days?: string;
  limit?: string;
  subject?: string;
  category?: string;
  requireAnalysis?: boolean;
  url?: string;
  token?: string;
}

export interface ReviewOptions {
  url: string;
  token: string;
  limit: number;
  /** The queue filters, as query parameters of GET /v1/items (besides unrated, limit and cursor). */
  filters: Record<string, string>;
  /** The parsed filters, to describe the queue to the reviewer. */
  described: { date?: string; days?: number; subject?: string; category?: string; hasAnalysis?: boolean };
}

/** The item filters this command has flags for, validated as the API validates them (shared/items.ts). */
const Filters = z.object({
  date: ITEM_FILTER_SHAPE.date,
  days: ITEM_FILTER_SHAPE.days,
  subject: ITEM_FILTER_SHAPE.subject,
  category: ITEM_FILTER_SHAPE.category,
  hasAnalysis: ITEM_FILTER_SHAPE.hasAnalysis,
});
const FLAG_OF: Record<string, string> = { date: '--date', days: '--days', subject: '--subject', category: '--category', hasAnalysis: '--require-analysis', limit: '--limit' };
const flagOf = (param: PropertyKey | undefined) => FLAG_OF[String(param)] ?? `--${String(param)}`;

const Limit = z.coerce.number().int('must be a whole number').min(1, `must be from 1 to ${REVIEW_MAX_LIMIT}`).max(REVIEW_MAX_LIMIT, `must be from 1 to ${REVIEW_MAX_LIMIT}`);

/** Server URL and token: the flags, else GROUNDTRUTH_URL / GROUNDTRUTH_TOKEN. */
function connection(flags: ReviewFlags, env: NodeJS.ProcessEnv): { url: string; token: string } {
  const url = flags.url ?? env.GROUNDTRUTH_URL;
  const token = flags.token ?? env.GROUNDTRUTH_TOKEN;
  if (!url) throw new Error('no server: set GROUNDTRUTH_URL (e.g. http://127.0.0.1:8787) or pass --url');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`--url / GROUNDTRUTH_URL is not a URL: ${url}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`--url / GROUNDTRUTH_URL must be http:// or https://, not ${parsed.protocol}`);
  if (!token) throw new Error('no token: set GROUNDTRUTH_TOKEN (a rater token from `groundtruth token create`) or pass --token');
  return { url: parsed.href.replace(/\/+$/, ''), token };
}

export function reviewOptions(flags: ReviewFlags, env: NodeJS.ProcessEnv = process.env): ReviewOptions {
  if (flags.days !== undefined && !/^\d+$/.test(flags.days)) throw new Error('invalid option: --days must be a whole number of days');
  const parsed = Filters.safeParse({
    date: flags.date,
    days: flags.days,
    subject: flags.subject,
    category: flags.category,
    hasAnalysis: flags.requireAnalysis ? '1' : undefined,
  });
  if (!parsed.success) throw new Error(`invalid option: ${parsed.error.issues.map((i) => `${flagOf(i.path[0])} ${i.message}`).join('; ')}`);
  const conflicts = itemFilterConflicts(parsed.data);
  if (conflicts.length) {
    throw new Error(conflicts.map((c) => `conflicting options ${c.params.map(flagOf).join(' and ')}: review one day (--date) or the last days (--days), not both`).join('; '));
  }
  const limit = Limit.safeParse(flags.limit ?? REVIEW_DEFAULT_LIMIT);
  if (!limit.success) throw new Error(`invalid option: --limit ${limit.error.issues[0]!.message}`);
  return { ...connection(flags, env), limit: limit.data, filters: itemFilterQuery(parsed.data), described: parsed.data };
}
