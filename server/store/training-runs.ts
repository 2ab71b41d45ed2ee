/**
 * Training runs (migration 0160; ADR 0038): which fine-tuning run trained on which export runs,
 * and the per-model figures DAGnostics' `training feedback-stats` asks for. Every query names the
 * workspace; an export run of another workspace is the same as one that does not exist.
 * Dialect-neutral Kysely.
 */
import { sql, type Kysely } from 'kysely';
import { FILTER_DEFS, type FilterParam } from '../../shared/filters.ts';
import { uuidv7 } from '../../shared/ids.ts';
import {
  timesInOrder,
  type ModelTrainingStats,
  type TrainingRun,
  type TrainingRunExport,
  type TrainingRunInput,
  type TrainingRunPatch,
  type TrainingRunsPage,
  type TrainingStats,
} from '../../shared/training-runs.ts';
import type { ExportRunsTable } from '../insights/tables.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { applyFeedbackFilters } from './feedback-filters.ts';
import type { DB } from './schema.ts';

export interface TrainingRunsTable {
  id: string;
  workspace_id: string;
  model_name: string;
  base_model: string | null;
  /** JSON object text. */
  hyperparameters: string | null;
  /** JSON object text. */
  metrics: string | null;
  model_path: string | null;
  /** bigint: PostgreSQL hands it back as a string. */
  training_data_size: number | string | null;
  started_at: string | null;
  finished_at: string | null;
  created_at: string;
  updated_at: string;
  created_by: string | null;
}

export interface TrainingRunExportsTable {
  workspace_id: string;
  training_run_id: string;
  export_run_id: string;
}

type Tables = { training_runs: TrainingRunsTable; training_run_exports: TrainingRunExportsTable; export_runs: ExportRunsTable };
type TrainingDB = DB & Tables;
const withTables = (db: Kysely<DB>) => db.withTables<Tables>() as unknown as Kysely<TrainingDB>;

/** Some export run ids are not export runs of the workspace (or are not complete): named, for a 422. */
export class TrainingRunExportsError extends Error {
  override name = 'TrainingRunExportsError';
  constructor(
    readonly code: 'unknown_export_runs' | 'export_runs_not_complete',
    readonly ids: string[],
  ) {
    super(
      code === 'unknown_export_runs'
        ? `No export run ${ids.join(', ')} in this workspace (GET /v1/exports/runs lists them).`
        : `Export run ${ids.join(', ')} did not complete; a training run names only complete export runs.`,
    );
  }
}

/** A PATCH's finishedAt before the stored startedAt. */
export class TrainingRunTimesError extends Error {
  override name = 'TrainingRunTimesError';
  constructor() {
    super('finishedAt must not be before the run’s startedAt.');
  }
}

const iso = (t: string | undefined) => (t === undefined ? null : new Date(t).toISOString());
const json = (v: Record<string, unknown> | undefined) => (v === undefined ? null : JSON.stringify(v));
const parseObject = (text: string | null) => (text === null ? null : (JSON.parse(text) as Record<string, unknown>));
const numberOr = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * What an export run delivered. Its files say it (rows per side actually written): a download of
 * one side of a split (`side=validation`) counts the other side's lines too, in `counts.written`,
 * without sending them, so two downloads of one split (train, then validation) would count the
 * train lines twice. `counts` is the fallback for a run without files. Read defensively.
 */
function sizesOf(r: Pick<ExportRunsTable, 'counts' | 'files'>): Pick<TrainingRunExport, 'records' | 'trainExamples' | 'validationExamples'> {
  const counts = r.counts ? (JSON.parse(r.counts) as { read?: unknown; written?: Record<string, unknown> }) : null;
  const files = r.files ? (JSON.parse(r.files) as { split?: unknown; rows?: unknown }[]) : null;
  const records = numberOr(counts?.read);
  if (Array.isArray(files) && files.length > 0) {
    const rows = (side: string) => files.filter((f) => f.split === side).reduce((a, f) => a + (numberOr(f.rows) ?? 0), 0);
    return { records, trainExamples: rows('train') + rows('all'), validationExamples: rows('validation') };
  }
  const written = counts?.written ?? null;
  const train = numberOr(written?.train);
  const all = numberOr(written?.all);
  return {
    records,
    trainExamples: train === null && all === null ? null : (train ?? 0) + (all ?? 0),
    validationExamples: written ? (numberOr(written.validation) ?? 0) : null,
  };
}

