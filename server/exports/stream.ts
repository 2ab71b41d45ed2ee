/**
 * Streamed exports: rows come from the database one at a time (Kysely `.stream()`), become lines,
 * and go out through a sink that waits whenever the consumer is slower (backpressure), so memory
 * stays flat whatever the number of rows. See docs/decisions/0023-streamed-exports.md.
 *
 * On SQLite the export reads through a connection of its own: a streaming statement holds its
 * connection until the last row, and the store's single connection must keep serving writes.
 * WAL mode gives that reader one consistent snapshot while writers go on.
 */
import { createHash, type Hash } from 'node:crypto';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { applyFeedbackFilters, type Filterable } from '../store/feedback-filters.ts';
import type { DB, FeedbackTable } from '../store/schema.ts';
import type { Store } from '../store/open.ts';
import { withInsightsTables } from '../insights/tables.ts';
import { PromptGrouper, withGateCriterion, type ExampleRow, type ExampleSide } from './examples.ts';
import { resolveFilters, withTrainingSources, type ExportFilterInput, type ResolvedFilters } from './filters.ts';
import { FORMATS, FORMAT_NAMES, type Format, type FormatName, type FormatOptions, type Line } from './formats/index.ts';
import { DEFAULT_WEIGHTS } from './formats/weighted.ts';
import { itemKeyPrefix, itemReviewExample, itemReviews } from './item-reviews.ts';
import { sideOf, splitKeyOf } from './split.ts';
import { tallyInto, type LeftOutReason, type MadeBy } from './tally.ts';
import { ITEM_KEY_PREFIX } from '../../shared/items.ts';
import { GoldReplacer, type GoldSource, type GoldSummary } from './gold.ts';

export interface ExportOptions {
  format: FormatName;
  filters?: ExportFilterInput;
  /** Share of conversations that go to validation, 0 < split < 1; omitted: one file. */
  split?: number;
  /** Weights of the `weighted` format (default up 2.0, down 0.5). */
  weights?: { up?: number; down?: number };
  /** The clock for `days` (tests pin it). */
  now?: Date;
  /** `adjudicated`: the queue's adjudications replace its reviews (gold.ts); needs the `queue` filter and the jsonl format. */
  gold?: GoldSource;
}

export interface PreparedExport {
  format: Format;
  filters: ResolvedFilters;
  split: number | null;
  formatOptions: FormatOptions;
  /** Gold labels from this queue's adjudications (gold.ts), or absent. */
  gold?: { source: GoldSource; queueId: string };
}

export interface ExportCounts {
  /** Records the filters matched (each one is in a line, merged into one, or in `leftOut`). */
  read: number;
  /** Distinct prompt+answer examples (training formats). */
  examples: number;
  /** Records merged into an identical example (the same answer, or the same correction of it). */
  merged: number;
  /** Examples whose copies were on both sides, kept on train only. */
  leaksDropped: number;
  /** Records left out, all reasons together (the sum of `leftOut`). */
  skipped: number;
  /** Lines written by how they were made (tally.ts, MADE_BY). */
  made: Partial<Record<MadeBy, number>>;
  /** Records left out by reason (tally.ts, LEFT_OUT_REASONS): a record is never dropped without one. */
  leftOut: Partial<Record<LeftOutReason, number>>;
  /** Lines written per side (`all` without a split). */
  written: Record<ExampleSide, number>;
  /** With `gold`: the gold lines, from which queue, and the reviews they replaced (gold.ts). */
  gold?: GoldSummary;
}

export function emptyCounts(): ExportCounts {
  return { read: 0, examples: 0, merged: 0, leaksDropped: 0, skipped: 0, made: {}, leftOut: {}, written: { train: 0, validation: 0, all: 0 } };
}

