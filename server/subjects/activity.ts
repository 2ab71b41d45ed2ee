/**
 * A subject's recent activity, newest first: feedback created, changed and deleted (from the event
 * log), notes added, and the steps of investigation traces about it (trace_events). Pages with `before` (an ISO time from the previous page's `nextBefore`).
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { FeedbackInput } from '../../shared/schemas.ts';
import { withDashboardTables } from '../store/dashboard-schema.ts';
import { withTraceTables } from '../store/trace-tables.ts';
import type { DB } from '../store/schema.ts';

export const ActivityEntry = z.object({
  at: z.string(),
  /** feedback.* and note.added, or `trace` for a step of an investigation trace (POST /v1/events). */
  type: z.enum(['feedback.created', 'feedback.updated', 'feedback.deleted', 'note.added', 'trace']),
  actor: z.object({ raterId: z.string(), name: z.string() }),
  feedbackId: z.string().optional(),
  noteId: z.string().optional(),
  rating: z.object({ thumb: z.enum(['up', 'down']).optional(), stars: z.number().optional(), label: z.string().optional() }).optional(),
  /** A short excerpt: the comment of a rating, the text of a note, a trace step's summary. */
  text: z.string().optional(),
  /** For `trace`: the event type (hypothesis.generated, query.failed, …) and its investigation. */
  traceType: z.string().optional(),
  investigationId: z.string().optional(),
  /** For `trace`: who caused the step (the event's actorId, actorType), when the sender named them. */
  actorId: z.string().optional(),
  actorType: z.string().optional(),
});
export type ActivityEntry = z.infer<typeof ActivityEntry>;

export const ActivityPage = z.object({ subject: z.string(), entries: z.array(ActivityEntry), nextBefore: z.string().nullable() });
export type ActivityPage = z.infer<typeof ActivityPage>;

const EVENT_TYPES: Record<string, ActivityEntry['type'] | undefined> = {
  create: 'feedback.created',
  update: 'feedback.updated',
  delete: 'feedback.deleted',
};

function excerpt(text: string | undefined, max = 200): string | undefined {
  if (!text) return undefined;
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** A line of a trace step's data worth showing: its summary, text, hypothesis or query. */
function traceSummary(json: string): string | undefined {
  try {
    const data = JSON.parse(json) as Record<string, unknown>;
    for (const key of ['summary', 'text', 'hypothesis', 'root_cause', 'conclusion', 'query', 'sql', 'comment', 'message']) {
      if (typeof data[key] === 'string' && data[key]) return excerpt(data[key] as string);
    }
  } catch {
    /* not JSON: nothing to show */
  }
  return undefined;
}

/** Display names of raters (from their newest token), for the ids given. */
export async function raterNames(db: Kysely<DB>, workspaceId: string, raterIds: string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  if (raterIds.length === 0) return names;
  // A trace feedback vote's rater is `<token rater>/<actorId>` (store/trace-feedback.ts): named "actor (via token name)".
  const tokenRater = (id: string) => (id.includes('/') ? id.slice(0, id.indexOf('/')) : id);
  const rows = await db
    .selectFrom('tokens')
    .select(['rater_id', 'name', 'created_at'])
    .where('workspace_id', '=', workspaceId)
    .where('rater_id', 'in', [...new Set(raterIds.map(tokenRater))].slice(0, 500))
    .orderBy('created_at')
    .execute();
  const byToken = new Map(rows.map((r) => [r.rater_id, r.name]));
  for (const id of raterIds) {
    const name = byToken.get(tokenRater(id));
    if (name !== undefined) names.set(id, id.includes('/') ? `${id.slice(id.indexOf('/') + 1)} (via ${name})` : name);
  }
  return names;
}

export async function subjectActivity(
  db: Kysely<DB>,
  workspaceId: string,
  subject: string,
  opts: { limit: number; before?: string },
): Promise<ActivityPage> {
  let events = db
    .selectFrom('feedback_events as e')
    .innerJoin('feedback as f', (j) => j.onRef('f.workspace_id', '=', 'e.workspace_id').onRef('f.id', '=', 'e.feedback_id'))
    .select(['e.id', 'e.op', 'e.at', 'e.actor_rater_id', 'e.feedback_id', 'e.before', 'e.after'])
    .where('e.workspace_id', '=', workspaceId)
    .where('f.workspace_id', '=', workspaceId)
    .where('f.subject', '=', subject)
    .where('e.op', 'in', ['create', 'update', 'delete']);
  if (opts.before) events = events.where('e.at', '<', opts.before);
  const eventRows = await events.orderBy('e.at', 'desc').orderBy('e.id', 'desc').limit(opts.limit).execute();

  let notes = withDashboardTables(db)
    .selectFrom('subject_notes')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('subject', '=', subject);
  if (opts.before) notes = notes.where('created_at', '<', opts.before);
  const noteRows = await notes.orderBy('created_at', 'desc').limit(opts.limit).execute();

  let traces = withTraceTables(db)
    .selectFrom('trace_events')
    .select(['id', 'type', 'investigation_id', 'data', 'at', 'received_at', 'rater_id', 'actor_id', 'actor_type'])
    .where('workspace_id', '=', workspaceId)
    .where('subject', '=', subject);
  if (opts.before) traces = traces.where('received_at', '<', opts.before);
  const traceRows = await traces.orderBy('seq', 'desc').limit(opts.limit).execute();

  const names = await raterNames(db, workspaceId, [...eventRows.map((e) => e.actor_rater_id), ...traceRows.map((t) => t.rater_id)]);
  const entries: ActivityEntry[] = [];
  for (const e of eventRows) {
    const type = EVENT_TYPES[e.op];
    if (!type) continue;
    const json = e.after ?? e.before;
    const record = json ? (JSON.parse(json) as FeedbackInput) : undefined;
    entries.push({
      at: e.at,
      type,
      actor: { raterId: e.actor_rater_id, name: names.get(e.actor_rater_id) ?? e.actor_rater_id },
      feedbackId: e.feedback_id,
      ...(record && type !== 'feedback.deleted' ? { rating: record.rating } : {}),
      ...(record?.comment && type !== 'feedback.deleted' ? { text: excerpt(record.comment) } : {}),
    });
  }
  for (const n of noteRows) {
    entries.push({
      at: n.created_at,
      type: 'note.added',
      actor: { raterId: n.author_rater_id, name: n.author_name },
      noteId: n.id,
      text: excerpt(n.body),
    });
  }
  for (const t of traceRows) {
    entries.push({
      at: t.received_at,
      type: 'trace',
      actor: { raterId: t.rater_id, name: t.actor_id ?? names.get(t.rater_id) ?? t.rater_id },
      traceType: t.type,
      investigationId: t.investigation_id,
      ...(t.actor_id ? { actorId: t.actor_id } : {}),
      ...(t.actor_type ? { actorType: t.actor_type } : {}),
      ...(traceSummary(t.data) ? { text: traceSummary(t.data) } : {}),
    });
  }
  entries.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  const page = entries.slice(0, opts.limit);
  const full = eventRows.length === opts.limit || noteRows.length === opts.limit || traceRows.length === opts.limit;
  return { subject, entries: page, nextBefore: full && page.length ? page[page.length - 1]!.at : null };
}
