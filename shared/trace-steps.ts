/**
 * How the steps of a trace are read out of an event's free-form `data` (seed 001 fixes the event
 * types, not their payloads): a step's id, its text, its confidence, the issue an investigation is
 * about. One place, used by the feedback a `feedback.*` event stores, the knowledge per subject and
 * the training examples. The keys each reader tries, in order, are listed in docs/api/traces.md.
 */
import type { TargetKind } from './schemas.ts';

type Data = Record<string, unknown>;

function firstString(data: Data, keys: readonly string[]): string | undefined {
  for (const k of keys) {
    const v = data[k];
    if (typeof v === 'string' && v.trim()) return v;
    if (typeof v === 'number') return String(v);
  }
  return undefined;
}

/** The kind of step an event type is about: `hypothesis.generated` → hypothesis. */
export function stepKindOf(type: string): TargetKind | undefined {
  const head = type.split('.')[0];
  return head === 'hypothesis' || head === 'query' || head === 'evidence' || head === 'synthesis' || head === 'investigation' ? head : undefined;
}

/** A step's id: `<kind>_id` (hypothesis_id, query_id, …), else `id`, else `target_id`. */
export function stepIdOf(kind: TargetKind, data: Data): string | undefined {
  return firstString(data, [`${kind}_id`, 'id', 'target_id']);
}

const TEXT_KEYS: Record<string, readonly string[]> = {
  hypothesis: ['text', 'hypothesis', 'hypothesis_text', 'summary', 'description'],
  query: ['sql', 'query', 'query_text', 'text'],
  evidence: ['summary', 'text', 'evidence', 'description', 'result'],
  synthesis: ['root_cause', 'summary', 'text', 'synthesis', 'conclusion'],
  investigation: ['summary', 'text', 'conclusion', 'root_cause'],
};

/** A step's text (a hypothesis, a SQL query, an evidence summary, a root cause). */
export function stepTextOf(kind: TargetKind, data: Data): string | undefined {
  return firstString(data, TEXT_KEYS[kind] ?? ['text', 'summary']);
}

/** The text of a rated step as a feedback event's `context` may carry it (001: `context.hypothesis_text`). */
export function contextTextOf(kind: TargetKind, context: Data | undefined): string | undefined {
  return context ? firstString(context, [`${kind}_text`, 'text']) : undefined;
}

/** A confidence on 0–1 (`confidence`), or null. */
export function confidenceOf(data: Data): number | null {
  const v = data.confidence;
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1 ? v : null;
}

/** What an investigation is about, from its `investigation.started` data: `issue_type`, `anomaly_type`, else `alert.type`. */
export function issueTypeOf(data: Data): string | undefined {
  const direct = firstString(data, ['issue_type', 'anomaly_type']);
  if (direct) return direct;
  const alert = data.alert;
  return alert && typeof alert === 'object' && !Array.isArray(alert) ? firstString(alert as Data, ['issue_type', 'anomaly_type', 'type']) : undefined;
}

/** The table category (001's dataset_type: events, transactions, users), from `dataset_type`. */
export function datasetTypeOf(data: Data): string | undefined {
  return firstString(data, ['dataset_type']);
}

export const FINDING_TYPES = ['root_cause', 'observation', 'recommendation'] as const;
export type FindingType = (typeof FINDING_TYPES)[number];

export function findingTypeOf(value: unknown, fallback: FindingType): FindingType {
  return typeof value === 'string' && (FINDING_TYPES as readonly string[]).includes(value) ? (value as FindingType) : fallback;
}