function toExport(r: ExportRunsTable): TrainingRunExport {
  return {
    id: r.id,
    format: r.format,
    filters: JSON.parse(r.filters) as Record<string, unknown>,
    split: r.split === null ? null : Number(r.split),
    status: r.status,
    ...sizesOf(r),
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

function toRun(r: TrainingRunsTable, exportRuns: TrainingRunExport[]): TrainingRun {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    modelName: r.model_name,
    baseModel: r.base_model,
    hyperparameters: parseObject(r.hyperparameters),
    metrics: parseObject(r.metrics),
    modelPath: r.model_path,
    trainingDataSize: r.training_data_size === null ? null : Number(r.training_data_size),
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    createdBy: r.created_by,
    exportRuns,
  };
}

/** The export runs of these training runs, oldest export first. */
async function exportsOf(db: Kysely<TrainingDB>, workspaceId: string, runIds: string[]): Promise<Map<string, TrainingRunExport[]>> {
  const out = new Map<string, TrainingRunExport[]>(runIds.map((id) => [id, []]));
  if (!runIds.length) return out;
  const rows = await db
    .selectFrom('training_run_exports as t')
    .innerJoin('export_runs as e', (j) => j.onRef('e.id', '=', 't.export_run_id').onRef('e.workspace_id', '=', 't.workspace_id'))
    .selectAll('e')
    .select('t.training_run_id')
    .where('t.workspace_id', '=', workspaceId)
    .where('t.training_run_id', 'in', runIds)
    .orderBy('e.started_at')
    .orderBy('e.id')
    .execute();
  for (const row of rows) out.get(row.training_run_id)!.push(toExport(row));
  return out;
}

/**
 * Records a training run. Every export run must be the workspace's and complete, else
 * TrainingRunExportsError naming the culprits and nothing is written. trainingDataSize defaults
 * to the export runs' train-side lines when each of them counted its lines.
 */
export async function createTrainingRun(
  db: Kysely<DB>,
  run: { workspaceId: string; input: TrainingRunInput; createdBy: string | null },
  now: Date,
): Promise<TrainingRun> {
  const { workspaceId, input } = run;
  const ids = [...new Set(input.exportRunIds)];
  const id = uuidv7(now.getTime());
  await db.transaction().execute(async (trx) => {
    const t = withTables(trx as unknown as Kysely<DB>);
    const found = await t.selectFrom('export_runs').selectAll().where('workspace_id', '=', workspaceId).where('id', 'in', ids).execute();
    const byId = new Map(found.map((r) => [r.id, r]));
    const unknown = ids.filter((x) => !byId.has(x));
    if (unknown.length) throw new TrainingRunExportsError('unknown_export_runs', unknown);
    const unfinished = ids.filter((x) => byId.get(x)!.status !== 'complete');
    if (unfinished.length) throw new TrainingRunExportsError('export_runs_not_complete', unfinished);
    const sizes = ids.map((x) => sizesOf(byId.get(x)!).trainExamples);
    const size = input.trainingDataSize ?? (sizes.every((s) => s !== null) ? sizes.reduce<number>((a, b) => a + b!, 0) : null);
    const stamp = now.toISOString();
    await t
      .insertInto('training_runs')
      .values({
        id,
        workspace_id: workspaceId,
        model_name: input.modelName,
        base_model: input.baseModel ?? null,
        hyperparameters: json(input.hyperparameters),
        metrics: json(input.metrics),
        model_path: input.modelPath ?? null,
        training_data_size: size,
        started_at: iso(input.startedAt),
        finished_at: iso(input.finishedAt),
        created_at: stamp,
        updated_at: stamp,
        created_by: run.createdBy,
      })
      .execute();
    await t
      .insertInto('training_run_exports')
      .values(ids.map((exportRunId) => ({ workspace_id: workspaceId, training_run_id: id, export_run_id: exportRunId })))
      .execute();
  });
  return (await getTrainingRun(db, workspaceId, id))!;
}

export async function getTrainingRun(db: Kysely<DB>, workspaceId: string, id: string): Promise<TrainingRun | undefined> {
  const t = withTables(db);
  const row = await t.selectFrom('training_runs').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  return toRun(row, (await exportsOf(t, workspaceId, [id])).get(id)!);
}

/** A cursor that is not one of ours. */
export class TrainingRunCursorError extends Error {
  override name = 'TrainingRunCursorError';
}

/** Newest recorded first; `model` and `exportRunId` narrow it; pages by (created_at, id). */
export async function listTrainingRuns(
  db: Kysely<DB>,
  workspaceId: string,
  q: { model?: string; exportRunId?: string; limit: number; cursor?: string },
): Promise<TrainingRunsPage> {
  const t = withTables(db);
  let query = t.selectFrom('training_runs as r').selectAll('r').where('r.workspace_id', '=', workspaceId);
  if (q.model !== undefined) query = query.where('r.model_name', '=', q.model);
  if (q.exportRunId !== undefined) {
    const exportRunId = q.exportRunId;
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('training_run_exports as x')
          .select(sql.lit(1).as('one'))
          .whereRef('x.workspace_id', '=', 'r.workspace_id')
          .whereRef('x.training_run_id', '=', 'r.id')
          .where('x.export_run_id', '=', exportRunId),
      ),
    );
  }
  if (q.cursor !== undefined) {
    const after = decodeCursor(q.cursor);
    if (!after) throw new TrainingRunCursorError('cursor is not one this list handed out');
    const [createdAt, id] = after;
    query = query.where((eb) => eb.or([eb('r.created_at', '<', createdAt), eb.and([eb('r.created_at', '=', createdAt), eb('r.id', '<', id)])]));
  }
  const rows = await query.orderBy('r.created_at', 'desc').orderBy('r.id', 'desc').limit(q.limit + 1).execute();
  const page = rows.slice(0, q.limit);
  const exports = await exportsOf(t, workspaceId, page.map((r) => r.id));
  const last = page.at(-1);
  return {
    items: page.map((r) => toRun(r, exports.get(r.id)!)),
    nextCursor: rows.length > q.limit && last ? encodeCursor(last) : null,
  };
}

