/**
 * The feedback record's fields, described once (issue 11, item 1; ADR 0028). Everything that used
 * to list the fields by hand derives from here: the `feedback` table's columns and row type
 * (server/store/schema.ts), the SQLite fast path's bind lists, rowFromRecord and the tombstone of an
 * unknown id (server/store/feedback.ts), the NUL check, the filters (shared/filters.ts), the CSV
 * columns (server/exports/formats/csv.ts) and the extension's clip step (extension/background/privacy.ts).
 * test/conventions/feedback-fields.test.ts fails when a list of fields appears anywhere else, and
 * when this description disagrees with the zod schemas or the migrated table.
 *
 * How to read it. `FEEDBACK_FIELDS` has one entry per field, in CSV column order:
 * - `path`    where it is on the wire (`Feedback` in shared/schemas.ts), dot-separated: `target.model`,
 *             `rating.thumb`, `criterion`. `null` for a storage-only column (`record`, `content_hash`,
 *             `has_correction`).
 * - `source`  `input`: the client sends it (FeedbackInput); `server`: the server adds it (Feedback);
 *             `store`: only in the table.
 * - `column`  its column in `feedback`, or `null` when it lives only inside the record JSON. With it:
 *             `sql` (`text` | `int`), `nullable`, `values` (the allowed strings, typing the column),
 *             `blank` (the value of a tombstone of a record this server never saw, for NOT NULL
 *             columns), `derive` (a column computed from the record rather than copied from `path`).
 *             Every text column is NUL-checked (PostgreSQL text cannot hold U+0000).
 * - `filter`  the query parameters that filter on the column: `param`, `op` and the value `type`.
 *             `eq` column = value; `min` column >= value; `max` column <= value; `before` column <
 *             value (an exclusive end, `until`); `boolean` column = 1 / 0 for true / false.
 * - `text`    page text the extension clips before queueing: `clip` names the limit (shared/limits.ts),
 *             `shape` how it is held (a string, a list of strings kept from the front, chat messages
 *             kept from the end, a text quote).
 * - `redact`  free text the redaction (shared/redact-feedback.ts) rewrites, on the device and where program
 *             text is redacted (server/lib/program-feedback.ts, program-text.ts).
 * - `csv`     its CSV column header (absent: not in the CSV).
 *
 * Exported and derived: FEEDBACK_COLUMNS (every column of `feedback`), FeedbackRow (its row type),
 * FEEDBACK_FILTERS (one entry per query parameter), NUL_CHECKED (text columns and their paths),
 * CSV_FIELDS (the CSV columns in order), CLIPPED_TARGET_TEXT (what fitTarget clips), and the helpers
 * valueAt, columnsFromRecord, blankColumns. Pure TypeScript, no Node built-ins: the extension imports it.
 */
import { CHANNELS, DEFAULT_CRITERION, SOURCE_TYPES, TARGET_KINDS } from './schemas.ts';

/** The limits of shared/limits.ts a text is clipped to. */
export type ClipLimit = 'textMaxChars' | 'shortTextMaxChars' | 'urlMaxChars' | 'commentMaxChars';

export interface TextSpec {
  readonly clip: ClipLimit;
  /** string; list: strings kept from the front (alternativesMax); messages: turns kept from the end (messagesMax); quote: exact + prefix/suffix. */
  readonly shape: 'string' | 'list' | 'messages' | 'quote';
}

export type FilterOp = 'eq' | 'min' | 'max' | 'before' | 'boolean';
export type FilterType = 'string' | 'int' | 'datetime' | 'boolean' | 'enum';

export interface FilterSpec {
  /** The query parameter (camelCase, the same on every route, the dashboard and the CLI as --kebab-case). */
  readonly param: string;
  readonly op: FilterOp;
  readonly type: FilterType;
  /** The allowed values of an `enum` filter on a column typed as plain text (kind); else the column's `values`. */
  readonly values?: readonly string[];
}

export interface FieldSpec {
  readonly path: string | null;
  readonly source: 'input' | 'server' | 'store';
  readonly column: string | null;
  readonly sql?: 'text' | 'int';
  readonly nullable?: boolean;
  readonly values?: readonly string[];
  readonly blank?: string | number;
  readonly derive?: (record: RecordLike) => string | number | null;
  readonly filter?: readonly FilterSpec[];
  readonly text?: TextSpec;
  /** Free text the redaction (shared/redact-feedback.ts) rewrites, on the device and where program text is redacted. */
  readonly redact?: true;
  readonly csv?: string;
}

