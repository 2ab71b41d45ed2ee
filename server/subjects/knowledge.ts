/**
 * What the workspace knows about one subject (a dataset, a DAG, a service): how its AI outputs were
 * rated, what people noted, which findings held up, which categories the AI gets corrected on, who
 * rates it, and a feed of what happened lately. Every query is scoped to the workspace and reads
 * through indexes on (workspace_id, subject, …); the scans that need the record JSON are bounded.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { FeedbackInput } from '../../shared/schemas.ts';
import type { DB } from '../store/schema.ts';
import { THIN_BELOW } from '../insights/accuracy.ts';
import { wilson } from '../insights/wilson.ts';
import { listNotes, Note } from './notes.ts';
import { subjectActivity, ActivityEntry, raterNames } from './activity.ts';
import { traceKnowledge, TraceKnowledge } from './trace-knowledge.ts';
import { withTraceTables } from '../store/trace-tables.ts';

/** Records read to find corrected categories (newest first). */
export const CORRECTION_SCAN_LIMIT = 5000;
/** Targets considered for top findings (most rated first). */
export const FINDING_GROUP_LIMIT = 5000;

const Interval = z.object({ low: z.number(), high: z.number() });

export const Finding = z.object({
  targetKey: z.string(),
  kind: z.string(),
  model: z.string().nullable(),
  /** The first characters of the rated output. */
  excerpt: z.string(),
  feedbackId: z.string(),
  n: z.number(),
  up: z.number(),
  down: z.number(),
  wilson: Interval,
  thin: z.boolean(),
});
export type Finding = z.infer<typeof Finding>;

export const CorrectedCategory = z.object({
  /** What the AI said (null when it said no category). */
  category: z.string().nullable(),
  corrections: z.number(),
  correctedTo: z.array(z.object({ category: z.string(), count: z.number() })),
});
export type CorrectedCategory = z.infer<typeof CorrectedCategory>;

export const SubjectKnowledge = z.object({
  subject: z.string(),
  counts: z.object({
    total: z.number(),
    up: z.number(),
    down: z.number(),
    starsN: z.number(),
    starsMean: z.number().nullable(),
    targets: z.number(),
  }),
  shareUp: z.number().nullable(),
  wilson: Interval.nullable(),
  lastActivityAt: z.string().nullable(),
  notes: z.array(Note),
  topFindings: z.array(Finding),
  mostCorrectedCategories: z.array(CorrectedCategory),
  mostActiveRaters: z.array(z.object({ raterId: z.string(), name: z.string(), count: z.number() })),
  recentActivity: z.array(ActivityEntry),
}).extend(TraceKnowledge.shape); // investigationCount, lastInvestigationAt, commonIssues, findings, owners (traces, seed 001)
export type SubjectKnowledge = z.infer<typeof SubjectKnowledge>;

const n = (v: unknown) => Number(v ?? 0);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The AI's own category for a rated output: from its prediction (items) or its context. */
export function predictedCategory(record: FeedbackInput): string | null {
  const ctx = record.target.context;
  if (!isRecord(ctx)) return null;
  const prediction = ctx.prediction;
  if (isRecord(prediction) && typeof prediction.category === 'string') return prediction.category;
  return typeof ctx.category === 'string' ? ctx.category : null;
}

