/**
 * Feedback on an item as a training example (ADR 0037). DAGnostics' reviewers rate an AI error
 * analysis and correct it field by field (`correction.fields`); the corrected analysis — the
 * original with the corrected fields over it, every analysis field of shared/analysis.ts — is the
 * answer a model should have given, as JSON, to the prompt the analysis was made from.
 *
 * Where things come from, first found wins:
 * - the original analysis: the item registered under the record's target key in the same
 *   workspace (its `prediction`); else the record's `target.context.prediction` (what the
 *   dashboard's review page attaches); else `target.output` when it parses as a JSON object with
 *   an analysis field. None: an analysis made from scratch by the reviewer (no DPO pair).
 * - the prompt: the record's own `target.prompt` (with its `messages`), as every other example;
 *   else the item's `input`; else the error context the item (or the record) carries: DAG, task,
 *   run, error message and log excerpt.
 */
import { ANALYSIS_FIELDS, Analysis } from '../../shared/analysis.ts';
import type { Item } from '../../shared/items.ts';
import type { StoredTarget } from './formats/chat.ts';

export interface ItemRecord {
  target?: StoredTarget & { context?: Record<string, unknown> };
  correction?: { output?: string; fields?: Record<string, unknown> };
}

/** The item as exports read it: every field optional, so items of any version are taken as they are. */
export type ItemView = Partial<Pick<Item, 'input' | 'output' | 'context' | 'prediction'>>;

export type OriginalSource = 'item' | 'record_context' | 'target_output';

const NAMES: readonly string[] = ANALYSIS_FIELDS.map((f) => f.name);

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** The analysis fields of `value` (others dropped), or null when it has none or one is invalid. */
export function analysisOf(value: unknown): Analysis | null {
  if (!isObject(value)) return null;
  const picked = Object.fromEntries(Object.entries(value).filter(([k, v]) => NAMES.includes(k) && v !== undefined && v !== null));
  if (!Object.keys(picked).length) return null;
  const parsed = Analysis.safeParse(picked);
  return parsed.success ? parsed.data : null;
}

function parsedOutput(output: string | undefined): unknown {
  if (!output || !output.trim().startsWith('{')) return undefined;
  try {
    return JSON.parse(output);
  } catch {
    return undefined;
  }
}

/** The analysis a review judged (see the header for the order), with where it came from. */
export function originalAnalysis(item: ItemView | undefined, record: ItemRecord): { analysis: Analysis; from: OriginalSource } | null {
  const candidates: [OriginalSource, unknown][] = [
    ['item', item?.prediction],
    ['record_context', record.target?.context?.prediction],
    ['target_output', parsedOutput(record.target?.output)],
  ];
  for (const [from, value] of candidates) {
    const analysis = analysisOf(value);
    if (analysis) return { analysis, from };
  }
  return null;
}

/**
 * The corrected analysis fields of a review, as the reviewer sent them: only analysis fields (the
 * rest of `correction.fields` stays free-form and is not an answer), empty values ignored, a
 * number field sent as a numeric string read as the number. Null when none is set.
 */
export function correctedFields(record: ItemRecord): Record<string, unknown> | null {
  const fields = record.correction?.fields;
  if (!isObject(fields)) return null;
  const out: Record<string, unknown> = {};
  for (const f of ANALYSIS_FIELDS) {
    let v = fields[f.name];
    if (v === undefined || v === null || (typeof v === 'string' && !v.trim())) continue;
    if (f.type === 'number' && typeof v === 'string' && Number.isFinite(Number(v))) v = Number(v);
    out[f.name] = v;
  }
  return Object.keys(out).length ? out : null;
}

/** The corrected analysis: the original with the corrected fields over it; null if that is not a valid analysis. */
export function correctedAnalysis(original: Analysis | null, fields: Record<string, unknown>): Analysis | null {
  const parsed = Analysis.safeParse({ ...(original ?? {}), ...fields });
  return parsed.success ? parsed.data : null;
}

/** An analysis as the assistant's answer: JSON with the fields in ANALYSIS_FIELDS order, absent ones left out. */
export function analysisJson(a: Analysis): string {
  const ordered: Record<string, unknown> = {};
  for (const f of ANALYSIS_FIELDS) if (a[f.name] !== undefined) ordered[f.name] = a[f.name];
  return JSON.stringify(ordered);
}

const CONTEXT_LINES: [key: string, label: string][] = [
  ['dag_id', 'DAG'],
  ['task_id', 'Task'],
  ['run_id', 'Run'],
  ['error_message', 'Error'],
];

/** The error context as a prompt: "DAG: …\nTask: …\nRun: …\nError: …\nLog:\n…"; '' without any. */
export function errorContextPrompt(context: Record<string, unknown> | undefined): string {
  if (!context) return '';
  const lines: string[] = [];
  for (const [key, label] of CONTEXT_LINES) {
    const v = context[key];
    if (typeof v === 'string' && v.trim()) lines.push(`${label}: ${v}`);
  }
  const log = context.log_context;
  if (typeof log === 'string' && log.trim()) lines.push(`Log:\n${log}`);
  return lines.join('\n');
}

/** The prompt of a review of an item (see the header): the record's, else the item's input, else its error context. */
export function itemPromptTarget(item: ItemView | undefined, record: ItemRecord): StoredTarget | null {
  const own = record.target?.prompt;
  if (own && own.trim()) return { prompt: own, messages: record.target?.messages };
  if (item?.input && item.input.trim()) return { prompt: item.input };
  const context = errorContextPrompt((item?.context as Record<string, unknown> | undefined) ?? record.target?.context);
  return context ? { prompt: context } : null;
}
