/**
 * An export into files with its manifest, recorded as an export run (what `groundtruth export`
 * does). Files are written under a temporary name and renamed when complete, so a crashed export
 * never leaves a half file under the final name.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Store } from '../store/open.ts';
import { buildManifest, outputPaths, type Manifest } from './manifest.ts';
import { checkOutputPaths, openFresh } from './out-paths.ts';
import { finishExportRun, startExportRun, type ExportFile } from './runs.ts';
import { countExportRows, prepareExport, streamExport, type ExportOptions } from './stream.ts';

/**
 * How much a file's stream buffers before the export waits for 'drain': a few of LineSink's 64 KB
 * chunks, so reading goes on while the last chunks are written (with Node's 16 KB default every
 * chunk waited for its own write). Memory stays flat: this is the most that is ever held.
 */
const WRITE_BUFFER_BYTES = 1024 * 1024;

export interface ExportToFilesHooks {
  /** Called once with the number of records to read, then as they are read. */
  onTotal?: (total: number) => void;
  onRead?: (read: number) => void;
  via?: 'cli' | 'http';
  actor?: string | null;
  /** Replace existing files (else an existing data file or manifest is an OutputPathError). */
  force?: boolean;
}

export async function exportToFiles(
  store: Store,
  workspaceId: string,
  options: ExportOptions,
  out: string,
  hooks: ExportToFilesHooks = {},
): Promise<{ manifest: Manifest; paths: { files: string[]; manifest: string } }> {
  const prepared = prepareExport(options);
  const paths = outputPaths(out, prepared.format.extension, prepared.split !== null);
  // Before anything is read or recorded: only regular files, and existing ones only with force.
  checkOutputPaths(out, [...Object.values(paths.files), paths.manifest], hooks.force ?? false);
  if (hooks.onTotal) hooks.onTotal(await countExportRows(store.db, workspaceId, prepared));
  const startedAt = new Date();
  const runId = await startExportRun(
    store.db,
    { workspaceId, format: prepared.format.name, filters: prepared.filters, split: prepared.split, via: hooks.via ?? 'cli', actor: hooks.actor ?? null },
    startedAt,
  );
  const partial = Object.fromEntries(Object.entries(paths.files).map(([side, p]) => [side, `${p}.partial`])) as Record<string, string>;
  const manifestPartial = `${paths.manifest}.partial`;
  try {
    for (const p of Object.values(partial)) fs.mkdirSync(path.dirname(p), { recursive: true });
    // Opened synchronously so a bad path fails here, with its own message, before any row is read;
    // as new files, so a stale link under the temporary name is not written through.
    const streams = Object.fromEntries(Object.entries(partial).map(([side, p]) => [side, fs.createWriteStream(p, { fd: openFresh(p), highWaterMark: WRITE_BUFFER_BYTES })]));
    const result = await streamExport(
      store,
      workspaceId,
      prepared,
      prepared.split === null ? streams.all! : { train: streams.train!, validation: streams.validation! },
      { onRead: hooks.onRead },
    );
    for (const [side, p] of Object.entries(partial)) fs.renameSync(p, paths.files[side as keyof typeof paths.files]!);
    const files: ExportFile[] = result.files.map((f) => ({ ...f, name: path.basename(paths.files[f.split]!) }));
    const manifest = buildManifest({
      runId,
      workspaceId,
      format: prepared.format.name,
      filters: prepared.filters,
      split: prepared.split,
      counts: result.counts,
      files,
      ...(result.counts.gold ? { gold: result.counts.gold } : {}),
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
    });
    const fd = openFresh(manifestPartial);
    try {
      fs.writeFileSync(fd, `${JSON.stringify(manifest, null, 2)}\n`);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(manifestPartial, paths.manifest);
    await finishExportRun(store.db, runId, { status: 'complete', counts: result.counts, files });
    return { manifest, paths: { files: Object.values(paths.files), manifest: paths.manifest } };
  } catch (err) {
    for (const p of [...Object.values(partial), manifestPartial]) {
      try {
        fs.rmSync(p, { force: true });
      } catch {
        // Not ours to remove (a directory under the temporary name): the error below says why.
      }
    }
    await finishExportRun(store.db, runId, { status: 'failed', error: err instanceof Error ? err.message : String(err) });
    throw err;
  }
}
