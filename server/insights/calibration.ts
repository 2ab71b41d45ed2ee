/**
 * A judge against people (issue 16, item 4): on the targets both rated, on one criterion, how
 * often an LLM judge (ratings with source.type `model` and source.name = the judge) gives the
 * people's answer. Cohen's kappa and percent agreement (kappa.ts), the confusion matrix (rows: the
 * people's value, columns: the judge's), and the targets where they disagree.
 *
 * - A target's human value is the majority of its live human ratings on the criterion (one per
 *   rater: the live-vote rule). A tie has no majority: the target is left out of the figures and
 *   counted in `tied` — splitting it either way would credit or blame the judge for a coin toss.
 * - The judge's value is its live rating. A judge named alike by two tokens (two rater ids) on one
 *   target has two live ratings: the later one (updatedAt, then id) counts.
 * - The scale is thumb, stars or label (a rating may carry several): the one asked, else the one
 *   most of the judge's ratings carry. Ratings without a value on that scale are not compared.
 * - The shared filters (a window, model, site, kind, subject, …) choose the judge's ratings; the
 *   people's ratings of those targets count whenever they were given.
 *
 * Exact: computed from the rows (indexes feedback_ws_source for the judge, feedback_ws_target for people), no rollups
 * (they hold people only: rollups.ts).
 */
import type { Kysely } from 'kysely';
import {
  CALIBRATION_FILTERS,
  CALIBRATION_LIMITS,
  type CalibrationExamplesQuery,
  type CalibrationResult,
  type CalibrationScale,
  type Disagreement,
  type FewShotExample,
} from '../../shared/calibration.ts';
import type { FilterValues } from '../../shared/filters.ts';
import { DEFAULT_CRITERION } from '../../shared/schemas.ts';
import { chunks } from '../lib/chunks.ts';
import { applyFeedbackFilters } from '../store/feedback-filters.ts';
import type { DB } from '../store/schema.ts';
import { cohensKappa } from './kappa.ts';

type Row = {
  id: string;
  target_key: string;
  model: string | null;
  thumb: 'up' | 'down' | null;
  stars: number | null;
  label: string | null;
  updated_at: string;
  record: string | null;
};

interface ParsedText {
  prompt: string | null;
  output: string | null;
  comment: string | null;
}

/** One target both rated, with what the disagreement list and the few-shot export need (texts: disagreements only). */
export interface CalibrationUnit {
  targetKey: string;
  model: string | null;
  human: string;
  humanVotes: Record<string, number>;
  judge: string;
  prompt: string | null;
  output: string | null;
  judgeComment: string | null;
  humanComments: string[];
}

export interface CalibrationUnits {
  judge: string;
  criterion: string;
  scale: CalibrationScale;
  judged: number;
  tied: number;
  units: CalibrationUnit[];
}

/** The categories of a scale in matrix order (labels: those seen, sorted). */
const FIXED: Partial<Record<CalibrationScale, string[]>> = { thumb: ['down', 'up'], stars: ['1', '2', '3', '4', '5'] };

function valueOf(row: Pick<Row, 'thumb' | 'stars' | 'label'>, scale: CalibrationScale): string | null {
  if (scale === 'thumb') return row.thumb ?? null;
  if (scale === 'stars') return row.stars == null ? null : String(Number(row.stars));
  return row.label ?? null;
}

function textOf(row: Row): ParsedText {
  try {
    const r = row.record ? (JSON.parse(row.record) as { target?: { prompt?: unknown; output?: unknown }; comment?: unknown }) : {};
    const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
    return { prompt: str(r.target?.prompt), output: str(r.target?.output), comment: str(r.comment) };
  } catch {
    return { prompt: null, output: null, comment: null };
  }
}

/** The filters calibration takes, as the store applies them (nothing about who rated). */
function targetFilters(q: Partial<Record<(typeof CALIBRATION_FILTERS)[number], unknown>>): FilterValues {
  const out: Record<string, unknown> = {};
  for (const k of CALIBRATION_FILTERS) if (q[k] !== undefined && q[k] !== '') out[k] = q[k];
  return out as FilterValues;
}