/** Checks options and resolves the time window once (manifests record the resolved one). */
export function prepareExport(options: ExportOptions): PreparedExport {
  const format = FORMATS[options.format];
  if (!format) throw new RangeError(`unknown format ${options.format}; known: ${FORMAT_NAMES.join(', ')}`);
  if (options.split !== undefined && !(options.split > 0 && options.split < 1)) {
    throw new RangeError('split must be a share between 0 and 1, e.g. 0.1');
  }
  const up = options.weights?.up ?? DEFAULT_WEIGHTS.up;
  const down = options.weights?.down ?? DEFAULT_WEIGHTS.down;
  for (const w of [up, down]) if (!Number.isFinite(w) || w < 0) throw new RangeError('weights must be non-negative numbers');
  if (options.gold && format.name !== 'jsonl') throw new RangeError('gold=adjudicated writes full records: use the jsonl format');
  if (options.gold && !options.filters?.queue) throw new RangeError('gold=adjudicated needs the queue whose adjudications are gold: queue=<id>');
  return {
    ...(options.gold ? { gold: { source: options.gold, queueId: options.filters!.queue! } } : {}),
    format,
    // Training formats: the votes of one criterion label the examples (`overall` unless filtered),
    // people's votes unless sourceType/judge asks for a judge's (filters.ts, withTrainingSources).
    filters: withTrainingSources(format.mode, withGateCriterion(format.mode, resolveFilters(options.filters ?? {}, options.now))),
    split: options.split ?? null,
    formatOptions: { weights: { up, down } },
  };
}

/** The export's filters on the feedback row `f`; training formats bound time by the projection's created_at. */
function applyFilters<Q extends Filterable>(q: Q, f: ResolvedFilters, createdAtColumn: string): Q {
  return applyFeedbackFilters(q, f, { alias: 'f', columns: { created_at: createdAtColumn } });
}

/**
 * Only the columns the formats read (rowToFeedback, the split key, the example fields): building
 * 21-column row objects a million times is a measurable share of an export.
 */
const RECORD_COLUMNS = [
  'f.id', 'f.workspace_id', 'f.rater_id', 'f.client_id', 'f.target_key', 'f.conversation_id', 'f.created_at', 'f.received_at', 'f.deleted', 'f.record',
  'f.source_type', 'f.source_channel', 'f.source_name', 'f.queue_id', 'f.criterion',
] as const;
const EXAMPLE_COLUMNS = [
  'f.id', 'f.created_at', 'f.model', 'f.intent', 'f.project', 'f.thumb', 'f.stars', 'f.conversation_id', 'f.target_key', 'f.record',
] as const;

function recordsQuery(db: Kysely<DB>, workspaceId: string, f: ResolvedFilters) {
  const q = db.selectFrom('feedback as f').select(RECORD_COLUMNS).where('f.workspace_id', '=', workspaceId).where('f.deleted', '=', 0);
  return applyFilters(q, f, 'f.created_at');
}

/** Records of the examples projection; feedback on items is read with its item instead (item-reviews.ts). */
function examplesQuery(db: Kysely<DB>, workspaceId: string, f: ResolvedFilters) {
  const q = withInsightsTables(db)
    .selectFrom('feedback_examples as e')
    // Ids are unique per workspace only (migration 0100): join on both.
    .innerJoin('feedback as f', (j) => j.onRef('f.workspace_id', '=', 'e.workspace_id').onRef('f.id', '=', 'e.feedback_id'))
    .select(EXAMPLE_COLUMNS)
    .select(['e.prompt_hash', 'e.example_hash'])
    .where('e.workspace_id', '=', workspaceId)
    .where('f.deleted', '=', 0)
    .where(itemKeyPrefix('f.target_key'), '<>', ITEM_KEY_PREFIX);
  return applyFilters(q, f, 'e.created_at');
}

/** The gold replacer of a `gold` export, with the export's reviews per (target, criterion) of the queue. */
async function goldFor(db: Kysely<DB>, workspaceId: string, prepared: PreparedExport): Promise<GoldReplacer> {
  const queueId = prepared.gold!.queueId;
  const reviewCounts = await recordsQuery(db, workspaceId, prepared.filters)
    .clearSelect()
    .select(['f.target_key', 'f.criterion', (eb) => eb.fn.countAll<number>().as('n')])
    .where('f.queue_id', '=', queueId)
    .groupBy(['f.target_key', 'f.criterion'])
    .execute();
  return GoldReplacer.load(db, workspaceId, queueId, reviewCounts);
}

