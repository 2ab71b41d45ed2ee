/** @jsxImportSource hono/jsx */
/**
 * Models: accuracy per model with Wilson 95 % intervals drawn as bars, n and a thin-data flag;
 * drill-down of one model by intent, project, site or kind; two models side by side on the same
 * breakdown. Reads insights' accuracy() (rollups only).
 */
import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { accuracy, type AccuracyGroup } from '../insights/accuracy.ts';
import { addDays, dayOf } from '../insights/days.ts';
import type { Dimension } from '../insights/rollups.ts';
import { IntervalBar } from './charts.tsx';
import type { DashEnv } from './env.ts';
import { num, pct, qs } from './format.ts';
import { BASE, Empty } from './layout.tsx';
import { render } from './render.tsx';
import { acceptsQuery } from './page-query.ts';

const WINDOWS = ['7', '30', '90', 'all'] as const;
const BREAKDOWNS = ['intent', 'project', 'site', 'kind'] as const satisfies readonly Dimension[];
type Breakdown = (typeof BREAKDOWNS)[number];

const label = (v: string | null | undefined) => (v ? v : '(not set)');

const Interval: FC<{ g: AccuracyGroup; name: string }> = ({ g, name }) => (
  <>
    <IntervalBar share={g.shareUp} low={g.wilson.low} high={g.wilson.high} thin={g.thin} label={`${name}: ${pct(g.shareUp)} up, 95 % interval ${pct(g.wilson.low)} to ${pct(g.wilson.high)}`} />{' '}
    <span class="muted">{`${pct(g.wilson.low)}–${pct(g.wilson.high)}`}</span>
  </>
);