/** Sets what became known when the run ended; undefined when there is no such run in the workspace. */
export async function patchTrainingRun(
  db: Kysely<DB>,
  workspaceId: string,
  id: string,
  patch: TrainingRunPatch,
  now: Date,
): Promise<TrainingRun | undefined> {
  const t = withTables(db);
  const row = await t.selectFrom('training_runs').select('started_at').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const finishedAt = iso(patch.finishedAt);
  if (!timesInOrder(row.started_at, finishedAt)) throw new TrainingRunTimesError();
  await t
    .updateTable('training_runs')
    .set({
      ...(patch.finishedAt !== undefined ? { finished_at: finishedAt } : {}),
      ...(patch.metrics !== undefined ? { metrics: json(patch.metrics) } : {}),
      ...(patch.modelPath !== undefined ? { model_path: patch.modelPath } : {}),
      updated_at: now.toISOString(),
    })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .execute();
  return getTrainingRun(db, workspaceId, id);
}

/** The filters an export took, less its time window: what a re-export with the same filters would take of new feedback. */
function filtersBesideWindow(filters: Record<string, unknown>): Partial<Record<FilterParam, unknown>> {
  const out: Partial<Record<FilterParam, unknown>> = {};
  for (const [param, value] of Object.entries(filters)) {
    const def = FILTER_DEFS.get(param as FilterParam);
    if (!def || param === 'since' || param === 'until') continue;
    out[param as FilterParam] = value;
  }
  return out;
}

