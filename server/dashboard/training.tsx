/** @jsxImportSource hono/jsx */
/**
 * Training runs: what trained what (ADR 0038). Per model, its runs and the feedback received since
 * its latest run's data was cut; below, every run with the export runs it trained on (each linked
 * to its manifest). Narrowed by model or by export run, with the API's query (shared/training-runs.ts
 * TrainingRunsQuery), so a bookmark and GET /v1/training-runs agree. Recording happens through the
 * API or `groundtruth training record`. Text is escaped by hono/jsx.
 */
import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { TrainingRunsQuery, type TrainingRun } from '../../shared/training-runs.ts';
import { clockNow } from '../lib/clock.ts';
import { ApiError } from '../lib/errors.ts';
import { TrainingRunCursorError, listTrainingRuns, trainingStats } from '../store/training-runs.ts';
import type { DashEnv } from './env.ts';
import { num, qs, when } from './format.ts';
import { BASE, Empty } from './layout.tsx';
import { parsePageQuery } from './page-query.ts';
import { render } from './render.tsx';

const PAGE = `${BASE}/training`;

/** A JSON object as one short line (hyperparameters, metrics). */
function brief(value: Record<string, unknown> | null): string {
  if (!value) return '';
  const text = JSON.stringify(value);
  return text.length > 160 ? `${text.slice(0, 159)}…` : text;
}

const ExportRuns: FC<{ run: TrainingRun }> = ({ run }) => (
  <>
    {run.exportRuns.map((e) => (
      <div>
        <a href={`${BASE}/exports/runs/${encodeURIComponent(e.id)}`}>{e.format}</a>{' '}
        <a class="muted" href={`${PAGE}${qs({ exportRunId: e.id })}`} title="Models this export trained">
          <code>{e.id.slice(0, 13)}</code>
        </a>{' '}
        <span class="muted">{`${e.trainExamples === null ? '?' : num(e.trainExamples)} train examples${e.split !== null ? `, split ${e.split}` : ''}`}</span>
      </div>
    ))}
  </>
);

export const trainingPage = new Hono<DashEnv>().get('/training', async function trainingRunsPage(c) {
  const q = parsePageQuery(c, TrainingRunsQuery);
  const auth = c.get('auth');
  const db = c.get('store').db;
  let page;
  try {
    page = await listTrainingRuns(db, auth.workspaceId, q);
  } catch (err) {
    if (err instanceof TrainingRunCursorError) throw new ApiError(422, 'validation_failed', err.message);
    throw err;
  }
  const stats = await trainingStats(db, auth.workspaceId, { model: q.model }, clockNow());
  const narrowed = q.model !== undefined || q.exportRunId !== undefined;
  return render(
    c,
    { title: 'Training runs', page: 'training' },
    <>
      <section class="panel">
        <h2>Models</h2>
        {stats.models.length === 0 ? (
          <Empty>No training runs recorded yet. Record one with POST /v1/training-runs or `npx groundtruth training record`.</Empty>
        ) : (
          <table class="data" data-gt="training-models">
            <thead>
              <tr>
                <th>Model</th>
                <th>Runs</th>
                <th>Latest run</th>
                <th>Records exported to it</th>
                <th>Feedback since its data was cut</th>
                <th>Of which its filters take</th>
              </tr>
            </thead>
            <tbody>
              {stats.models.map((m) => (
                <tr>
                  <td>
                    <a href={`${PAGE}${qs({ model: m.modelName })}`}>{m.modelName}</a>
                  </td>
                  <td class="num">{num(m.runs)}</td>
                  <td>
                    {when(m.latestRun.startedAt ?? m.latestRun.createdAt)} <small class="muted">{brief(m.latestRun.metrics)}</small>
                  </td>
                  <td class="num">{num(m.exportedRecords)}</td>
                  <td class="num">
                    {num(m.newFeedback.received)} <small class="muted">{`since ${when(m.newFeedback.since)}`}</small>
                  </td>
                  <td class="num">{num(m.newFeedback.matching)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section class="panel">
        <h2>Runs</h2>
        <form class="filters" method="get" action={PAGE}>
          <label>
            Model <input type="text" name="model" value={q.model ?? ''} />
          </label>
          <label>
            Export run <input type="text" name="exportRunId" value={q.exportRunId ?? ''} size={38} />
          </label>
          <button type="submit">Show</button>
          {narrowed && <a href={PAGE}>all runs</a>}
        </form>
        {page.items.length === 0 ? (
          <Empty>{narrowed ? 'No training run matches.' : 'No training runs yet.'}</Empty>
        ) : (
          <table class="data" data-gt="training-runs">
            <thead>
              <tr>
                <th>Recorded</th>
                <th>Model</th>
                <th>Base model</th>
                <th>Started – finished</th>
                <th>Examples</th>
                <th>Trained on</th>
                <th>Hyperparameters</th>
                <th>Metrics</th>
                <th>Model path</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((run) => (
                <tr data-run={run.id}>
                  <td>{when(run.createdAt)}</td>
                  <td>
                    <a href={`${PAGE}${qs({ model: run.modelName })}`}>{run.modelName}</a>
                  </td>
                  <td>{run.baseModel ?? ''}</td>
                  <td>{`${when(run.startedAt)} – ${run.finishedAt ? when(run.finishedAt) : 'not finished'}`}</td>
                  <td class="num">{run.trainingDataSize === null ? '' : num(run.trainingDataSize)}</td>
                  <td>
                    <ExportRuns run={run} />
                  </td>
                  <td>
                    <small>{brief(run.hyperparameters)}</small>
                  </td>
                  <td>
                    <small>{brief(run.metrics)}</small>
                  </td>
                  <td>
                    <code>{run.modelPath ?? ''}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {page.nextCursor && (
          <p>
            <a href={`${PAGE}${qs({ model: q.model, exportRunId: q.exportRunId, limit: q.limit, cursor: page.nextCursor })}`} data-gt="training-next">
              Older runs →
            </a>
          </p>
        )}
      </section>
    </>,
  );
});