/** As much of a FeedbackInput as the derivations read (kept structural so this file stays type-light). */
export interface RecordLike {
  readonly correction?: { readonly output?: string; readonly fields?: Record<string, unknown> } | null;
  readonly [key: string]: unknown;
}

/**
 * A record carries a correction when the rater wrote a corrected output or corrected fields: the
 * rule behind `has_correction` (and its backfill in migration 0120).
 */
export function carriesCorrection(record: RecordLike): boolean {
  const c = record.correction;
  if (!c) return false;
  return (typeof c.output === 'string' && c.output !== '') || (c.fields !== undefined && Object.keys(c.fields).length > 0);
}

/** A record's source with its default: a person. */
export function sourceOf(record: RecordLike): { type: 'human' | 'model'; name?: string } {
  const s = record.source as { type?: unknown; name?: unknown } | undefined;
  return s && s.type === 'model' ? { type: 'model', ...(typeof s.name === 'string' ? { name: s.name } : {}) } : { type: 'human' };
}

const SHORT = { clip: 'shortTextMaxChars', shape: 'string' } as const;
const LONG = { clip: 'textMaxChars', shape: 'string' } as const;
/** Generic in the name, so FilterValues (shared/filters.ts) is typed per parameter. */
const eq = <P extends string>(param: P) => [{ param, op: 'eq', type: 'string' }] as const;