const COLUMNS = ['id', 'target_key', 'model', 'thumb', 'stars', 'label', 'updated_at', 'record'] as const;

/** The scale most of the judge's ratings carry: thumb, then stars, then label on a tie. */
function pickScale(rows: Row[]): CalibrationScale {
  const count = (s: CalibrationScale) => rows.filter((r) => valueOf(r, s) !== null).length;
  const [thumb, stars, label] = [count('thumb'), count('stars'), count('label')];
  if (thumb >= stars && thumb >= label) return 'thumb';
  return stars >= label ? 'stars' : 'label';
}

/** The targets the judge and people both rated, with their values (see the file's comment for the rules). */
export async function calibrationUnits(db: Kysely<DB>, workspaceId: string, q: CalibrationExamplesQuery): Promise<CalibrationUnits> {
  const criterion = q.criterion || DEFAULT_CRITERION;
  const judgeQuery = db
    .selectFrom('feedback')
    .select(COLUMNS)
    .where('workspace_id', '=', workspaceId)
    .where('deleted', '=', 0)
    .where('source_type', '=', 'model')
    .where('source_name', '=', q.judge)
    .where('criterion', '=', criterion);
  const judgeRows = (await applyFeedbackFilters(judgeQuery, targetFilters(q)).execute()) as Row[];
  const scale = q.scale ?? pickScale(judgeRows);

  // The judge's live rating per target: the later one when two tokens posted the same judge.
  const byTarget = new Map<string, { row: Row; value: string }>();
  for (const row of judgeRows) {
    const value = valueOf(row, scale);
    if (value === null) continue;
    const had = byTarget.get(row.target_key);
    if (!had || row.updated_at > had.row.updated_at || (row.updated_at === had.row.updated_at && row.id > had.row.id)) byTarget.set(row.target_key, { row, value });
  }

  const people = new Map<string, Row[]>();
  for (const keys of chunks([...byTarget.keys()], 500)) {
    const rows = (await db
      .selectFrom('feedback')
      .select(COLUMNS)
      .where('workspace_id', '=', workspaceId)
      .where('deleted', '=', 0)
      .where('source_type', '=', 'human')
      .where('criterion', '=', criterion)
      .where('target_key', 'in', keys)
      .execute()) as Row[];
    for (const r of rows) {
      const list = people.get(r.target_key);
      if (list) list.push(r);
      else people.set(r.target_key, [r]);
    }
  }

  let tied = 0;
  const units: CalibrationUnit[] = [];
  for (const [targetKey, { row, value }] of [...byTarget].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const votes: Record<string, number> = {};
    const voters: Row[] = [];
    for (const h of people.get(targetKey) ?? []) {
      const v = valueOf(h, scale);
      if (v === null) continue;
      votes[v] = (votes[v] ?? 0) + 1;
      voters.push(h);
    }
    const ranked = Object.entries(votes).sort((a, b) => b[1] - a[1]);
    if (!ranked.length) continue;
    if (ranked.length > 1 && ranked[0]![1] === ranked[1]![1]) {
      tied++;
      continue;
    }
    // Texts only where they are shown (a disagreement): parsing every record is most of the cost.
    const agrees = ranked[0]![0] === value;
    const text = agrees ? { prompt: null, output: null, comment: null } : textOf(row);
    const comments = agrees ? [] : voters.map((h) => textOf(h).comment).filter((c): c is string => c !== null);
    units.push({
      targetKey,
      model: row.model || null,
      human: ranked[0]![0],
      humanVotes: votes,
      judge: value,
      prompt: text.prompt,
      output: text.output,
      judgeComment: text.comment,
      humanComments: comments,
    });
  }
  return { judge: q.judge, criterion, scale, judged: byTarget.size, tied, units };
}

/** Worst first: on stars the widest gap, then by target key (stable pages). */
function disagreementsOf(c: CalibrationUnits): CalibrationUnit[] {
  const gap = (u: CalibrationUnit) => (c.scale === 'stars' ? Math.abs(Number(u.human) - Number(u.judge)) : 1);
  return c.units.filter((u) => u.human !== u.judge).sort((a, b) => gap(b) - gap(a) || (a.targetKey < b.targetKey ? -1 : a.targetKey > b.targetKey ? 1 : 0));
}

