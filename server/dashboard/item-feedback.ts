/**
 * The feedback record a review in the dashboard makes of an item: ordinary feedback with
 * `target.key` = the item's target key and `target.kind` = its kind, so the item leaves the queue
 * and the rating counts everywhere else. The item's context and its prediction (the analysis as
 * the AI gave it) travel in `target.context`, so an export can put the original beside the
 * correction (`correction.fields`).
 */
import { ANALYSIS_FIELDS, Analysis } from '../../shared/analysis.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { Item, ItemPrediction } from '../../shared/items.ts';
import { LIMITS } from '../../shared/limits.ts';
import { FeedbackInput, type Rating } from '../../shared/schemas.ts';

/** `target` of a rating of this item. */
export function itemTarget(item: Item): FeedbackInput['target'] {
  // The item's context travels with the rating (what the AI said included), trimmed to the
  // feedback limit if the logs are long.
  let context: Record<string, unknown> | undefined = { ...(item.context ?? {}), ...(item.prediction ? { prediction: item.prediction } : {}) };
  for (const drop of ['log_context', 'error_message']) {
    if (JSON.stringify(context).length <= LIMITS.contextMaxBytes) break;
    delete context[drop];
  }
  if (JSON.stringify(context).length > LIMITS.contextMaxBytes) context = item.prediction ? { prediction: item.prediction } : undefined;
  if (context && Object.keys(context).length === 0) context = undefined;
  return {
    kind: item.kind,
    key: item.targetKey,
    ...(item.subject ? { subject: item.subject } : {}),
    ...(item.model ? { model: item.model } : {}),
    ...(item.intent ? { intent: item.intent } : {}),
    ...(item.project ? { project: item.project } : {}),
    ...(item.url ? { url: item.url } : {}),
    ...(item.input ? { prompt: item.input } : {}),
    ...(item.output !== undefined ? { output: item.output } : {}),
    ...(context ? { context } : {}),
  } as FeedbackInput['target'];
}

/** One feedback record about the item, checked by the wire schema; a string says why not. */
export function itemFeedback(
  item: Item,
  parts: { rating: Rating; comment?: string; correction?: FeedbackInput['correction'] },
  now: Date,
): FeedbackInput | string {
  const at = now.toISOString();
  const parsed = FeedbackInput.safeParse({
    id: uuidv7(now.getTime()),
    target: itemTarget(item),
    rating: parts.rating,
    ...(parts.comment ? { comment: parts.comment } : {}),
    ...(parts.correction ? { correction: parts.correction } : {}),
    createdAt: at,
    updatedAt: at,
  });
  return parsed.success ? parsed.data : `Not saved: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`;
}

const trimmed = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/**
 * The analysis as the reviewer left it on the item page (one form field per ANALYSIS_FIELDS entry),
 * and whether it differs from the prediction. A correction carries the WHOLE corrected analysis,
 * changed and confirmed fields alike (ADR 0035): it is the training target as it stands, and an
 * export need not merge it with the original. A field emptied by the reviewer is left out of it.
 */
export function correctedAnalysis(prediction: ItemPrediction | undefined, form: Record<string, unknown>): { analysis: Analysis; changed: string[] } | string {
  const out: Record<string, unknown> = {};
  const changed: string[] = [];
  for (const f of ANALYSIS_FIELDS) {
    const raw = trimmed(form[f.name]);
    let value: string | number | undefined = raw;
    if (f.type === 'number' && raw !== undefined) {
      value = Number(raw);
      if (!Number.isFinite(value)) return `${f.label}: not a number`;
    }
    const before = prediction?.[f.name];
    const same = f.type === 'number' ? (value === undefined ? before === undefined : before !== undefined && Math.abs(Number(before) - Number(value)) < 1e-9) : (value ?? '') === (typeof before === 'string' ? before.trim() : (before ?? ''));
    if (!same) changed.push(f.name);
    if (value !== undefined) out[f.name] = value;
  }
  const parsed = Analysis.safeParse(out);
  if (!parsed.success) return `${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`;
  return { analysis: parsed.data, changed };
}
