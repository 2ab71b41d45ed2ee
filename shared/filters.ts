/**
 * One filter schema for every list of feedback (issue 12, item 1; ADR 0029): the feedback list
 * (GET /v1/feedback), exports (GET /v1/exports/{format}, the CLI's `export`), insights
 * (GET /v1/insights/*, the CLI's `stats`) and the dashboard's feedback and export pages all parse
 * their filters with `FeedbackFilters`, and the store applies them with one function
 * (server/store/feedback-filters.ts). Its parameters are derived from the field description
 * (shared/feedback-fields.ts, FEEDBACK_FILTERS), and each value is checked by the wire schema of
 * the field it filters (a `kind` must be a TargetKind, `minStars` a whole number from 1 to 5), so
 * a filterable field added there is a filter everywhere, as a query parameter and a CLI flag.
 *
 * Values come from query strings and CLI flags (strings) or from code (typed): numbers and flags
 * are coerced, and an empty value counts as absent (DESIGN, "Errors"). `since` / `until` take an
 * ISO date-time or a date (midnight UTC) and come out as ISO UTC; `until` is exclusive.
 *
 * The window options (`days`, `all`) exist where a consumer has a default window (exports: the
 * last 7 days). Combinations that would have to be resolved silently are refused (`conflicts`):
 * `days` with `since` or `until`, `all` with any of them, `minStars` above `maxStars`, `since`
 * not before `until`.
 */
import { z } from 'zod';
import { FEEDBACK_FIELDS, FEEDBACK_FILTERS, type FeedbackFilter } from './feedback-fields.ts';
import { Feedback } from './schemas.ts';

// ---- Types of the filter values, derived from the description's literal types ----

type Field = (typeof FEEDBACK_FIELDS)[number];
type ValueOf<F, S> = S extends { type: 'int' }
  ? number
  : S extends { type: 'boolean' }
    ? boolean
    : S extends { values: readonly (infer V)[] }
      ? V
      : F extends { values: readonly (infer V)[] }
        ? V
        : string;
type Entry = Field extends infer F ? (F extends { filter: readonly (infer S)[] } ? (S extends { param: infer P extends string } ? [P, ValueOf<F, S>] : never) : never) : never;

/** A filter value per parameter, each optional (absent: no condition). */
export type FilterValues = { [E in Entry as E[0]]?: E[1] };
export type FilterParam = keyof FilterValues;

// ---- Value schemas ----

/** An empty value (`model=`, `--model ""`) counts as absent. */
const blankIsAbsent = (v: unknown) => (v === '' ? undefined : v);

/** true / false, from a flag (`true`, `false`, `1`, `0`) or a boolean. */
export const Flag = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
  .transform((v) => v === true || v === 'true' || v === '1');

/** An ISO date-time with an offset, or a date (its midnight UTC), as ISO UTC. */
export const Bound = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()], { error: 'must be an ISO 8601 date-time or a date, e.g. 2026-02-01 or 2026-02-01T12:00:00Z' })
  .transform((v) => new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v).toISOString());

/** The wire schema at a dot path of the feedback record (`rating.stars`), optional/nullable unwrapped. */
function wireSchemaAt(path: string | null): z.ZodType | undefined {
  if (path === null) return undefined;
  let s: unknown = Feedback;
  for (const part of path.split('.')) {
    for (;;) {
      const def = (s as { _zod?: { def?: { type?: string; innerType?: unknown } } })._zod?.def;
      if (def && (def.type === 'optional' || def.type === 'nullable' || def.type === 'default') && def.innerType) s = def.innerType;
      else break;
    }
    const shape = (s as { shape?: Record<string, unknown> }).shape;
    if (!shape || !(part in shape)) return undefined;
    s = shape[part];
  }
  for (;;) {
    const def = (s as { _zod: { def: { type?: string; innerType?: unknown } } })._zod.def;
    if ((def.type === 'optional' || def.type === 'nullable' || def.type === 'default') && def.innerType) s = def.innerType;
    else return s as z.ZodType;
  }
}

function describe(f: FeedbackFilter): string {
  const what = f.path ?? f.column;
  switch (f.op) {
    case 'eq':
      return `Only records whose ${what} is this value`;
    case 'min':
      return f.type === 'datetime' ? `Records whose ${what} is at or after this (ISO date-time, or a date: its midnight UTC)` : `Only records whose ${what} is at least this`;
    case 'max':
      return `Only records whose ${what} is at most this`;
    case 'before':
      return `Records whose ${what} is before this (exclusive; ISO date-time, or a date: its midnight UTC)`;
    case 'boolean':
      return `Only records whose ${what} is true (true) or false (false)`;
  }
}

function valueSchema(f: FeedbackFilter): z.ZodType {
  const wire = wireSchemaAt(f.path);
  switch (f.type) {
    case 'datetime':
      return Bound;
    case 'boolean':
      return Flag;
    case 'int':
      return z.coerce.number().pipe((wire as z.ZodNumber | undefined) ?? z.number().int());
    case 'enum':
      return wire ?? z.enum(f.values as [string, ...string[]]);
    case 'string':
      return wire ?? z.string().min(1).max(256);
  }
}

const optional = (f: FeedbackFilter) => z.preprocess(blankIsAbsent, valueSchema(f).optional()).describe(describe(f));

type FilterShape = { [K in FilterParam]-?: z.ZodOptional<z.ZodType<NonNullable<FilterValues[K]>, unknown>> };

