/**
 * 002's fine-tuning export (POST /v1/feedback/export/finetuning) as a thin call to the exporter's
 * `weighted` format (server/exports): `{messages, weight, metadata}` per training example, 2.0 for
 * a good answer or a correction and 0.5 for a bad one, identical examples merged by majority. So
 * the drop-in and `groundtruth export --format weighted --since S --until U` write the same lines.
 *
 * With `output_path` the lines go to DATA_DIR/exports/<output_path> with a manifest and an export
 * run, as the CLI writes them, and the answer is 002's summary; without it they are the answer.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import path from 'node:path';
import type { FinetuningExportRequest, FinetuningExportSummary } from '../../shared/dropin-feedback.ts';
import { parseEnv } from '../env.ts';
import { exportToFiles } from '../exports/files.ts';
import { DEFAULT_WEIGHTS } from '../exports/formats/weighted.ts';
import { OutputPathError } from '../exports/out-paths.ts';
import { exportLines, openExportReader, prepareExport, type ExportOptions } from '../exports/stream.ts';
import type { Store } from '../store/open.ts';

export const DEFAULT_WINDOW_DAYS = 7;
const DAY_MS = 86_400_000;

/** The folder drop-in exports are written under: DATA_DIR/exports (env DATA_DIR, default ./data). */
export function exportsDir(dataDir: string = parseEnv().DATA_DIR): string {
  return path.join(path.resolve(dataDir), 'exports');
}

/**
 * [since, until) from the request: a bare end date includes that whole day (UTC); without a
 * start date the window is the `days` (default 7) before the end.
 */
export function exportWindow(req: Pick<FinetuningExportRequest, 'start_date' | 'end_date' | 'days'>, now: Date): { since: Date; until: Date } {
  const bare = (d: string) => /^\d{4}-\d{2}-\d{2}$/.test(d);
  const end = req.end_date;
  const until = end ? new Date(bare(end) ? Date.parse(`${end}T00:00:00Z`) + DAY_MS : Date.parse(end)) : now;
  const start = req.start_date;
  const since = start ? new Date(bare(start) ? `${start}T00:00:00Z` : start) : new Date(until.getTime() - (req.days ?? DEFAULT_WINDOW_DAYS) * DAY_MS);
  return { since, until };
}

/** The exporter's options for the window: what `groundtruth export --format weighted --since --until` runs. */
export function weightedExport(since: Date, until: Date): ExportOptions {
  return { format: 'weighted', filters: { since: since.toISOString(), until: until.toISOString() } };
}

/** The lines, streamed (no output_path). */
export async function* finetuningLines(store: Store, workspaceId: string, since: Date, until: Date): AsyncGenerator<string> {
  const prepared = prepareExport(weightedExport(since, until));
  const reader = openExportReader(store);
  try {
    for await (const line of exportLines(reader.db, workspaceId, prepared)) yield line.text;
  } finally {
    await reader.close();
  }
}

/** A path the request may not write to: 422 on `output_path`. */
export class ExportPathError extends Error {}

/**
 * The absolute file for `outputPath` under `dir`, checked again here (the schema refuses absolute
 * paths and `..`): it must stay under `dir` also when a folder on the way is a symbolic link.
 */
function fileUnder(dir: string, outputPath: string): string {
  const file = path.resolve(dir, outputPath);
  if (!file.startsWith(dir + path.sep)) throw new ExportPathError('must stay under DATA_DIR/exports/');
  const realDir = fs.realpathSync(dir);
  const inside = (p: string) => p === realDir || p.startsWith(realDir + path.sep);
  // Before any folder is made: the deepest one that exists must not lead elsewhere.
  let existing = path.dirname(file);
  while (!fs.existsSync(existing)) existing = path.dirname(existing);
  if (!inside(fs.realpathSync(existing))) throw new ExportPathError('must stay under DATA_DIR/exports/ (a folder on the way links elsewhere)');
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
  } catch (err) {
    throw new ExportPathError(`names a folder that cannot be made (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return file;
}

/** Lines by weight, read back from the written file. */
async function countByWeight(file: string): Promise<{ total: number; positive: number; negative: number }> {
  const counts = { total: 0, positive: 0, negative: 0 };
  const lines = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line) continue;
    const { weight } = JSON.parse(line) as { weight: number };
    counts.total++;
    if (weight === DEFAULT_WEIGHTS.up) counts.positive++;
    else if (weight === DEFAULT_WEIGHTS.down) counts.negative++;
  }
  return counts;
}

/**
 * Writes the window's lines to DATA_DIR/exports/<outputPath> (replacing an older file of that
 * name, as 002's weekly job expects) with its manifest and export run; answers 002's summary.
 */
export async function writeFinetuningFile(
  store: Store,
  workspaceId: string,
  window: { since: Date; until: Date },
  outputPath: string,
  options: { actor: string; dataDir?: string },
): Promise<FinetuningExportSummary> {
  const dir = exportsDir(options.dataDir);
  fs.mkdirSync(dir, { recursive: true });
  const file = fileUnder(dir, outputPath);
  let written: string;
  try {
    const { paths } = await exportToFiles(store, workspaceId, weightedExport(window.since, window.until), file, { via: 'http', actor: options.actor, force: true });
    written = paths.files[0]!;
  } catch (err) {
    if (err instanceof OutputPathError) throw new ExportPathError('must name a regular file under DATA_DIR/exports/, not a folder or a device');
    throw err;
  }
  const counts = await countByWeight(written);
  return {
    status: 'success',
    output_path: path.relative(dir, written).split(path.sep).join('/'),
    total_samples: counts.total,
    positive_samples: counts.positive,
    negative_samples: counts.negative,
    start_date: window.since.toISOString(),
    end_date: window.until.toISOString(),
  };
}
