/**
 * A streamed export download as an HTTP response: starts an export run, audits it, and streams the
 * body with backpressure, recording each file's sha256 and counts when it is complete. One piece
 * of code for both doors: GET /v1/exports/{format} (routes/exports.ts) and the dashboard's
 * download button (dashboard/exports.tsx), which calls it directly with the session's identity.
 */
import type { Context } from 'hono';
import { stream } from 'hono/streaming';
import { audit } from '../audit/http.ts';
import type { AppEnv } from '../lib/types.ts';
import { finishExportRun, startExportRun } from './runs.ts';
import { emptyCounts, exportLines, LineSink, openExportReader, type PreparedExport } from './stream.ts';
import { logger } from '../metrics/log.ts';

export const RUN_HEADER = 'X-Groundtruth-Export-Run';

/** The API's context or one that extends it (the dashboard's). */
type DownloadEnv = { Variables: Pick<AppEnv['Variables'], 'auth' | 'store' | 'client'> };

export async function streamExportDownload<E extends DownloadEnv>(
  ctx: Context<E>,
  { format, prepared, side: chosen }: { format: string; prepared: PreparedExport; side?: 'train' | 'validation' },
): Promise<Response> {
  const c = ctx as unknown as Context<AppEnv>;
  const auth = c.get('auth');
  const store = c.get('store');
  const side = chosen ?? 'all';
  const runId = await startExportRun(store.db, {
    workspaceId: auth.workspaceId,
    format,
    filters: prepared.filters,
    split: prepared.split,
    via: 'http',
    actor: auth.id,
  });
  await audit(c, 'export.created', { type: 'export_run', id: runId }, { format, filters: prepared.filters, split: prepared.split ?? null, side });
  const fileName = `groundtruth-${format}-${new Date().toISOString().slice(0, 10)}${chosen ? `.${chosen}` : ''}.${prepared.format.extension}`;
  c.header('Content-Type', prepared.format.contentType);
  c.header('Content-Disposition', `attachment; filename="${fileName}"`);
  c.header('Cache-Control', 'no-store');
  c.header(RUN_HEADER, runId);
  return stream(c, async (out) => {
    const counts = emptyCounts();
    const sink = new LineSink((chunk) => out.write(chunk).then(() => undefined));
    const reader = openExportReader(store);
    let status: 'complete' | 'aborted' | 'failed' = 'complete';
    let error: string | undefined;
    try {
      if (prepared.format.mode === 'records' && prepared.format.header) sink.push(prepared.format.header, false);
      for await (const line of exportLines(reader.db, auth.workspaceId, prepared, counts)) {
        if (out.aborted) {
          status = 'aborted';
          break;
        }
        if (line.side !== side) continue;
        const pending = sink.push(line.text);
        if (pending) await pending;
      }
      await sink.flush();
    } catch (err) {
      status = 'failed';
      error = err instanceof Error ? err.message : String(err);
      logger().error({ err }, 'export failed');
      out.abort();
    } finally {
      await reader.close();
      await finishExportRun(store.db, runId, {
        status,
        counts,
        files: [{ split: side, name: fileName, rows: sink.rows, bytes: sink.bytes, sha256: sink.digest() }],
        ...(error ? { error } : {}),
      });
    }
  });
}