export async function subjectKnowledge(db: Kysely<DB>, workspaceId: string, subject: string): Promise<SubjectKnowledge> {
  const live = db.selectFrom('feedback').where('workspace_id', '=', workspaceId).where('subject', '=', subject).where('deleted', '=', 0);

  const totals = await live
    .select((eb) => [
      eb.fn.countAll().as('total'),
      eb.fn.sum(eb.case().when('thumb', '=', 'up').then(1).else(0).end()).as('up'),
      eb.fn.sum(eb.case().when('thumb', '=', 'down').then(1).else(0).end()).as('down'),
      eb.fn.count('stars').as('starsN'),
      eb.fn.avg('stars').as('starsMean'),
      eb.fn.count('target_key').distinct().as('targets'),
    ])
    .executeTakeFirstOrThrow();
  const up = n(totals.up);
  const down = n(totals.down);
  const starsN = n(totals.starsN);

  const groups = await live
    .select((eb) => [
      'target_key',
      eb.fn.countAll().as('n'),
      eb.fn.sum(eb.case().when('thumb', '=', 'up').then(1).else(0).end()).as('up'),
      eb.fn.sum(eb.case().when('thumb', '=', 'down').then(1).else(0).end()).as('down'),
      eb.fn.max('id').as('some_id'),
    ])
    .groupBy('target_key')
    .orderBy((eb) => eb.fn.countAll(), 'desc')
    .limit(FINDING_GROUP_LIMIT)
    .execute();
  const ranked = groups
    .map((g) => ({ key: g.target_key, n: n(g.n), up: n(g.up), down: n(g.down), id: String(g.some_id), wilson: wilson(n(g.up), n(g.up) + n(g.down)) }))
    .filter((g) => g.up + g.down > 0)
    .sort((a, b) => b.wilson.low - a.wilson.low || b.n - a.n)
    .slice(0, 10);
  const sample = ranked.length
    ? await db
        .selectFrom('feedback')
        .select(['id', 'kind', 'model', 'record'])
        .where('workspace_id', '=', workspaceId)
        .where('id', 'in', ranked.map((g) => g.id))
        .execute()
    : [];
  const byId = new Map(sample.map((r) => [r.id, r]));
  const topFindings: Finding[] = ranked.map((g) => {
    const row = byId.get(g.id);
    const record = row?.record ? (JSON.parse(row.record) as FeedbackInput) : undefined;
    const text = record?.target.output ?? record?.target.prompt ?? record?.target.quote?.exact ?? '';
    return {
      targetKey: g.key,
      kind: row?.kind ?? 'other',
      model: row?.model ?? null,
      excerpt: text.length > 240 ? `${text.slice(0, 240)}…` : text,
      feedbackId: g.id,
      n: g.n,
      up: g.up,
      down: g.down,
      wilson: g.wilson,
      thin: g.up + g.down < THIN_BELOW,
    };
  });

  // Corrections live in the record JSON; a LIKE narrows the scan in both dialects.
  const corrected = await live
    .select('record')
    .where('record', 'like', '%"correction"%')
    .orderBy('created_at', 'desc')
    .limit(CORRECTION_SCAN_LIMIT)
    .execute();
  const categories = new Map<string | null, Map<string, number>>();
  for (const { record: json } of corrected) {
    if (!json) continue;
    const record = JSON.parse(json) as FeedbackInput;
    const to = record.correction?.fields?.category;
    if (typeof to !== 'string' || !to) continue;
    const from = predictedCategory(record);
    if (from === to) continue;
    const tally = categories.get(from) ?? new Map<string, number>();
    tally.set(to, (tally.get(to) ?? 0) + 1);
    categories.set(from, tally);
  }
  const mostCorrectedCategories = [...categories.entries()]
    .map(([category, tally]) => ({
      category,
      corrections: [...tally.values()].reduce((a, b) => a + b, 0),
      correctedTo: [...tally.entries()].map(([c, count]) => ({ category: c, count })).sort((a, b) => b.count - a.count).slice(0, 5),
    }))
    .sort((a, b) => b.corrections - a.corrections)
    .slice(0, 10);

  const raters = await live
    .select((eb) => ['rater_id', eb.fn.countAll().as('count')])
    .groupBy('rater_id')
    .orderBy((eb) => eb.fn.countAll(), 'desc')
    .limit(5)
    .execute();
  const names = await raterNames(db, workspaceId, raters.map((r) => r.rater_id));

  const [notes, activity, traces] = await Promise.all([
    listNotes(db, workspaceId, subject, 20),
    subjectActivity(db, workspaceId, subject, { limit: 20 }),
    traceKnowledge(db, workspaceId, subject),
  ]);
  const last = await db
    .selectFrom('feedback')
    .select((eb) => eb.fn.max('received_at').as('at'))
    .where('workspace_id', '=', workspaceId)
    .where('subject', '=', subject)
    .executeTakeFirst();
  const candidates = [last?.at ?? null, notes[0]?.createdAt ?? null, activity.entries[0]?.at ?? null, traces.lastInvestigationAt].filter((v): v is string => !!v);

  return {
    subject,
    counts: { total: n(totals.total), up, down, starsN, starsMean: starsN ? Number(totals.starsMean) : null, targets: n(totals.targets) },
    shareUp: up + down ? up / (up + down) : null,
    wilson: up + down ? wilson(up, up + down) : null,
    lastActivityAt: candidates.sort().at(-1) ?? null,
    notes,
    topFindings,
    mostCorrectedCategories,
    mostActiveRaters: raters.map((r) => ({ raterId: r.rater_id, name: names.get(r.rater_id) ?? r.rater_id, count: n(r.count) })),
    recentActivity: activity.entries,
    ...traces,
  };
}

export const SubjectSummary = z.object({
  subject: z.string(),
  total: z.number(),
  up: z.number(),
  down: z.number(),
  lastAt: z.string().nullable(),
  /** Investigations (traces) about it: a dataset with investigations and no rating yet is listed too. */
  investigations: z.number(),
});
export type SubjectSummary = z.infer<typeof SubjectSummary>;

/** Subjects with rated output or investigations, most rated first (for the index page). */
export async function listSubjects(db: Kysely<DB>, workspaceId: string, limit = 200): Promise<SubjectSummary[]> {
  const rows = await db
    .selectFrom('feedback')
    .select((eb) => [
      'subject',
      eb.fn.countAll().as('total'),
      eb.fn.sum(eb.case().when('thumb', '=', 'up').then(1).else(0).end()).as('up'),
      eb.fn.sum(eb.case().when('thumb', '=', 'down').then(1).else(0).end()).as('down'),
      eb.fn.max('received_at').as('lastAt'),
    ])
    .where('workspace_id', '=', workspaceId)
    .where('deleted', '=', 0)
    .where('subject', 'is not', null)
    .groupBy('subject')
    .orderBy((eb) => eb.fn.countAll(), 'desc')
    .limit(limit)
    .execute();
  const traced = await withTraceTables(db)
    .selectFrom('trace_events')
    .select((eb) => ['subject', eb.fn.count('investigation_id').distinct().as('investigations'), eb.fn.max('received_at').as('lastAt')])
    .where('workspace_id', '=', workspaceId)
    .where('subject', 'is not', null)
    .groupBy('subject')
    .orderBy((eb) => eb.fn.count('investigation_id').distinct(), 'desc')
    .limit(limit)
    .execute();
  const out = new Map<string, SubjectSummary>(
    rows.map((r) => [r.subject!, { subject: r.subject!, total: n(r.total), up: n(r.up), down: n(r.down), lastAt: r.lastAt ?? null, investigations: 0 }]),
  );
  for (const t of traced) {
    const s = out.get(t.subject!) ?? { subject: t.subject!, total: 0, up: 0, down: 0, lastAt: null, investigations: 0 };
    s.investigations = n(t.investigations);
    if (t.lastAt && (!s.lastAt || t.lastAt > s.lastAt)) s.lastAt = String(t.lastAt);
    out.set(t.subject!, s);
  }
  return [...out.values()].sort((a, b) => b.total - a.total || b.investigations - a.investigations).slice(0, limit);
}