const AccuracyTable: FC<{ groups: AccuracyGroup[]; dim: Dimension; drill?: (g: AccuracyGroup) => string }> = ({ groups, dim, drill }) =>
  groups.length === 0 ? (
    <Empty>No ratings in this window.</Empty>
  ) : (
    <table class="data" data-gt={`accuracy-by-${dim}`}>
      <thead>
        <tr>
          <th>{dim}</th>
          <th class="n">n</th>
          <th class="n">Up</th>
          <th class="n">Down</th>
          <th class="n">Share up</th>
          <th>95 % Wilson interval</th>
          <th class="n">Mean ★</th>
          <th>
            <span class="visually-hidden">Notes</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {groups.map((g) => (
          <tr class={g.thin ? 'thin' : undefined}>
            <td>{label(g.key[dim])}</td>
            <td class="n">{num(g.n)}</td>
            <td class="n up">{num(g.up)}</td>
            <td class="n down">{num(g.down)}</td>
            <td class="n">{pct(g.shareUp, 1)}</td>
            <td>
              <Interval g={g} name={label(g.key[dim])} />
            </td>
            <td class="n">{g.meanStars == null ? '—' : num(g.meanStars, 2)}</td>
            <td>
              {g.thin && (
                <span class="flag" title="Fewer than 10 thumbs: the interval is too wide to rank on">
                  thin data
                </span>
              )}{' '}
              {drill && <a href={drill(g)}>drill down</a>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );

export const modelsPage = new Hono<DashEnv>().get('/models', acceptsQuery('days', 'by', 'model', 'a', 'b'), async function models(c) {
  const db = c.get('store').db;
  const ws = c.get('auth').workspaceId;
  const q = c.req.query();
  const win = (WINDOWS as readonly string[]).includes(q.days ?? '') ? q.days! : '30';
  const since = win === 'all' ? undefined : addDays(dayOf(new Date()), 1 - Number(win));
  const by: Breakdown = (BREAKDOWNS as readonly string[]).includes(q.by ?? '') ? (q.by as Breakdown) : 'intent';
  const byModel = await accuracy(db, ws, { groupBy: ['model'], since });
  const modelNames = byModel.groups.map((g) => g.key.model ?? '');
  const pick = (v: string | undefined) => (v !== undefined && modelNames.includes(v) ? v : undefined);
  const model = pick(q.model);
  const a = pick(q.a) ?? modelNames[0];
  const b = pick(q.b) ?? modelNames.find((m) => m !== a);

  const drill = model !== undefined ? await accuracy(db, ws, { groupBy: [by], since, model }) : undefined;
  const [compA, compB] = await Promise.all(
    [a, b].map((m) => (m !== undefined ? accuracy(db, ws, { groupBy: [by], since, model: m }) : undefined)),
  );
  const values = [...new Set([...(compA?.groups ?? []), ...(compB?.groups ?? [])].map((g) => g.key[by] ?? null))];
  const find = (groups: AccuracyGroup[] | undefined, v: string | null) => groups?.find((g) => (g.key[by] ?? null) === v);
  const overall = (m: string | undefined) => byModel.groups.find((g) => g.key.model === m);
  const here = (extra: Record<string, string | undefined>) => `${BASE}/models${qs({ days: win, by, model, a, b, ...extra })}`;
  const selectModel = (name: string, current: string | undefined, withNone: boolean) => (
    <select name={name}>
      {withNone && <option value="">—</option>}
      {modelNames.map((m) => (
        <option value={m} selected={m === current ? true : undefined}>
          {label(m)}
        </option>
      ))}
    </select>
  );

  return render(
    c,
    { title: 'Models', page: 'models' },
    <>
      <nav class="tabs" aria-label="Window">
        {WINDOWS.map((d) => (
          <a href={here({ days: d })} aria-current={d === win ? 'page' : undefined}>
            {d === 'all' ? 'All time' : `Last ${d} days`}
          </a>
        ))}
      </nav>
      <section class="panel">
        <h2>Accuracy per model</h2>
        <p class="muted">Share of thumbs up with its 95 % Wilson interval; ordered by the interval's lower bound, best first. The tick is the observed share.</p>
        <AccuracyTable groups={byModel.groups} dim="model" drill={(g) => here({ model: g.key.model ?? '' }) + '#drill'} />
      </section>

      <section class="panel" id="drill">
        <h2>Drill down</h2>
        <form class="filters" method="get" action={`${BASE}/models`}>
          <input type="hidden" name="days" value={win} />
          <label>Model {selectModel('model', model, true)}</label>
          <label>
            By
            <select name="by">
              {BREAKDOWNS.map((d) => (
                <option value={d} selected={d === by ? true : undefined}>
                  {d}
                </option>
              ))}
            </select>
          </label>
          {a && <input type="hidden" name="a" value={a} />}
          {b && <input type="hidden" name="b" value={b} />}
          <button type="submit">Show</button>
        </form>
        {drill ? <AccuracyTable groups={drill.groups} dim={by} /> : <Empty>Pick a model to see its accuracy by {by}.</Empty>}
      </section>

      <section class="panel" id="compare">
        <h2>Side by side</h2>
        <form class="filters" method="get" action={`${BASE}/models#compare`}>
          <input type="hidden" name="days" value={win} />
          <input type="hidden" name="by" value={by} />
          {model && <input type="hidden" name="model" value={model} />}
          <label>Model A {selectModel('a', a, false)}</label>
          <label>Model B {selectModel('b', b, false)}</label>
          <button type="submit">Compare</button>
        </form>
        {a === undefined || b === undefined ? (
          <Empty>Two models with ratings are needed to compare.</Empty>
        ) : (
          <table class="data" data-gt="compare">
            <thead>
              <tr>
                <th>{by}</th>
                <th class="n">{`n (${label(a)})`}</th>
                <th>{label(a)}</th>
                <th class="n">{`n (${label(b)})`}</th>
                <th>{label(b)}</th>
              </tr>
            </thead>
            <tbody>
              {[
                { name: 'all', ga: overall(a), gb: overall(b) },
                ...values.map((v) => ({ name: label(v), ga: find(compA?.groups, v), gb: find(compB?.groups, v) })),
              ].map((row) => (
                <tr>
                  <td>{row.name === 'all' ? <strong>all</strong> : row.name}</td>
                  <td class="n">{row.ga ? num(row.ga.n) : '—'}</td>
                  <td>{row.ga ? <Interval g={row.ga} name={`${label(a)} ${row.name}`} /> : <span class="muted">no ratings</span>}</td>
                  <td class="n">{row.gb ? num(row.gb.n) : '—'}</td>
                  <td>{row.gb ? <Interval g={row.gb} name={`${label(b)} ${row.name}`} /> : <span class="muted">no ratings</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>,
  );
});