export const FEEDBACK_FIELDS = [
  { path: 'id', source: 'input', column: 'id', sql: 'text', csv: 'id' },
  {
    path: 'createdAt', source: 'input', column: 'created_at', sql: 'text', csv: 'createdAt',
    filter: [{ param: 'since', op: 'min', type: 'datetime' }, { param: 'until', op: 'before', type: 'datetime' }],
  },
  { path: 'updatedAt', source: 'input', column: 'updated_at', sql: 'text', csv: 'updatedAt' },
  { path: 'receivedAt', source: 'server', column: 'received_at', sql: 'text', csv: 'receivedAt' },
  { path: 'workspaceId', source: 'server', column: 'workspace_id', sql: 'text', csv: 'workspaceId' },
  { path: 'raterId', source: 'server', column: 'rater_id', sql: 'text', csv: 'raterId', filter: eq('rater') },
  {
    path: 'target.kind', source: 'input', column: 'kind', sql: 'text', blank: 'other', csv: 'kind',
    filter: [{ param: 'kind', op: 'eq', type: 'enum', values: TARGET_KINDS }],
  },
  { path: 'target.key', source: 'input', column: 'target_key', sql: 'text', blank: '', csv: 'key' },
  { path: 'target.site', source: 'input', column: 'site', sql: 'text', nullable: true, text: SHORT, csv: 'site', filter: eq('site') },
  { path: 'target.url', source: 'input', column: null, text: { clip: 'urlMaxChars', shape: 'string' }, csv: 'url' },
  { path: 'target.model', source: 'input', column: 'model', sql: 'text', nullable: true, text: SHORT, csv: 'model', filter: eq('model') },
  { path: 'target.intent', source: 'input', column: 'intent', sql: 'text', nullable: true, text: SHORT, csv: 'intent', filter: eq('intent') },
  { path: 'target.project', source: 'input', column: 'project', sql: 'text', nullable: true, text: SHORT, csv: 'project', filter: eq('project') },
  { path: 'target.subject', source: 'input', column: 'subject', sql: 'text', nullable: true, text: SHORT, csv: 'subject', filter: eq('subject') },
  {
    path: 'target.conversationId', source: 'input', column: 'conversation_id', sql: 'text', nullable: true, text: SHORT,
    csv: 'conversationId', filter: eq('conversationId'),
  },
  {
    path: 'rating.thumb', source: 'input', column: 'thumb', sql: 'text', nullable: true, values: ['up', 'down'], csv: 'thumb',
    filter: [{ param: 'thumb', op: 'eq', type: 'enum' }],
  },
  {
    path: 'rating.stars', source: 'input', column: 'stars', sql: 'int', nullable: true, csv: 'stars',
    filter: [{ param: 'minStars', op: 'min', type: 'int' }, { param: 'maxStars', op: 'max', type: 'int' }],
  },
  { path: 'rating.label', source: 'input', column: 'label', sql: 'text', nullable: true, csv: 'label', filter: eq('label') },
  { path: 'comment', source: 'input', column: null, text: { clip: 'commentMaxChars', shape: 'string' }, redact: true, csv: 'comment' },
  { path: 'tags', source: 'input', column: null, csv: 'tags' },
  { path: 'target.prompt', source: 'input', column: null, text: LONG, redact: true, csv: 'prompt' },
  { path: 'target.output', source: 'input', column: null, text: LONG, redact: true, csv: 'output' },
  // The CSV shows the corrected output; the redaction rewrites correction.output and the strings of correction.fields.
  { path: 'correction', source: 'input', column: null, redact: true, csv: 'correction' },
  { path: 'target.context', source: 'input', column: null, csv: 'context' },
  // New in migration 0120; last in the CSV so earlier columns keep their positions.
  {
    path: 'criterion', source: 'input', column: 'criterion', sql: 'text', blank: DEFAULT_CRITERION, csv: 'criterion',
    derive: (r: RecordLike) => (typeof r.criterion === 'string' ? r.criterion : DEFAULT_CRITERION), filter: eq('criterion'),
  },
  // New in migration 0200 (issue 16), after criterion in the CSV for the same reason.
  {
    path: 'source.type', source: 'input', column: 'source_type', sql: 'text', values: SOURCE_TYPES, blank: 'human', csv: 'sourceType',
    derive: (r: RecordLike) => sourceOf(r).type, filter: [{ param: 'sourceType', op: 'eq', type: 'enum' }],
  },
  // Set by the server from the route a write came in by (Actor.channel), not sent by clients.
  {
    path: 'source.channel', source: 'server', column: 'source_channel', sql: 'text', values: CHANNELS, blank: 'api', csv: 'channel',
    filter: [{ param: 'channel', op: 'eq', type: 'enum' }],
  },
  // '' for a person: part of the live-vote index (one live vote per rater, target, criterion and judge).
  {
    path: 'source.name', source: 'input', column: 'source_name', sql: 'text', blank: '', csv: 'judge',
    derive: (r: RecordLike) => sourceOf(r).name ?? '', filter: eq('judge'),
  },
  { path: 'queueId', source: 'input', column: 'queue_id', sql: 'text', nullable: true, csv: 'queueId', filter: eq('queue') },
  // Not in the CSV.
  { path: 'clientId', source: 'server', column: 'client_id', sql: 'text', nullable: true },
  { path: 'target.messages', source: 'input', column: null, text: { clip: 'textMaxChars', shape: 'messages' }, redact: true },
  { path: 'target.alternatives', source: 'input', column: null, text: { clip: 'textMaxChars', shape: 'list' }, redact: true },
  { path: 'target.quote', source: 'input', column: null, text: { clip: 'textMaxChars', shape: 'quote' }, redact: true },
  { path: 'target.promptHash', source: 'input', column: null },
  { path: 'target.outputHash', source: 'input', column: null },
  { path: 'deleted', source: 'input', column: 'deleted', sql: 'int', blank: 1 },
  // Storage only.
  { path: null, source: 'store', column: 'record', sql: 'text', nullable: true },
  { path: null, source: 'store', column: 'content_hash', sql: 'text', blank: 'deleted' },
  {
    path: null, source: 'store', column: 'has_correction', sql: 'int', blank: 0,
    derive: (r: RecordLike) => (carriesCorrection(r) ? 1 : 0), filter: [{ param: 'hasCorrection', op: 'boolean', type: 'boolean' }],
  },
] as const satisfies readonly FieldSpec[];

type Field = (typeof FEEDBACK_FIELDS)[number];
type WithColumn = Extract<Field, { column: string }>;

/** Every column of `feedback`. */
export type FeedbackColumn = WithColumn['column'];

type ColumnValue<F> = F extends { values: readonly (infer V)[] } ? V : F extends { sql: 'int' } ? number : string;
type ColumnType<F> = F extends { nullable: true } ? ColumnValue<F> | null : ColumnValue<F>;

