/** @jsxImportSource hono/jsx */
/**
 * Exports: pick a format and filters, see how many records match before downloading, download,
 * and the list of past export runs with their manifests. The download is the API's own streamed
 * export (exports/download.ts: backpressure, export run, sha256), called directly with the
 * session's token identity and the API's query (routes/exports.ts ExportQuery, prepareDownload).
 */
import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { z } from 'zod';
import { FILTER_SHAPE, filterQuery, pickFilters, refuseConflicts, type WindowValues } from '../../shared/filters.ts';
import { FORMATS, FORMAT_NAMES, type FormatName } from '../exports/formats/index.ts';
import { getExportRun, listExportRuns, type ExportRun } from '../exports/runs.ts';
import type { ExportFilterInput } from '../exports/filters.ts';
import { countExportRows, prepareExport } from '../exports/stream.ts';
import { streamExportDownload } from '../exports/download.ts';
import { ApiError } from '../lib/errors.ts';
import { rejectUnknownQuery } from '../lib/unknown-query.ts';
import { ExportQuery, prepareDownload } from '../routes/exports.ts';
import { listTokens } from '../store/tokens.ts';
import type { DashEnv } from './env.ts';
import { num, qs, when } from './format.ts';
import { BASE, Empty, Notice } from './layout.tsx';
import { render } from './render.tsx';
import { FilterInputs } from './filter-inputs.tsx';
import { parsePageQuery } from './page-query.ts';

const blank = (v: unknown) => (v === '' ? undefined : v);
const WINDOWS = ['7', '30', '90', 'all', 'range'] as const;

/** The window select as the filters' window options: the last N days, everything, or since/until. */
function windowOf(window: (typeof WINDOWS)[number]): WindowValues {
  return window === 'all' ? { all: true } : window === 'range' ? {} : { days: Number(window) };
}

/**
 * The form's query string: the filters of every list (shared/filters.ts), the window, and the
 * export's own options. Checked by page-query.ts: an unknown parameter is a 400 page, a malformed
 * value or a conflict (a date with a window of N days) a 422 page.
 */
export const ExportForm = z
  .object({
    ...FILTER_SHAPE,
    format: z.preprocess(blank, z.enum(FORMAT_NAMES).default('openai-sft')),
    window: z.preprocess(blank, z.enum(WINDOWS).default('7')),
    split: z.preprocess(blank, z.coerce.number().gt(0).lt(1).optional()),
    side: z.preprocess(blank, z.enum(['train', 'validation']).optional()),
    count: z.preprocess(blank, z.string().max(10).optional()),
  })
  .superRefine((f, ctx) => refuseConflicts({ ...pickFilters(f), ...windowOf(f.window) }, ctx));
export type ExportForm = z.infer<typeof ExportForm>;

/** The API's query string for the same export (GET /v1/exports/{format}). */
export function apiQuery(f: ExportForm): Record<string, string | number | undefined> {
  const window = windowOf(f.window);
  return {
    ...(window.all ? { all: 'true' } : {}),
    days: window.days,
    ...filterQuery(pickFilters(f)),
    ...(f.split !== undefined ? { split: f.split, side: f.side ?? 'train' } : {}),
  };
}

/** The same filters for the function API (counting before the download). */
export function exportFilters(f: ExportForm): ExportFilterInput {
  return { ...pickFilters(f), ...windowOf(f.window) };
}

const RunFiles: FC<{ run: ExportRun }> = ({ run }) => (
  <>
    {(run.files ?? []).map((f) => (
      <div>
        <code>{f.name}</code> <span class="muted">{`${num(f.rows)} rows, ${num(f.bytes)} bytes, sha256 ${f.sha256.slice(0, 12)}…`}</span>
      </div>
    ))}
  </>
);

function filtersText(run: ExportRun): string {
  return Object.entries(run.filters)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ') || 'none (all time)';
}

