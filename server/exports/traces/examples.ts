/**
 * Training examples of one task across a workspace's traces, investigation by investigation
 * (keyset on each investigation's first anchor event, so memory holds one page of investigations,
 * never the whole log), scored by the live feedback on their steps, `minScore` applied.
 */
import type { Kysely } from 'kysely';
import { TASK_ANCHOR_TYPES, type TrainingExample, type TrainingExamplesQuery, type TrainingExportCounts } from '../../../shared/trace-training.ts';
import type { DB } from '../../store/schema.ts';
import { withTraceTables } from '../../store/trace-tables.ts';
import { NO_SCORE, stepScores, type StepScore } from './scores.ts';
import { buildExamples, stepIdsToScore, type InvestigationTrace } from './tasks.ts';

/** Investigations read per page. */
export const INVESTIGATION_PAGE = 50;
/** Events read per page of investigations (a bound, not a target). */
export const EVENT_PAGE_LIMIT = 50_000;

export function emptyTrainingCounts(): TrainingExportCounts {
  return { examples: 0, unscored: 0, leftOut: { belowMinScore: 0, noFeedback: 0, incomplete: 0 } };
}

function combine(scores: StepScore[]): { score: number | null; count: number } {
  const scored = scores.filter((s) => s.score !== null);
  const count = scores.reduce((a, s) => a + s.count, 0);
  return { score: scored.length ? scored.reduce((a, s) => a + s.score!, 0) / scored.length : null, count };
}

export async function* trainingExamples(
  db: Kysely<DB>,
  workspaceId: string,
  q: TrainingExamplesQuery,
  counts: TrainingExportCounts = emptyTrainingCounts(),
): AsyncGenerator<TrainingExample> {
  const traces = withTraceTables(db);
  let after = '';
  for (;;) {
    let page = traces
      .selectFrom('trace_events')
      .select((eb) => ['investigation_id', eb.fn.min('seq').as('first')])
      .where('workspace_id', '=', workspaceId)
      .where('type', 'in', [...TASK_ANCHOR_TYPES[q.task]]);
    if (q.subject) page = page.where('subject', '=', q.subject);
    const investigations = await page
      .groupBy('investigation_id')
      .having((eb) => eb.fn.min('seq'), '>', after)
      .orderBy('first')
      .limit(INVESTIGATION_PAGE)
      .execute();
    if (investigations.length === 0) return;
    after = String(investigations[investigations.length - 1]!.first);

    const rows = await traces
      .selectFrom('trace_events')
      .select(['id', 'investigation_id', 'subject', 'type', 'data', 'at'])
      .where('workspace_id', '=', workspaceId)
      .where('investigation_id', 'in', investigations.map((i) => i.investigation_id))
      .where('type', 'not like', 'feedback.%')
      .orderBy('seq')
      .limit(EVENT_PAGE_LIMIT)
      .execute();
    const byInvestigation = new Map<string, InvestigationTrace>();
    for (const i of investigations) byInvestigation.set(i.investigation_id, { investigationId: i.investigation_id, subject: null, steps: [] });
    for (const r of rows) {
      const trace = byInvestigation.get(r.investigation_id)!;
      trace.subject ??= r.subject;
      trace.steps.push({ id: r.id, type: r.type, data: JSON.parse(r.data) as Record<string, unknown>, at: r.at });
    }
    const scores = await stepScores(db, workspaceId, [...byInvestigation.values()].flatMap(stepIdsToScore));
    const scoreOf = (id: string) => scores.get(id)?.score ?? null;

    for (const i of investigations) {
      const built = buildExamples(q.task, byInvestigation.get(i.investigation_id)!, scoreOf);
      counts.leftOut.incomplete += built.incomplete;
      for (const c of built.candidates) {
        const { score, count } = combine(c.scoredBy.map((id) => scores.get(id) ?? NO_SCORE));
        if (q.minScore !== undefined) {
          if (score === null) {
            counts.leftOut.noFeedback++;
            continue;
          }
          if (score < q.minScore) {
            counts.leftOut.belowMinScore++;
            continue;
          }
        } else if (score === null) counts.unscored++;
        counts.examples++;
        yield { ...c.example, feedbackScore: score, feedbackCount: count };
      }
    }
    if (investigations.length < INVESTIGATION_PAGE) return;
  }
}
