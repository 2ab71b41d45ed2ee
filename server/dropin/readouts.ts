/**
 * 002's readouts (GET /v1/feedback/accuracy and /stats) in its field names. Thumbs come from the
 * insights rollups (Wilson interval included); the figures the rollups do not keep — distinct end
 * users (`user_id`), distinct sessions and mean `memory_used` under a model/intent/project filter —
 * are exact counts over the window's live rows (docs/decisions/0033-seed-002-003-drop-ins.md).
 * Both count the `overall` criterion only: 002 rates nothing else.
 */
import { sql, SqliteAdapter, type Kysely } from 'kysely';
import type { AccuracyQuery, AccuracyRow, Stats } from '../../shared/dropin-feedback.ts';
import { DEFAULT_CRITERION } from '../../shared/schemas.ts';
import { accuracy } from '../insights/accuracy.ts';
import { addDays, dayOf, daysBetween } from '../insights/days.ts';
import { withInsightsTables } from '../insights/tables.ts';
import type { DB } from '../store/schema.ts';

/** insights' wilson() uses z for a two-sided 95% interval. */
const CONFIDENCE = 0.95;

export type DimensionFilter = AccuracyQuery;

/** Empty values count as absent (DESIGN, "Errors"). */
function given(v: string | undefined): v is string {
  return v !== undefined && v !== '';
}

const byKey = (a: AccuracyRow, b: AccuracyRow) =>
  String(a.model ?? '').localeCompare(String(b.model ?? '')) ||
  String(a.intent ?? '').localeCompare(String(b.intent ?? '')) ||
  String(a.project ?? '').localeCompare(String(b.project ?? ''));

/**
 * One row per model × intent × project that has thumbs, all time — the rows of 002's materialized
 * view `model_accuracy_by_intent` — narrowed by the filters; ordered by model, intent, project.
 */
export async function dropInAccuracy(db: Kysely<DB>, workspaceId: string, f: DimensionFilter): Promise<AccuracyRow[]> {
  const { groups } = await accuracy(db, workspaceId, { groupBy: ['model', 'intent', 'project'], ...(given(f.model) ? { model: f.model } : {}) });
  const rows: AccuracyRow[] = [];
  for (const g of groups) {
    if (g.n === 0) continue;
    const key = { model: g.key.model ?? null, intent: g.key.intent ?? null, project: g.key.project ?? null };
    if (given(f.intent) && key.intent !== f.intent) continue;
    if (given(f.project) && key.project !== f.project) continue;
    rows.push({
      ...key,
      total: g.n,
      positive: g.up,
      negative: g.down,
      accuracy: g.up / g.n,
      interval: { lower: g.wilson.low, upper: g.wilson.high, confidence: CONFIDENCE },
      thin: g.thin,
    });
  }
  return rows.sort(byKey);
}

const share = (up: number, down: number) => (up + down ? up / (up + down) : null);

interface Thumbs {
  up: number;
  down: number;
}
const add = (into: Thumbs, from: Thumbs) => {
  into.up += from.up;
  into.down += from.down;
};
function bucket<K>(map: Map<K, Thumbs>, key: K): Thumbs {
  let b = map.get(key);
  if (!b) map.set(key, (b = { up: 0, down: 0 }));
  return b;
}

/** Thumbs per day and model in [since, until) (UTC days), from rollup_daily. */
async function thumbsByDayAndModel(db: Kysely<DB>, workspaceId: string, since: string, until: string, f: DimensionFilter) {
  let q = withInsightsTables(db)
    .selectFrom('rollup_daily')
    .select(['day', 'model'])
    .select((eb) => [eb.fn.sum<number>('up').as('up'), eb.fn.sum<number>('down').as('down')])
    .where('workspace_id', '=', workspaceId)
    .where('criterion', '=', DEFAULT_CRITERION)
    .where('day', '>=', since)
    .where('day', '<', until);
  if (given(f.model)) q = q.where('model', '=', f.model);
  if (given(f.intent)) q = q.where('intent', '=', f.intent);
  if (given(f.project)) q = q.where('project', '=', f.project);
  const rows = await q.groupBy(['day', 'model']).execute();
  return rows.map((r) => ({ day: r.day, model: r.model || null, up: Number(r.up ?? 0), down: Number(r.down ?? 0) }));
}

