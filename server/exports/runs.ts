/** Export runs: which data went into which file, so a model can be traced to what trained it. */
import type { Kysely } from 'kysely';
import { uuidv7 } from '../../shared/ids.ts';
import type { DB } from '../store/schema.ts';
import { enqueueExportCompleted } from '../webhooks/outbox.ts';
import { withInsightsTables, type ExportRunStatus, type ExportRunsTable } from '../insights/tables.ts';
import type { ResolvedFilters } from './filters.ts';

export interface ExportFile {
  split: 'train' | 'validation' | 'all';
  /** File name (CLI) or the download name (HTTP). */
  name: string;
  rows: number;
  bytes: number;
  sha256: string;
}

export interface ExportRun {
  id: string;
  workspaceId: string;
  format: string;
  filters: ResolvedFilters;
  split: number | null;
  via: 'cli' | 'http';
  actor: string | null;
  status: ExportRunStatus;
  counts: Record<string, unknown> | null;
  files: ExportFile[] | null;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

function toRun(r: ExportRunsTable): ExportRun {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    format: r.format,
    filters: JSON.parse(r.filters) as ResolvedFilters,
    split: r.split,
    via: r.via as 'cli' | 'http',
    actor: r.actor,
    status: r.status,
    counts: r.counts ? (JSON.parse(r.counts) as Record<string, unknown>) : null,
    files: r.files ? (JSON.parse(r.files) as ExportFile[]) : null,
    error: r.error,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

export async function startExportRun(
  db: Kysely<DB>,
  run: { workspaceId: string; format: string; filters: ResolvedFilters; split: number | null; via: 'cli' | 'http'; actor: string | null },
  now: Date = new Date(),
): Promise<string> {
  const id = uuidv7(now.getTime());
  await withInsightsTables(db)
    .insertInto('export_runs')
    .values({
      id,
      workspace_id: run.workspaceId,
      format: run.format,
      filters: JSON.stringify(run.filters),
      split: run.split,
      via: run.via,
      actor: run.actor,
      status: 'running',
      counts: null,
      files: null,
      error: null,
      started_at: now.toISOString(),
      finished_at: null,
    })
    .execute();
  return id;
}

/** Marks a run finished; a completed run also queues its `export.completed` webhooks in the same transaction. */
export async function finishExportRun(
  db: Kysely<DB>,
  id: string,
  result: { status: Exclude<ExportRunStatus, 'running'>; counts?: unknown; files?: ExportFile[]; error?: string },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const runs = withInsightsTables(trx as unknown as Kysely<DB>);
    await runs
      .updateTable('export_runs')
      .set({
        status: result.status,
        counts: result.counts === undefined ? null : JSON.stringify(result.counts),
        files: result.files ? JSON.stringify(result.files) : null,
        error: result.error ?? null,
        finished_at: new Date().toISOString(),
      })
      .where('id', '=', id)
      .execute();
    if (result.status !== 'complete') return;
    const run = await runs.selectFrom('export_runs').select(['workspace_id', 'format']).where('id', '=', id).executeTakeFirst();
    if (!run) return;
    await enqueueExportCompleted(trx, run.workspace_id, {
      exportRunId: id,
      format: run.format,
      counts: result.counts ?? null,
      files: result.files ?? [],
    });
  });
}

export async function listExportRuns(db: Kysely<DB>, workspaceId: string, limit = 50): Promise<ExportRun[]> {
  const rows = await withInsightsTables(db)
    .selectFrom('export_runs')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toRun);
}

export async function getExportRun(db: Kysely<DB>, workspaceId: string, id: string): Promise<ExportRun | undefined> {
  const row = await withInsightsTables(db)
    .selectFrom('export_runs')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? toRun(row) : undefined;
}
