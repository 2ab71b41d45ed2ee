/** @jsxImportSource hono/jsx */
/**
 * Judges: the LLM judges seen in the workspace (distinct source.name of model ratings) and, for the
 * one picked, how it agrees with people (issue 16, item 4): Cohen's kappa, percent agreement, the
 * confusion matrix, the targets they disagree on, and the few-shot download of those
 * disagreements. Same query and figures as GET /v1/insights/calibration (shared/calibration.ts,
 * server/insights/calibration.ts), so a bookmark and the API agree. Text is escaped by hono/jsx.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { FC } from 'hono/jsx';
import { CALIBRATION_LIMITS, CALIBRATION_SCALES, CalibrationQueryShape, type CalibrationResult } from '../../shared/calibration.ts';
import { refuseConflicts } from '../../shared/filters.ts';
import { calibration, examplesFileName, fewShotExamples, listJudges, safeJsonLine } from '../insights/calibration.ts';
import type { DashEnv } from './env.ts';
import { num, pct, qs } from './format.ts';
import { BASE, Empty } from './layout.tsx';
import { parsePageQuery } from './page-query.ts';
import { render } from './render.tsx';

const PAGE = `${BASE}/judges`;

/** The API's query, with the judge optional (none picked: the list alone). */
const JudgesPageQuery = z
  .object({
    ...CalibrationQueryShape,
    judge: z.preprocess((v) => (v === '' ? undefined : v), CalibrationQueryShape.judge.optional()),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .superRefine(refuseConflicts);
const ExamplesQuery = z.object(CalibrationQueryShape).superRefine(refuseConflicts);

type Query = z.output<typeof JudgesPageQuery>;

/** The query as link parameters (the picked judge and its options). */
function linkParams(q: Query, over: Record<string, string | number | undefined> = {}): Record<string, string | number | undefined> {
  const out: Record<string, string | number | undefined> = {};
  for (const [k, v] of Object.entries(q)) if (v !== undefined && k !== 'offset') out[k] = String(v);
  return { ...out, ...over };
}

const Matrix: FC<{ r: CalibrationResult }> = ({ r }) => (
  <table class="data" data-gt="confusion-matrix">
    <thead>
      <tr>
        <th>People ↓ · Judge →</th>
        {r.categories.map((c) => (
          <th class="n">{c}</th>
        ))}
      </tr>
    </thead>
    <tbody>
      {r.matrix.map((row, i) => (
        <tr>
          <th>{r.categories[i]}</th>
          {row.map((n, j) => (
            <td class={i === j ? 'n up' : 'n'}>{num(n)}</td>
          ))}
        </tr>
      ))}
    </tbody>
  </table>
);

const Disagreements: FC<{ r: CalibrationResult; q: Query }> = ({ r, q }) => {
  const d = r.disagreements;
  if (!d.total) return <Empty>No disagreement: on every target both rated, the judge gave the people's answer.</Empty>;
  const prev = d.offset > 0 ? Math.max(0, d.offset - d.limit) : null;
  const next = d.offset + d.items.length < d.total ? d.offset + d.limit : null;
  return (
    <>
      <p class="muted">{`${num(d.total)} disagreement${d.total === 1 ? '' : 's'}; showing ${num(d.offset + 1)}–${num(d.offset + d.items.length)}.`}</p>
      <table class="data" data-gt="disagreements">
        <thead>
          <tr>
            <th>Target</th>
            <th>Model</th>
            <th>Prompt · output</th>
            <th>People</th>
            <th>Judge</th>
            <th>Judge's comment</th>
          </tr>
        </thead>
        <tbody>
          {d.items.map((x) => (
            <tr>
              <td>
                <code>{x.targetKey}</code>
              </td>
              <td>{x.model ?? '—'}</td>
              <td>
                <div>{x.prompt ?? ''}</div>
                <div class="muted">{x.output ?? ''}</div>
              </td>
              <td title={Object.entries(x.humanVotes).map(([v, n]) => `${v}: ${n}`).join(', ')}>
                {x.human}
                {x.humanComments.map((c) => (
                  <div class="muted">{c}</div>
                ))}
              </td>
              <td>{x.judge}</td>
              <td>{x.judgeComment ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        {prev !== null && <a href={`${PAGE}${qs(linkParams(q, { offset: prev }))}`}>← Previous</a>}{' '}
        {next !== null && <a href={`${PAGE}${qs(linkParams(q, { offset: next }))}`}>Next →</a>}
      </p>
    </>
  );
};

export const judgesPage = new Hono<DashEnv>()
  .get('/judges', async function judgesPage(c) {
    const q = parsePageQuery(c, JudgesPageQuery);
    const db = c.get('store').db;
    const ws = c.get('auth').workspaceId;
    const judges = await listJudges(db, ws);
    const r = q.judge !== undefined ? await calibration(db, ws, { ...q, judge: q.judge, limit: CALIBRATION_LIMITS.disagreementsDefaultLimit }) : undefined;
    return render(
      c,
      { title: 'Judges', page: 'judges' },
      <>
        <section class="panel">
          <h2>Judges seen</h2>
          <p class="muted">LLM judges post ratings with source.type "model" and a name. Figures elsewhere count people only; here each judge is held against them.</p>
          {judges.length === 0 ? (
            <Empty>No judge has rated anything yet. POST /v1/feedback with source: {'{'}type: "model", name: "your-judge"{'}'}.</Empty>
          ) : (
            <table class="data" data-gt="judges">
              <thead>
                <tr>
                  <th>Judge</th>
                  <th class="n">Live ratings</th>
                </tr>
              </thead>
              <tbody>
                {judges.map((j) => (
                  <tr>
                    <td>
                      <a href={`${PAGE}${qs({ judge: j.judge })}`} aria-current={j.judge === q.judge ? 'page' : undefined}>
                        {j.judge}
                      </a>
                    </td>
                    <td class="n">{num(j.ratings)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        {r && q.judge !== undefined && (
          <section class="panel" data-gt="calibration">
            <h2>{`${r.judge} against people`}</h2>
            <form class="filters" method="get" action={PAGE}>
              <input type="hidden" name="judge" value={q.judge} />
              <label>
                Criterion <input name="criterion" value={r.criterion} />
              </label>
              <label>
                Scale{' '}
                <select name="scale">
                  {CALIBRATION_SCALES.map((s) => (
                    <option value={s} selected={s === r.scale}>
                      {s}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Model <input name="model" value={q.model ?? ''} />
              </label>
              <button type="submit">Show</button>
            </form>
            <div class="cards">
              <div class="card" data-gt="card-kappa">
                <div class="label">Cohen's κ</div>
                <div class="value">{r.kappa === null ? '—' : num(r.kappa, 2)}</div>
              </div>
              <div class="card" data-gt="card-agreement">
                <div class="label">Agreement</div>
                <div class="value">{pct(r.percentAgreement, 1)}</div>
              </div>
              <div class="card" data-gt="card-n">
                <div class="label">Targets both rated</div>
                <div class="value">{num(r.n)}</div>
                <div class="delta">{`of ${num(r.judged)} judged; ${num(r.tied)} tied among people`}</div>
              </div>
            </div>
            {r.note && <p class="empty" data-gt="calibration-note">{r.note}</p>}
            <h3>Confusion matrix</h3>
            <Matrix r={r} />
            <h3>Where they disagree</h3>
            <Disagreements r={r} q={q} />
            <p>
              <a data-gt="few-shot" href={`${PAGE}/examples.jsonl${qs(linkParams(q))}`}>
                Download the disagreements as few-shot examples (JSONL)
              </a>{' '}
              <span class="muted">— the same as GET /v1/insights/calibration/examples</span>
            </p>
          </section>
        )}
      </>,
    );
  })
  .get('/judges/examples.jsonl', async function judgeExamples(c) {
    const q = parsePageQuery(c, ExamplesQuery);
    const lines = (await fewShotExamples(c.get('store').db, c.get('auth').workspaceId, q)).map(safeJsonLine).join('');
    return c.body(lines, 200, {
      'Content-Type': 'application/x-ndjson; charset=utf-8',
      'Content-Disposition': `attachment; filename="${examplesFileName(q.judge)}"`,
    });
  });