/**
 * Distinct end users (`target.context.user_id`, a string), distinct sessions (`session_id`, stored
 * as the conversation id) and the mean numeric `memory_used` of the live ratings in the window.
 * Reads the rows the window and filters select (feedback_ws_created / feedback_filter_model); the
 * JSON is read in SQL, one expression per dialect.
 */
async function usage(db: Kysely<DB>, workspaceId: string, since: string, until: string, f: DimensionFilter) {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  let rows = db
    .selectFrom('feedback')
    .select('conversation_id')
    .select(sqlite ? sql<string>`json_extract(record, '$.target.context')`.as('ctx') : sql<string>`(record::json #> '{target,context}')`.as('ctx'))
    .where('workspace_id', '=', workspaceId)
    .where('deleted', '=', 0)
    .where('criterion', '=', DEFAULT_CRITERION)
    // People only, as the rollups the thumbs come from (issue 16: judges count in no figure unless asked).
    .where('source_type', '=', 'human')
    .where('created_at', '>=', `${since}T00:00:00.000Z`)
    .where('created_at', '<', `${until}T00:00:00.000Z`);
  if (given(f.model)) rows = rows.where('model', '=', f.model);
  if (given(f.intent)) rows = rows.where('intent', '=', f.intent);
  if (given(f.project)) rows = rows.where('project', '=', f.project);
  const u = rows.as('u');
  const result = sqlite
    ? await db
        .selectFrom(u)
        .select([
          sql<number>`count(distinct case when json_type(u.ctx, '$.user_id') = 'text' then json_extract(u.ctx, '$.user_id') end)`.as('users'),
          sql<number>`count(distinct u.conversation_id)`.as('sessions'),
          sql<number | null>`avg(case when json_type(u.ctx, '$.memory_used') in ('integer', 'real') then json_extract(u.ctx, '$.memory_used') end)`.as('memory'),
        ])
        .executeTakeFirst()
    : await db
        .selectFrom(u)
        .select([
          sql<number>`count(distinct case when json_typeof(u.ctx -> 'user_id') = 'string' then u.ctx ->> 'user_id' end)`.as('users'),
          sql<number>`count(distinct u.conversation_id)`.as('sessions'),
          sql<number | null>`avg(case when json_typeof(u.ctx -> 'memory_used') = 'number' then (u.ctx ->> 'memory_used')::double precision end)`.as('memory'),
        ])
        .executeTakeFirst();
  return {
    users: Number(result?.users ?? 0),
    sessions: Number(result?.sessions ?? 0),
    memory: result?.memory === null || result?.memory === undefined ? null : Number(result.memory),
  };
}

/** The last `days` UTC days up to today: totals, per model and per day, with the filters applied. */
export async function dropInStats(db: Kysely<DB>, workspaceId: string, q: { days: number } & DimensionFilter, now: Date): Promise<Stats> {
  const until = addDays(dayOf(now), 1);
  const since = addDays(until, -q.days);
  const [cells, use] = await Promise.all([thumbsByDayAndModel(db, workspaceId, since, until, q), usage(db, workspaceId, since, until, q)]);
  const models = new Map<string | null, Thumbs>();
  const days = new Map<string, Thumbs>();
  const all: Thumbs = { up: 0, down: 0 };
  for (const c of cells) {
    add(all, c);
    add(bucket(models, c.model), c);
    add(bucket(days, c.day), c);
  }
  const { up, down } = all;
  const counts = (u: number, d: number) => ({ total: u + d, positive: u, negative: d, accuracy: share(u, d) });
  return {
    days: q.days,
    since,
    until,
    model: given(q.model) ? q.model : null,
    intent: given(q.intent) ? q.intent : null,
    project: given(q.project) ? q.project : null,
    ...counts(up, down),
    unique_users: use.users,
    unique_sessions: use.sessions,
    avg_memory_used: use.memory,
    by_model: [...models]
      .filter(([, m]) => m.up + m.down > 0)
      .map(([model, m]) => ({ model, ...counts(m.up, m.down) }))
      .sort((a, b) => b.total - a.total || String(a.model).localeCompare(String(b.model))),
    daily: daysBetween(since, until).map((date) => {
      const d = days.get(date) ?? { up: 0, down: 0 };
      return { date, ...counts(d.up, d.down) };
    }),
  };
}