/** Records the filters match that are neither in the examples projection (no prompt or no answer) nor about an item. */
async function countUnusable(db: Kysely<DB>, workspaceId: string, f: ResolvedFilters): Promise<number> {
  const q = withInsightsTables(db)
    .selectFrom('feedback as f')
    .leftJoin('feedback_examples as e', (j) => j.onRef('e.workspace_id', '=', 'f.workspace_id').onRef('e.feedback_id', '=', 'f.id'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('f.workspace_id', '=', workspaceId)
    .where('f.deleted', '=', 0)
    .where('e.feedback_id', 'is', null)
    .where(itemKeyPrefix('f.target_key'), '<>', ITEM_KEY_PREFIX);
  const row = await applyFilters(q, f, 'f.created_at').executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** How many records the export will read (for a progress bar): every record the filters match. */
export async function countExportRows(db: Kysely<DB>, workspaceId: string, prepared: PreparedExport): Promise<number> {
  const row = await recordsQuery(db, workspaceId, prepared.filters)
    .clearSelect()
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * The export as lines, in a stable order: records by (createdAt, id); training examples by
 * prompt, then example. `counts` is filled in as lines are produced.
 */
export async function* exportLines(
  db: Kysely<DB>,
  workspaceId: string,
  prepared: PreparedExport,
  counts: ExportCounts = emptyCounts(),
): AsyncGenerator<Line> {
  const { format, filters, split } = prepared;
  if (format.mode === 'records') {
    const gold = prepared.gold ? await goldFor(db, workspaceId, prepared) : null;
    if (gold) counts.gold = gold.summary;
    const tally = tallyInto(counts);
    const rows = recordRows(db, recordsQuery(db, workspaceId, filters).orderBy('f.created_at').orderBy('f.id'));
    for await (const row of rows) {
      counts.read++;
      const side: ExampleSide = split === null ? 'all' : sideOf(splitKeyOf(row), split);
      const taken = gold ? gold.take(row as unknown as FeedbackTable) : 'keep';
      if (taken !== 'keep') {
        tally.leftOut('replaced_by_gold', 1);
        if (taken === 'drop') continue;
        counts.written[side]++;
        counts.made.gold = (counts.made.gold ?? 0) + 1;
        yield { side, text: format.line(taken) };
        continue;
      }
      counts.written[side]++;
      counts.made.record = (counts.made.record ?? 0) + 1;
      yield { side, text: format.line(row as unknown as FeedbackTable) };
    }
    return;
  }
  const tally = tallyInto(counts);
  const grouper = new PromptGrouper(split, counts);
  const rows = examplesQuery(db, workspaceId, filters)
    .orderBy('e.prompt_hash')
    .orderBy('e.example_hash')
    .orderBy('e.created_at')
    .orderBy('e.feedback_id')
    .stream(500);
  const emit = function* (lines: Line[]) {
    for (const line of lines) {
      counts.written[line.side]++;
      if (line.how) counts.made[line.how] = (counts.made[line.how] ?? 0) + 1;
      yield line;
    }
  };
  for await (const row of rows) {
    const group = grouper.add(row as unknown as ExampleRow);
    if (group) yield* emit(format.lines(group, prepared.formatOptions, tally));
  }
  const last = grouper.flush();
  if (last) yield* emit(format.lines(last, prepared.formatOptions, tally));
  // Feedback on items, read with its items (after the stream above has let its connection go).
  for await (const { row, record, item } of itemReviews(db, workspaceId, filters)) {
    const parsed = itemReviewExample(record, item);
    if (typeof parsed === 'string') {
      counts.read++;
      tally.leftOut(parsed, 1);
      continue;
    }
    const group = grouper.addParsed(row, parsed);
    if (group) yield* emit(format.lines(group, prepared.formatOptions, tally));
  }
  const lastItem = grouper.flush();
  if (lastItem) yield* emit(format.lines(lastItem, prepared.formatOptions, tally));
  const unusable = await countUnusable(db, workspaceId, filters);
  counts.read += unusable;
  tally.leftOut('no_prompt_or_answer', unusable);
}

/** The export readers that are a SQLite connection of their own (openExportReader), by their Kysely instance. */
const ownConnections = new WeakMap<Kysely<DB>, Database.Database>();

/**
 * The rows of a query, streamed: on an export reader's own SQLite connection straight from a
 * prepared better-sqlite3 statement (Kysely's stream costs a promise and a row copy per row, a third
 * of a JSONL export's time, issue 19); elsewhere Kysely's `.stream()`. A shared connection must not
 * be held by a raw iterator: Kysely's lock is what lets other queries wait for it.
 */
async function* recordRows<R>(db: Kysely<DB>, q: { compile(): { sql: string; parameters: readonly unknown[] }; stream(chunkSize?: number): AsyncIterableIterator<R> }): AsyncGenerator<R> {
  const own = ownConnections.get(db);
  if (!own) {
    yield* q.stream(500);
    return;
  }
  const { sql, parameters } = q.compile();
  yield* own.prepare(sql).iterate(...parameters) as IterableIterator<R>;
}

/** Collects lines into chunks, hashes and counts them, and awaits the consumer's backpressure. */
export class LineSink {
  readonly hash: Hash = createHash('sha256');
  bytes = 0;
  rows = 0;
  private parts: string[] = [];
  private size = 0;

  constructor(
    private readonly writeChunk: (chunk: string) => Promise<void> | void,
    private readonly chunkChars = 64 * 1024,
  ) {}

  /** Buffers a line; returns a promise only when the buffer had to be flushed. */
  push(text: string, isRow = true): Promise<void> | undefined {
    this.parts.push(text);
    this.size += text.length;
    if (isRow) this.rows++;
    return this.size >= this.chunkChars ? this.flush() : undefined;
  }

  async flush(): Promise<void> {
    if (!this.parts.length) return;
    const chunk = this.parts.join('');
    this.parts = [];
    this.size = 0;
    this.hash.update(chunk);
    this.bytes += Buffer.byteLength(chunk);
    await this.writeChunk(chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/** A chunk writer for a Node stream that waits for 'drain' when the stream's buffer is full. */
export function writableChunks(w: Writable): (chunk: string) => Promise<void> | void {
  return (chunk) => {
    if (!w.write(chunk)) return once(w, 'drain').then(() => undefined);
  };
}

/** A reader for exports: a connection of its own on a SQLite file, the store's pool otherwise. */
export function openExportReader(store: Store): { db: Kysely<DB>; close(): Promise<void> } {
  if (store.dialect !== 'sqlite' || !store.sqlite || store.location === ':memory:') {
    return { db: store.db, close: async () => {} };
  }
  const sqlite = new Database(store.location, { fileMustExist: true });
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('query_only = ON');
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }) });
  ownConnections.set(db, sqlite);
  return { db, close: () => db.destroy() };
}

export interface StreamedFile {
  split: ExampleSide;
  rows: number;
  bytes: number;
  sha256: string;
}

export interface StreamExportResult {
  prepared: PreparedExport;
  counts: ExportCounts;
  files: StreamedFile[];
}

/**
 * Streams an export into Node writables: one for a plain export, or one per side with a split
 * (`{train, validation}`). Ends the writables and resolves when everything is flushed.
 * This is the function API for other parts of the server (dashboard, CLI).
 */
export async function streamExport(
  store: Store,
  workspaceId: string,
  options: ExportOptions | PreparedExport,
  out: Writable | { train: Writable; validation: Writable },
  hooks: { onRead?: (read: number) => void } = {},
): Promise<StreamExportResult> {
  const prepared = 'formatOptions' in options ? options : prepareExport(options);
  const single = !('train' in out && 'validation' in out);
  if (single === (prepared.split !== null)) {
    throw new RangeError(prepared.split === null ? 'a plain export writes to one stream' : 'a split export needs {train, validation} streams');
  }
  const targets: Partial<Record<ExampleSide, Writable>> = single ? { all: out as Writable } : { train: (out as { train: Writable }).train, validation: (out as { validation: Writable }).validation };
  const sinks = new Map<ExampleSide, LineSink>();
  for (const [side, w] of Object.entries(targets) as [ExampleSide, Writable][]) {
    const sink = new LineSink(writableChunks(w));
    if (prepared.format.mode === 'records' && prepared.format.header) sink.push(prepared.format.header, false);
    sinks.set(side, sink);
  }
  const counts = emptyCounts();
  const reader = openExportReader(store);
  try {
    let lastRead = 0;
    for await (const line of exportLines(reader.db, workspaceId, prepared, counts)) {
      const pending = sinks.get(line.side)!.push(line.text);
      if (pending) await pending;
      if (hooks.onRead && counts.read - lastRead >= 1000) {
        lastRead = counts.read;
        hooks.onRead(counts.read);
      }
    }
  } finally {
    await reader.close();
  }
  hooks.onRead?.(counts.read);
  const files: StreamedFile[] = [];
  for (const [side, sink] of sinks) {
    await sink.flush();
    const w = targets[side]!;
    await new Promise<void>((resolve, reject) => {
      w.end((err?: Error | null) => (err ? reject(err) : resolve()));
    });
    files.push({ split: side, rows: sink.rows, bytes: sink.bytes, sha256: sink.digest() });
  }
  return { prepared, counts, files };
}