/** Live feedback received after `since`: all of it, and what any of these filter sets takes. */
async function newFeedback(db: Kysely<DB>, workspaceId: string, since: string, filterSets: Record<string, unknown>[]) {
  const base = db.selectFrom('feedback as f').where('f.workspace_id', '=', workspaceId).where('f.deleted', '=', 0).where('f.received_at', '>', since);
  const count = async (q: typeof base) => Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst())?.n ?? 0);
  const received = await count(base);
  const matching = await count(
    base.where((eb) =>
      eb.or(
        filterSets.map((filters) =>
          eb.exists(
            applyFeedbackFilters(
              eb
                .selectFrom('feedback as g')
                .select(sql.lit(1).as('one'))
                .whereRef('g.workspace_id', '=', 'f.workspace_id')
                .whereRef('g.id', '=', 'f.id'),
              filtersBesideWindow(filters),
              { alias: 'g' },
            ),
          ),
        ),
      ),
    ),
  );
  return { since, received, matching };
}

/** `a` is later than `b`: by the run's own start (else when it was recorded), then by when it was recorded. */
function later(a: TrainingRunsTable, b: TrainingRunsTable): boolean {
  const ka = [a.started_at ?? a.created_at, a.created_at, a.id];
  const kb = [b.started_at ?? b.created_at, b.created_at, b.id];
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! > kb[i]!;
  return false;
}

/**
 * Per model (or the one asked for): runs, the latest, what its exports held, and the feedback
 * received since the latest run's data was cut. Training runs are few (one per fine-tune), so
 * they are read whole; the feedback is counted in SQL.
 */
export async function trainingStats(db: Kysely<DB>, workspaceId: string, q: { model?: string }, now: Date): Promise<TrainingStats> {
  const t = withTables(db);
  let query = t.selectFrom('training_runs').selectAll().where('workspace_id', '=', workspaceId);
  if (q.model !== undefined) query = query.where('model_name', '=', q.model);
  const runs = await query.execute();
  const exports = await exportsOf(t, workspaceId, runs.map((r) => r.id));
  const byModel = new Map<string, TrainingRunsTable[]>();
  for (const r of runs) byModel.set(r.model_name, [...(byModel.get(r.model_name) ?? []), r]);
  const models: ModelTrainingStats[] = [];
  for (const [modelName, ofModel] of [...byModel].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const latest = ofModel.reduce((a, b) => (later(b, a) ? b : a));
    const distinct = new Map(ofModel.flatMap((r) => exports.get(r.id)!).map((e) => [e.id, e]));
    const latestExports = exports.get(latest.id)!;
    const since = latestExports.reduce((m, e) => (e.startedAt > m ? e.startedAt : m), latestExports[0]?.startedAt ?? latest.created_at);
    models.push({
      modelName,
      runs: ofModel.length,
      latestRun: {
        id: latest.id,
        baseModel: latest.base_model,
        startedAt: latest.started_at,
        finishedAt: latest.finished_at,
        createdAt: latest.created_at,
        trainingDataSize: latest.training_data_size === null ? null : Number(latest.training_data_size),
        metrics: parseObject(latest.metrics),
        modelPath: latest.model_path,
      },
      exportRuns: distinct.size,
      exportedRecords: [...distinct.values()].reduce((n, e) => n + (e.records ?? 0), 0),
      exportedExamples: [...distinct.values()].reduce((n, e) => n + (e.trainExamples ?? 0), 0),
      newFeedback: await newFeedback(db, workspaceId, since, latestExports.map((e) => e.filters)),
    });
  }
  return { models, serverTime: now.toISOString() };
}