/** The filters' fields, one per parameter of FEEDBACK_FILTERS, for `.extend()` by each consumer. */
export const FILTER_SHAPE = Object.fromEntries(FEEDBACK_FILTERS.map((f) => [f.param, optional(f)])) as unknown as FilterShape;

/** The parameters in description order (since, until, rater, kind, …). */
export const FILTER_PARAMS = FEEDBACK_FILTERS.map((f) => f.param as FilterParam);

/** The filters' definitions by parameter (column and operator, for the store). */
export const FILTER_DEFS: ReadonlyMap<FilterParam, FeedbackFilter> = new Map(FEEDBACK_FILTERS.map((f) => [f.param as FilterParam, f]));

// ---- Window options and list options ----

export const DEFAULT_EXPORT_DAYS = 7;

export const WINDOW_SHAPE = {
  days: z.preprocess(blankIsAbsent, z.coerce.number().int().min(1).max(36500).optional()).describe(`The last N days up to now (the default window where there is one: ${DEFAULT_EXPORT_DAYS})`),
  all: z.preprocess(blankIsAbsent, Flag.optional()).describe('No time window at all'),
};
export interface WindowValues {
  days?: number;
  all?: boolean;
}

// ---- Conflicts ----

export interface Conflict {
  /** The parameters that do not go together (CLI: as --kebab-case flags). */
  params: string[];
  message: string;
}

/** Combinations refused everywhere rather than resolved silently. */
export function conflicts(f: FilterValues & WindowValues): Conflict[] {
  const out: Conflict[] = [];
  const has = (k: string) => (f as Record<string, unknown>)[k] !== undefined;
  if (f.all) {
    for (const k of ['since', 'until', 'days']) {
      if (has(k)) out.push({ params: ['all', k], message: `${k} cannot be combined with all: all means no time window` });
    }
  }
  if (has('days')) {
    for (const k of ['since', 'until']) {
      if (has(k)) out.push({ params: [k, 'days'], message: `${k} cannot be combined with days: give the window by since/until or by days` });
    }
  }
  if (f.minStars !== undefined && f.maxStars !== undefined && f.minStars > f.maxStars) {
    out.push({ params: ['minStars', 'maxStars'], message: `minStars (${f.minStars}) is above maxStars (${f.maxStars}): no record could match` });
  }
  if (f.since !== undefined && f.until !== undefined && f.since >= f.until) {
    out.push({ params: ['since', 'until'], message: `since (${f.since}) is not before until (${f.until}): the window holds nothing` });
  }
  return out;
}

/** A refinement that reports every conflict as a zod issue on the first parameter named. */
export function refuseConflicts(value: object, ctx: { addIssue(issue: z.core.$ZodSuperRefineIssue): void }): void {
  for (const c of conflicts(value as FilterValues & WindowValues)) ctx.addIssue({ code: 'custom', path: [c.params[0]!], message: c.message, params: { conflict: c.params } });
}

/** The filters alone (the list adds its paging options, insights their own). */
export const FeedbackFilters = z.object(FILTER_SHAPE).superRefine(refuseConflicts);
export type FeedbackFilters = FilterValues;

/** Filters with the window options (exports). */
export const WindowedFilters = z.object({ ...FILTER_SHAPE, ...WINDOW_SHAPE }).superRefine(refuseConflicts);
export type WindowedFilters = FilterValues & WindowValues;

// ---- Resolution ----

/** Filters with the window made explicit (ISO UTC or null), as recorded in export manifests and runs. */
export type ResolvedFilters = Omit<FilterValues, 'since' | 'until'> & { since: string | null; until: string | null };

/**
 * The window made explicit: `since`/`until` as given; else `days` (or `defaultDays` when nothing
 * at all is given) counted back from `now`; `all`: no window. Checks the values (throws a ZodError).
 */
export function resolveFilters(input: unknown = {}, options: { now?: Date; defaultDays?: number } = {}): ResolvedFilters {
  const { days, all, since, until, ...rest } = WindowedFilters.parse(input);
  const now = options.now ?? new Date();
  const windowGiven = since !== undefined || until !== undefined || days !== undefined || all === true;
  const back = days ?? (windowGiven ? undefined : options.defaultDays);
  const out: Record<string, unknown> = {
    since: since ?? (back !== undefined ? new Date(now.getTime() - back * 86_400_000).toISOString() : null),
    until: until ?? null,
  };
  for (const p of FILTER_PARAMS) if (p !== 'since' && p !== 'until' && rest[p as keyof typeof rest] !== undefined) out[p] = rest[p as keyof typeof rest];
  return out as ResolvedFilters;
}

/** The filter values among an object's keys (drops paging and page options). */
export function pickFilters(values: object): FilterValues {
  const from = values as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const p of FILTER_PARAMS) if (from[p] !== undefined && from[p] !== null && from[p] !== '') out[p] = from[p];
  return out as FilterValues;
}

/** Filter values as query-string values (for links that keep the filters). */
export function filterQuery(values: FilterValues): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of FILTER_PARAMS) {
    const v = values[p];
    if (v !== undefined) out[p] = String(v);
  }
  return out;
}

/** `minStars` → `--min-stars`: the CLI's name of a parameter. */
export function flagName(param: string): string {
  return `--${param.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** What a filter does, for OpenAPI and the CLI's help. */
export function filterDescription(param: FilterParam): string {
  return describe(FILTER_DEFS.get(param)!);
}