export const exportsPages = new Hono<DashEnv>()
  .get('/exports', async function exportsPage(c) {
    const auth = c.get('auth');
    const db = c.get('store').db;
    const f = parsePageQuery(c, ExportForm);
    const query = apiQuery(f);
    let matching: number | undefined;
    let problem: string | undefined;
    if (f.count !== undefined) {
      try {
        const prepared = prepareExport({ format: f.format, split: f.split, filters: exportFilters(f) });
        matching = await countExportRows(db, auth.workspaceId, prepared);
      } catch (err) {
        problem = err instanceof Error ? err.message : String(err);
      }
    }
    const [runs, tokens] = await Promise.all([listExportRuns(db, auth.workspaceId, 30), listTokens(db, auth.workspaceId)]);
    const tokenNames = new Map(tokens.map((t) => [t.id, t.name]));
    const sel = (a: unknown, b: unknown) => (a === b ? true : undefined);
    const downloadHref = `${BASE}/exports/download/${f.format}${qs(query)}`;

    return render(
      c,
      { title: 'Exports', page: 'exports' },
      <>
        <section class="panel">
          <h2>New export</h2>
          <form class="filters" method="get" action={`${BASE}/exports`}>
            <label>
              Format
              <select name="format" data-gt="export-format">
                {FORMAT_NAMES.map((name) => (
                  <option value={name} selected={sel(f.format, name)}>
                    {`${name} — ${FORMATS[name].description}`}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Window
              <select name="window">
                <option value="7" selected={sel(f.window, '7')}>last 7 days</option>
                <option value="30" selected={sel(f.window, '30')}>last 30 days</option>
                <option value="90" selected={sel(f.window, '90')}>last 90 days</option>
                <option value="all" selected={sel(f.window, 'all')}>everything</option>
                <option value="range" selected={sel(f.window, 'range')}>since–until below</option>
              </select>
            </label>
            <FilterInputs values={pickFilters(f)} />
            <label>
              Validation share <input type="text" name="split" value={f.split === undefined ? '' : String(f.split)} size={5} placeholder="e.g. 0.1" />
            </label>
            <label>
              Side
              <select name="side">
                <option value="train" selected={sel(f.side, 'train')}>train</option>
                <option value="validation" selected={sel(f.side, 'validation')}>validation</option>
              </select>
            </label>
            <button type="submit" name="count" value="1" data-gt="export-count">
              Count matching records
            </button>
          </form>
          {problem && <Notice kind="error">{problem}</Notice>}
          {matching !== undefined && (
            <Notice kind="ok">
              <span data-gt="export-matching">{`${num(matching)} records match.`}</span>{' '}
              {matching > 0 && (
                <a class="button" href={downloadHref} data-gt="export-download">
                  {`Download ${f.format}${f.split !== undefined ? ` (${f.side ?? 'train'} side)` : ''}`}
                </a>
              )}
            </Notice>
          )}
          <p class="muted">
            Training formats merge identical prompt and answer pairs and may leave out records they cannot use (for example thumbs-down answers in
            openai-sft), so a file can have fewer lines than matching records. Every download is recorded below with its sha256.
          </p>
        </section>

        <section class="panel">
          <h2>Past export runs</h2>
          {runs.length === 0 ? (
            <Empty>No exports yet.</Empty>
          ) : (
            <table class="data" data-gt="export-runs">
              <thead>
                <tr>
                  <th>Started</th>
                  <th>Format</th>
                  <th>By</th>
                  <th>Status</th>
                  <th>Filters</th>
                  <th>Files</th>
                  <th>
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {runs.map((run) => (
                  <tr>
                    <td>{when(run.startedAt)}</td>
                    <td>{run.format}</td>
                    <td>
                      {run.via} {run.actor ? `· ${tokenNames.get(run.actor) ?? run.actor}` : ''}
                    </td>
                    <td>{run.status}</td>
                    <td>
                      <small>{filtersText(run)}</small>
                    </td>
                    <td>
                      <RunFiles run={run} />
                    </td>
                    <td>
                      <a href={`${BASE}/exports/runs/${encodeURIComponent(run.id)}`}>manifest</a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </>,
    );
  })
  .get('/exports/runs/:id', async function exportRunPage(c) {
    parsePageQuery(c, z.object({}));
    const run = await getExportRun(c.get('store').db, c.get('auth').workspaceId, c.req.param('id'));
    if (!run) throw new ApiError(404, 'not_found', 'There is no such export run in this workspace.');
    return render(
      c,
      { title: `Export run ${run.format}`, page: 'exports' },
      <>
        <p>
          <a href={`${BASE}/exports`}>← Exports</a> ·{' '}
          <a href={`${BASE}/training?exportRunId=${encodeURIComponent(run.id)}`} data-gt="export-run-models">
            Models trained on it
          </a>
        </p>
        <section class="panel">
          <RunFiles run={run} />
          <h2>Manifest</h2>
          <pre class="text" data-gt="manifest">{JSON.stringify(run, null, 2)}</pre>
        </section>
      </>,
    );
  })
  // The API's query (apiQuery above), checked as the API checks it; the audit log names the
  // dashboard and the client's address (the context's `client`).
  .get('/exports/download/:format', rejectUnknownQuery(Object.keys(ExportQuery.shape)), async function exportDownload(c) {
    const format = c.req.param('format');
    if (!(FORMAT_NAMES as readonly string[]).includes(format)) throw new ApiError(404, 'not_found', 'There is no such export format.');
    const q = ExportQuery.parse(c.req.query());
    return streamExportDownload(c, { format, prepared: prepareDownload(format as FormatName, q), side: q.side });
  });