/** One row of `feedback`, typed from the description (server/store/schema.ts names it FeedbackTable). */
export type FeedbackRow = { [F in WithColumn as F['column']]: ColumnType<F> };

/** Every column of `feedback`, id first: the order the SQLite fast path binds in. */
export const FEEDBACK_COLUMNS = FEEDBACK_FIELDS.flatMap((f) => (f.column === null ? [] : [f.column])) as readonly FeedbackColumn[];

export interface FeedbackFilter extends FilterSpec {
  readonly column: FeedbackColumn;
  /** The wire path, or null for a column derived from the record (has_correction). */
  readonly path: string | null;
}

/** Every filter a list of feedback accepts, one entry per query parameter, in description order. */
export const FEEDBACK_FILTERS: readonly FeedbackFilter[] = FEEDBACK_FIELDS.flatMap((f: FieldSpec) =>
  (f.filter ?? []).map((spec) => ({
    ...spec,
    column: f.column as FeedbackColumn,
    path: f.path,
    ...(spec.values ?? f.values ? { values: spec.values ?? f.values } : {}),
  })),
);

/** The filter query parameters, in description order. */
export const FILTER_PARAMS = FEEDBACK_FILTERS.map((f) => f.param);

/** Text columns copied from the record, with their wire paths: each is refused when it holds U+0000. */
export const NUL_CHECKED: readonly { path: string; column: FeedbackColumn }[] = FEEDBACK_FIELDS.flatMap((f: FieldSpec) =>
  f.sql === 'text' && f.source === 'input' && f.path !== null && f.column !== null ? [{ path: f.path, column: f.column as FeedbackColumn }] : [],
);

/** The CSV columns in order: header name and wire path. */
export const CSV_FIELDS: readonly { header: string; path: string }[] = FEEDBACK_FIELDS.flatMap((f: FieldSpec) =>
  f.csv !== undefined && f.path !== null ? [{ header: f.csv, path: f.path }] : [],
);

/** The target's texts the extension clips before queueing (fitTarget): key inside `target`, and how. */
export const CLIPPED_TARGET_TEXT: readonly { key: string; text: TextSpec }[] = FEEDBACK_FIELDS.flatMap((f: FieldSpec) =>
  f.text && f.path?.startsWith('target.') ? [{ key: f.path.slice('target.'.length), text: f.text }] : [],
);

/** The fields the free-text redaction rewrites (paths). */
export const REDACTED_PATHS: readonly string[] = FEEDBACK_FIELDS.flatMap((f: FieldSpec) => (f.redact && f.path ? [f.path] : []));

/** Paths split once: valueAt runs for every column of every record written. */
const PATH_PARTS = new Map<string, readonly string[]>();

/** The value at a dot path (`target.model`) of a record, or undefined. */
export function valueAt(record: unknown, path: string): unknown {
  let parts = PATH_PARTS.get(path);
  if (!parts) PATH_PARTS.set(path, (parts = path.split('.')));
  let v: unknown = record;
  for (const part of parts) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** The columns a client's record fills (source `input` and derived ones), for rowFromRecord. */
export type RecordColumns = Pick<FeedbackRow, Extract<WithColumn, { source: 'input' } | { derive: unknown }>['column']>;

/**
 * The columns a record fills, from the description: a derived column by its rule, the others copied
 * from their path (absent: null). `deleted` is 0: a record is live. Server columns are the caller's.
 */
export function columnsFromRecord(record: RecordLike): RecordColumns {
  const row: Record<string, unknown> = {};
  for (const f of FEEDBACK_FIELDS as readonly FieldSpec[]) {
    if (f.column === null) continue;
    if (f.derive) row[f.column] = f.derive(record);
    else if (f.column === 'deleted') row[f.column] = 0;
    else if (f.source === 'input' && f.path !== null) row[f.column] = valueAt(record, f.path) ?? null;
  }
  return row as RecordColumns;
}

/** Every column at its blank value (`blank`, else null): the start of a tombstone of an unknown id. */
export function blankColumns(): FeedbackRow {
  const row: Record<string, unknown> = {};
  for (const f of FEEDBACK_FIELDS as readonly FieldSpec[]) if (f.column !== null) row[f.column] = f.blank ?? null;
  return row as FeedbackRow;
}
