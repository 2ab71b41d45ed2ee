/** @jsxImportSource hono/jsx */
/**
 * Exports: pick a format and filters, see how many records match before downloading, download,
 * and the list of past export runs with their manifests. The download itself is the API's own
 * streamed export (routes/exports.ts: backpressure, export run, sha256), reached through a
 * small in-process bridge that hands it the session's token identity instead of a bearer header.
 */
import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { z } from 'zod';
import { TargetKind, Thumb } from '../../shared/schemas.ts';
import { FORMATS, FORMAT_NAMES, type FormatName } from '../exports/formats/index.ts';
import { getExportRun, listExportRuns, type ExportRun } from '../exports/runs.ts';
import type { ExportFilterInput } from '../exports/filters.ts';
import { countExportRows, prepareExport } from '../exports/stream.ts';
import { ApiError, handleError } from '../lib/errors.ts';
import type { AppEnv } from '../lib/types.ts';
import { exportRoutes } from '../routes/exports.ts';
import type { Store } from '../store/open.ts';
import type { TokenInfo } from '../store/tokens.ts';
import { listTokens } from '../store/tokens.ts';
import type { DashEnv } from './env.ts';
import { num, qs, when } from './format.ts';
import { BASE, Empty, Notice } from './layout.tsx';
import { render } from './render.tsx';

const blank = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional()).catch(undefined);

/** The form's query string; anything malformed is dropped. */
export const ExportForm = z.object({
  format: z.enum(FORMAT_NAMES).catch('openai-sft'),
  window: z.enum(['7', '30', '90', 'all', 'range']).catch('7'),
  since: blank(z.iso.date()),
  until: blank(z.iso.date()),
  model: blank(z.string().max(256)),
  intent: blank(z.string().max(256)),
  project: blank(z.string().max(256)),
  site: blank(z.string().max(256)),
  kind: blank(TargetKind),
  minStars: blank(z.coerce.number().int().min(1).max(5)),
  thumb: blank(Thumb),
  split: blank(z.coerce.number().gt(0).lt(1)),
  side: blank(z.enum(['train', 'validation'])),
  count: blank(z.string()),
});
export type ExportForm = z.infer<typeof ExportForm>;

/** The API's query string for the same export (GET /v1/exports/{format}). */
export function apiQuery(f: ExportForm): Record<string, string | number | undefined> {
  const window =
    f.window === 'all' ? { all: 'true' } : f.window === 'range' ? { since: f.since, until: f.until, ...(f.since ? {} : { all: 'true' }) } : { days: f.window };
  return {
    ...window,
    model: f.model,
    intent: f.intent,
    project: f.project,
    site: f.site,
    kind: f.kind,
    minStars: f.minStars,
    thumb: f.thumb,
    ...(f.split !== undefined ? { split: f.split, side: f.side ?? 'train' } : {}),
  };
}

/** The same filters for the function API (counting before the download). */
export function exportFilters(f: ExportForm): ExportFilterInput {
  const window: ExportFilterInput =
    f.window === 'all' ? { all: true } : f.window === 'range' ? (f.since ? { since: f.since, until: f.until } : { all: true, until: f.until }) : { days: Number(f.window) };
  return { ...window, model: f.model, intent: f.intent, project: f.project, site: f.site, kind: f.kind, minStars: f.minStars, thumb: f.thumb };
}

/** The API's export routes, given the dashboard user's identity through `env` instead of a bearer token. */
const bridge = new Hono<AppEnv & { Bindings: { auth: TokenInfo; store: Store; client: AppEnv['Variables']['client'] } }>()
  .use('*', async function dashboardIdentity(c, next) {
    c.set('auth', c.env.auth);
    c.set('store', c.env.store);
    c.set('client', c.env.client); // the audit log names the dashboard and the client's address
    await next();
  })
  .route('/', exportRoutes)
  .onError(handleError);

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
    const f = ExportForm.parse(c.req.query());
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
    const text = (name: keyof ExportForm, label: string) => (
      <label>
        {label} <input type="text" name={name} value={(f[name] as string | undefined) ?? ''} size={12} />
      </label>
    );
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
                <option value="range" selected={sel(f.window, 'range')}>from–to below</option>
              </select>
            </label>
            <label>
              From <input type="date" name="since" value={f.since ?? ''} />
            </label>
            <label>
              To (exclusive) <input type="date" name="until" value={f.until ?? ''} />
            </label>
            {text('model', 'Model')}
            {text('intent', 'Intent')}
            {text('project', 'Project')}
            {text('site', 'Site')}
            <label>
              Kind
              <select name="kind">
                <option value="">any</option>
                {TargetKind.options.map((k) => (
                  <option value={k} selected={sel(f.kind, k)}>
                    {k}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Thumb
              <select name="thumb">
                <option value="">any</option>
                <option value="up" selected={sel(f.thumb, 'up')}>up</option>
                <option value="down" selected={sel(f.thumb, 'down')}>down</option>
              </select>
            </label>
            <label>
              Stars ≥
              <select name="minStars">
                <option value="">any</option>
                {[1, 2, 3, 4, 5].map((s) => (
                  <option value={String(s)} selected={sel(f.minStars, s)}>
                    {s}
                  </option>
                ))}
              </select>
            </label>
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
                  <th></th>
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
    const run = await getExportRun(c.get('store').db, c.get('auth').workspaceId, c.req.param('id'));
    if (!run) throw new ApiError(404, 'not_found', 'There is no such export run in this workspace.');
    return render(
      c,
      { title: `Export run ${run.format}`, page: 'exports' },
      <>
        <p>
          <a href={`${BASE}/exports`}>← Exports</a>
        </p>
        <section class="panel">
          <RunFiles run={run} />
          <h2>Manifest</h2>
          <pre class="text" data-gt="manifest">{JSON.stringify(run, null, 2)}</pre>
        </section>
      </>,
    );
  })
  .get('/exports/download/:format', async function exportDownload(c) {
    const format = c.req.param('format');
    if (!(FORMAT_NAMES as readonly string[]).includes(format)) throw new ApiError(404, 'not_found', 'There is no such export format.');
    const url = new URL(c.req.url);
    const res = await bridge.fetch(new Request(new URL(`/v1/exports/${format as FormatName}${url.search}`, url.origin)), {
      auth: c.get('auth'),
      store: c.get('store'),
      client: c.get('client'),
    });
    if (!res.ok) {
      const body = (await res.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
      throw new ApiError(res.status === 422 ? 422 : 400, 'export_failed', body?.error?.message ?? 'The export could not start.');
    }
    return res;
  });
