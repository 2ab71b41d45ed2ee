/**
 * What the investigation traces about one subject (a dataset) add to its knowledge, as seed 001's
 * dataset_knowledge and dataset_findings have it: how many investigations touched it and when last,
 * its recurring issues, its findings (type, confidence, feedback score) and its owners (the people
 * most often involved). Exact counts in SQL; the scans that read event data are bounded.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { confidenceOf, findingTypeOf, FINDING_TYPES, issueTypeOf, stepIdOf, stepTextOf } from '../../shared/trace-steps.ts';
import { stepScores } from '../exports/traces/scores.ts';
import type { DB } from '../store/schema.ts';
import { withTraceTables } from '../store/trace-tables.ts';

/** Newest investigation.started events read for common issues. */
export const ISSUE_SCAN_LIMIT = 5000;
/** Newest synthesis.generated events read for findings. */
export const FINDING_SCAN_LIMIT = 1000;

export const TraceFinding = z.object({
  /** The synthesis step's id (feedback on it: target key `trace:` + id). */
  id: z.string(),
  investigationId: z.string(),
  findingType: z.enum(FINDING_TYPES),
  summary: z.string(),
  confidence: z.number().nullable(),
  /** Mean quality of its live feedback, 0–1 (thumb up 1, down 0, stars → 0…1); null: not rated. */
  feedbackScore: z.number().nullable(),
  feedbackCount: z.number(),
  up: z.number(),
  down: z.number(),
  createdAt: z.string(),
});
export type TraceFinding = z.infer<typeof TraceFinding>;

export const TraceKnowledge = z.object({
  investigationCount: z.number(),
  lastInvestigationAt: z.string().nullable(),
  commonIssues: z.array(z.object({ issue: z.string(), count: z.number() })),
  findings: z.array(TraceFinding),
  owners: z.array(z.object({ actorId: z.string(), events: z.number(), lastAt: z.string() })),
});
export type TraceKnowledge = z.infer<typeof TraceKnowledge>;

const n = (v: unknown) => Number(v ?? 0);

export async function traceKnowledge(db: Kysely<DB>, workspaceId: string, subject: string): Promise<TraceKnowledge> {
  const traces = withTraceTables(db);
  const ofSubject = traces.selectFrom('trace_events').where('workspace_id', '=', workspaceId).where('subject', '=', subject);

  const totals = await ofSubject
    .select((eb) => [eb.fn.count('investigation_id').distinct().as('investigations'), eb.fn.max('received_at').as('last')])
    .executeTakeFirstOrThrow();

  const started = await ofSubject.select('data').where('type', '=', 'investigation.started').orderBy('seq', 'desc').limit(ISSUE_SCAN_LIMIT).execute();
  const issues = new Map<string, number>();
  for (const r of started) {
    const issue = issueTypeOf(JSON.parse(r.data) as Record<string, unknown>);
    if (issue) issues.set(issue, (issues.get(issue) ?? 0) + 1);
  }
  const commonIssues = [...issues.entries()].map(([issue, count]) => ({ issue, count })).sort((a, b) => b.count - a.count || (a.issue < b.issue ? -1 : 1)).slice(0, 10);

  const syntheses = await ofSubject
    .select(['investigation_id', 'data', 'at'])
    .where('type', '=', 'synthesis.generated')
    .orderBy('seq', 'desc')
    .limit(FINDING_SCAN_LIMIT)
    .execute();
  const raw = syntheses.flatMap((r) => {
    const data = JSON.parse(r.data) as Record<string, unknown>;
    const id = stepIdOf('synthesis', data);
    const summary = stepTextOf('synthesis', data);
    if (!id || !summary) return [];
    return [{ id, investigationId: r.investigation_id, findingType: findingTypeOf(data.finding_type, 'root_cause'), summary, confidence: confidenceOf(data), createdAt: r.at }];
  });
  const scores = await stepScores(db, workspaceId, raw.map((f) => f.id));
  const findings: TraceFinding[] = raw
    .map((f) => {
      const s = scores.get(f.id);
      return { ...f, feedbackScore: s?.score ?? null, feedbackCount: s?.count ?? 0, up: s?.up ?? 0, down: s?.down ?? 0 };
    })
    // 001's "Top Findings (by feedback score)": best first, an unrated finding in the middle (0.5: no
    // verdict ranks above a thumbs down); ties by thumbs up, confidence, then newest.
    .sort((a, b) => (b.feedbackScore ?? 0.5) - (a.feedbackScore ?? 0.5) || b.up - a.up || (b.confidence ?? -1) - (a.confidence ?? -1) || (a.createdAt < b.createdAt ? 1 : -1))
    .slice(0, 10);

  const owners = await ofSubject
    .select((eb) => ['actor_id', eb.fn.countAll().as('events'), eb.fn.max('received_at').as('lastAt')])
    .where('actor_id', 'is not', null)
    .where('actor_type', '=', 'user')
    .groupBy('actor_id')
    .orderBy((eb) => eb.fn.countAll(), 'desc')
    .orderBy('actor_id')
    .limit(5)
    .execute();

  return {
    investigationCount: n(totals.investigations),
    lastInvestigationAt: totals.last ?? null,
    commonIssues,
    findings,
    owners: owners.map((o) => ({ actorId: o.actor_id!, events: n(o.events), lastAt: String(o.lastAt) })),
  };
}
