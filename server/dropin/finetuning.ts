/**
 * The drop-in fine-tuning export: one JSON line per rated answer, `{messages, weight, metadata}`,
 * weight 2.0 for a good answer (thumb up, 4–5 stars, or the rater's correction of a bad one) and
 * 0.5 for a bad one (thumb down, 1–2 stars). Answers rated 3 stars or by label only, and records
 * without both a prompt and an answer, are left out.
 *
 * Written here because no weighted exporter existed in server/exports/ when this was built; if one
 * lands there, this should become a thin call to it.
 */
import type { Kysely } from 'kysely';
import type { FeedbackInput } from '../../shared/schemas.ts';
import type { DB } from '../store/schema.ts';

export const DEFAULT_WINDOW_DAYS = 7;
const DAY_MS = 86_400_000;
const PAGE = 500;

/** [since, until) from the request's dates: a bare end date includes that whole day (UTC). */
export function exportWindow(startDate: string | undefined, endDate: string | undefined, now: Date = new Date()): { since: Date; until: Date } {
  const bare = (d: string) => /^\d{4}-\d{2}-\d{2}$/.test(d);
  const until = endDate ? new Date(bare(endDate) ? Date.parse(`${endDate}T00:00:00Z`) + DAY_MS : Date.parse(endDate)) : now;
  const since = startDate
    ? new Date(bare(startDate) ? `${startDate}T00:00:00Z` : startDate)
    : new Date(until.getTime() - DEFAULT_WINDOW_DAYS * DAY_MS);
  return { since, until };
}

type Sign = 1 | -1;

function signOf(r: FeedbackInput['rating']): Sign | null {
  if (r.thumb) return r.thumb === 'up' ? 1 : -1;
  if (r.stars !== undefined) return r.stars >= 4 ? 1 : r.stars <= 2 ? -1 : null;
  return null;
}

/** One line, or null when the record does not make a training example. */
export function finetuningLine(record: FeedbackInput): string | null {
  const t = record.target;
  const sign = signOf(record.rating);
  const corrected = record.correction?.output;
  if (sign === null || !t.prompt || !(t.output || corrected)) return null;
  const answer = corrected ?? t.output!;
  const good = sign === 1 || corrected !== undefined;
  const messages = [...(t.messages ?? []), { role: 'user', content: t.prompt }, { role: 'assistant', content: answer }];
  const metadata: Record<string, unknown> = {
    feedback_id: record.id,
    rating: sign,
    model: t.model ?? null,
    intent: t.intent ?? null,
    project: t.project ?? null,
    created_at: record.createdAt,
  };
  if (corrected !== undefined) metadata.corrected = true;
  // Written by hand so the weight reads 2.0 / 0.5 (JSON.stringify would print 2).
  return `{"messages":${JSON.stringify(messages)},"weight":${good ? '2.0' : '0.5'},"metadata":${JSON.stringify(metadata)}}\n`;
}

/** Lines for the live records of a workspace created in [since, until), oldest first, a page at a time. */
export async function* finetuningLines(db: Kysely<DB>, workspaceId: string, since: Date, until: Date): AsyncGenerator<string> {
  let cursor: [string, string] | undefined;
  for (;;) {
    let q = db
      .selectFrom('feedback')
      .select(['id', 'created_at', 'record'])
      .where('workspace_id', '=', workspaceId)
      .where('deleted', '=', 0)
      .where('created_at', '>=', since.toISOString())
      .where('created_at', '<', until.toISOString());
    if (cursor) {
      const [createdAt, id] = cursor;
      q = q.where((eb) => eb.or([eb('created_at', '>', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '>', id)])]));
    }
    const rows = await q.orderBy('created_at', 'asc').orderBy('id', 'asc').limit(PAGE).execute();
    for (const row of rows) {
      if (!row.record) continue;
      const line = finetuningLine(JSON.parse(row.record) as FeedbackInput);
      if (line) yield line;
    }
    if (rows.length < PAGE) return;
    const last = rows[rows.length - 1]!;
    cursor = [last.created_at, last.id];
  }
}