function excerpt(text: string | null): string | null {
  if (text === null) return null;
  const max = CALIBRATION_LIMITS.excerptChars;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function noteOf(n: number, judged: number): string | null {
  if (judged === 0) return 'This judge has no rating on this criterion and scale within the filters.';
  if (n === 0) return 'No target was rated by both this judge and people (with a majority) on this criterion.';
  if (n < CALIBRATION_LIMITS.tooFewBelow) return `Only ${n} target${n === 1 ? '' : 's'} rated by both (fewer than ${CALIBRATION_LIMITS.tooFewBelow}): too few to trust kappa.`;
  return null;
}

export interface CalibrationOptions extends CalibrationExamplesQuery {
  limit?: number;
  offset?: number;
}

/** GET /v1/insights/calibration: the judge's agreement with people, and a page of disagreements. */
export async function calibration(db: Kysely<DB>, workspaceId: string, q: CalibrationOptions): Promise<CalibrationResult> {
  const c = await calibrationUnits(db, workspaceId, q);
  const k = cohensKappa(
    c.units.map((u) => [u.human, u.judge] as const),
    FIXED[c.scale],
  );
  const limit = q.limit ?? CALIBRATION_LIMITS.disagreementsDefaultLimit;
  const offset = q.offset ?? 0;
  const all = disagreementsOf(c);
  const items: Disagreement[] = all.slice(offset, offset + limit).map((u) => ({
    targetKey: u.targetKey,
    model: u.model,
    prompt: excerpt(u.prompt),
    output: excerpt(u.output),
    human: u.human,
    humanVotes: u.humanVotes,
    judge: u.judge,
    judgeComment: u.judgeComment,
    humanComments: u.humanComments,
  }));
  return {
    judge: c.judge,
    criterion: c.criterion,
    scale: c.scale,
    judged: c.judged,
    tied: c.tied,
    n: k.n,
    percentAgreement: k.percentAgreement,
    kappa: k.kappa,
    categories: k.categories,
    matrix: k.matrix,
    note: noteOf(k.n, c.judged),
    disagreements: { total: all.length, offset, limit, items },
  };
}

/** The few-shot export: every disagreement, worst first, whole texts. */
export async function fewShotExamples(db: Kysely<DB>, workspaceId: string, q: CalibrationExamplesQuery): Promise<FewShotExample[]> {
  const c = await calibrationUnits(db, workspaceId, q);
  return disagreementsOf(c).map((u) => ({
    input: { prompt: u.prompt, output: u.output },
    human: u.human,
    judge: u.judge,
    criterion: c.criterion,
    ...(u.humanComments.length ? { humanComments: u.humanComments } : {}),
  }));
}

/**
 * One JSON line. JSON.stringify escapes quotes, backslashes and control characters but leaves
 * U+2028, U+2029 and U+0085, which Python's str.splitlines() (and some JSONL readers) take for line
 * ends: escaped here, so one example is always one line.
 */
export function safeJsonLine(value: unknown): string {
  return `${JSON.stringify(value).replace(/[\u2028\u2029\u0085]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}

/** The few-shot download's file name: the judge's name in letters, digits, . _ - only (a header value). */
export function examplesFileName(judge: string): string {
  return `calibration-${judge.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'judge'}.jsonl`;
}

/** The judges seen in a workspace (distinct source.name of live model ratings), with their rating counts. */
export async function listJudges(db: Kysely<DB>, workspaceId: string): Promise<{ judge: string; ratings: number }[]> {
  const rows = await db
    .selectFrom('feedback')
    .select('source_name')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('workspace_id', '=', workspaceId)
    .where('deleted', '=', 0)
    .where('source_type', '=', 'model')
    .groupBy('source_name')
    .orderBy('source_name')
    .execute();
  return rows.map((r) => ({ judge: r.source_name, ratings: Number(r.n) }));
}
