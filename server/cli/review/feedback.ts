/**
 * One reviewed item as the feedback record POST /v1/feedback takes: the item as the target
 * (`target.key` = its `targetKey`, so it leaves the unrated queue), the reviewer's stars for the AI
 * analysis, the comment, and — only when a field was changed — the corrected analysis as
 * `correction.fields`: every field of the analysis (the AI's value where the reviewer kept it), so
 * the record alone says what the right analysis was (issue 14, "Corrections train").
 */
import { randomUUID } from 'node:crypto';
import { ANALYSIS_FIELDS, type Analysis } from '../../../shared/analysis.ts';
import type { FeedbackInput } from '../../../shared/schemas.ts';
import type { QueueItem } from './api.ts';

/** The AI's analysis of an item: its prediction's analysis fields (ANALYSIS_FIELDS), those it has. */
export function aiAnalysis(item: QueueItem): Analysis {
  const prediction = (item.prediction ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const { name } of ANALYSIS_FIELDS) if (prediction[name] !== undefined && prediction[name] !== null) out[name] = prediction[name];
  return out as Analysis;
}

export interface ReviewAnswers {
  stars: number;
  /** The reviewer's values of the fields they changed (a kept field is absent). */
  changed: Analysis;
  comment?: string;
}

/** The fields whose value the reviewer changed from the AI's. */
export function changedFields(ai: Analysis, answers: Analysis): Analysis {
  const out: Record<string, unknown> = {};
  for (const { name } of ANALYSIS_FIELDS) {
    const v = answers[name];
    if (v !== undefined && v !== ai[name]) out[name] = v;
  }
  return out as Analysis;
}

export function reviewFeedback(item: QueueItem, answers: ReviewAnswers, now = new Date()): FeedbackInput {
  const at = now.toISOString();
  const corrected = Object.keys(answers.changed).length > 0;
  return {
    id: randomUUID(),
    target: {
      kind: item.kind,
      key: item.targetKey,
      ...(item.subject !== undefined && { subject: item.subject }),
      ...(item.model !== undefined && { model: item.model }),
      ...(item.intent !== undefined && { intent: item.intent }),
      ...(item.project !== undefined && { project: item.project }),
      ...(item.url !== undefined && { url: item.url }),
      ...(item.input !== undefined && { prompt: item.input }),
      ...(item.output !== undefined && { output: item.output }),
    },
    rating: { stars: answers.stars },
    ...(answers.comment && { comment: answers.comment }),
    ...(corrected && { correction: { fields: { ...aiAnalysis(item), ...answers.changed } } }),
    createdAt: at,
    updatedAt: at,
  };
}
