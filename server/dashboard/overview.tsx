/** @jsxImportSource hono/jsx */
/**
 * Overview: totals for the last 7, 30 or 90 days against the window before, the daily trend (share
 * of thumbs up with its Wilson band, and volume) and the rating distribution. Reads insights'
 * stats() (rollups only), so it costs the same at a thousand ratings or a million.
 */
import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { addDays } from '../insights/days.ts';
import { stats, type WindowFigures } from '../insights/stats.ts';
import { wilson } from '../insights/wilson.ts';
import { BarList, TrendChart, type TrendPoint } from './charts.tsx';
import type { DashEnv } from './env.ts';
import { change, num, pct } from './format.ts';
import { BASE, Empty } from './layout.tsx';
import { render } from './render.tsx';
import { acceptsQuery } from './page-query.ts';

export const WINDOWS = [7, 30, 90] as const;

/** One figure against the previous window; `better` says which direction is good news. */
const Card: FC<{ label: string; value: string; current: number | null; previous: number | null; better?: 'up' | 'down'; asPoints?: boolean }> = (p) => {
  let delta = 'no earlier figure';
  let tone = '';
  if (p.current != null && p.previous != null) {
    if (p.asPoints) {
      const d = (p.current - p.previous) * 100;
      delta = `${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(1)} pts vs previous`;
    } else delta = `${change(p.current, p.previous)} vs previous (${num(p.previous, Number.isInteger(p.previous) ? 0 : 1)})`;
    if (p.better && p.current !== p.previous) tone = (p.current > p.previous) === (p.better === 'up') ? 'good' : 'bad';
  }
  return (
    <div class="card" data-gt={`card-${p.label.toLowerCase().replace(/\W+/g, '-')}`}>
      <div class="label">{p.label}</div>
      <div class="value">{p.value}</div>
      <div class={`delta ${tone}`}>{delta}</div>
    </div>
  );
};

function starsTotal(w: WindowFigures): number {
  return w.stars[1] + w.stars[2] + w.stars[3] + w.stars[4] + w.stars[5];
}

export const overviewPage = new Hono<DashEnv>().get('/', acceptsQuery('days'), async function overview(c) {
  const requested = Number(c.req.query('days'));
  const days = (WINDOWS as readonly number[]).includes(requested) ? requested : 30;
  const s = await stats(c.get('store').db, c.get('auth').workspaceId, { days });
  const cur = s.current;
  const prev = s.previous;
  const points: TrendPoint[] = s.series.map((d) => {
    const thumbs = d.up + d.down;
    const w = thumbs ? wilson(d.up, thumbs) : null;
    return { day: d.day, n: d.ratings, shareUp: thumbs ? d.up / thumbs : null, low: w?.low ?? null, high: w?.high ?? null };
  });

  return render(
    c,
    { title: 'Overview', page: 'overview' },
    <>
      <nav class="tabs" aria-label="Window">
        {WINDOWS.map((d) => (
          <a href={`${BASE}?days=${d}`} aria-current={d === days ? 'page' : undefined}>
            {`Last ${d} days`}
          </a>
        ))}
      </nav>
      <p class="muted">{`${cur.since} to ${addDays(cur.until, -1)} (UTC days), against ${prev.since} to ${addDays(prev.until, -1)}.`}</p>
      <div class="cards">
        <Card label="Ratings" value={num(cur.ratings)} current={cur.ratings} previous={prev.ratings} />
        <Card label="Thumbs up" value={pct(cur.shareUp, 1)} current={cur.shareUp} previous={prev.shareUp} better="up" asPoints />
        <Card label="Mean stars" value={cur.meanStars == null ? '—' : num(cur.meanStars, 2)} current={cur.meanStars} previous={prev.meanStars} better="up" />
        <Card label="Raters" value={num(cur.raters)} current={cur.raters} previous={prev.raters} />
        <Card label="Conversations" value={num(cur.conversations)} current={cur.conversations} previous={prev.conversations} />
        <Card label="Mean latency" value={cur.meanLatencyMs == null ? '—' : `${num(cur.meanLatencyMs)} ms`} current={cur.meanLatencyMs} previous={prev.meanLatencyMs} better="down" />
        <Card label="Mean tokens" value={cur.meanTokensUsed == null ? '—' : num(cur.meanTokensUsed)} current={cur.meanTokensUsed} previous={prev.meanTokensUsed} />
      </div>

      <section class="panel">
        <h2>Daily trend</h2>
        {cur.ratings === 0 ? (
          <Empty>No ratings in this window.</Empty>
        ) : (
          <TrendChart points={points} label={`Share of thumbs up per day over the last ${days} days, with 95 % Wilson intervals and daily volume`} />
        )}
      </section>

      <div class="grid2">
        <section class="panel">
          <h2>Thumbs</h2>
          {cur.up + cur.down === 0 ? (
            <Empty>No thumbs in this window.</Empty>
          ) : (
            <BarList
              label="Thumbs up and down"
              data={[
                { label: 'up', value: cur.up, tone: 'up' },
                { label: 'down', value: cur.down, tone: 'down' },
              ]}
            />
          )}
        </section>
        <section class="panel">
          <h2>Stars</h2>
          {starsTotal(cur) === 0 ? (
            <Empty>No star ratings in this window.</Empty>
          ) : (
            <BarList
              label="Star ratings from 5 to 1"
              data={([5, 4, 3, 2, 1] as const).map((n) => ({ label: `${n} ★`, value: cur.stars[n], tone: n >= 4 ? 'up' : n <= 2 ? 'down' : 'neutral' }))}
            />
          )}
        </section>
      </div>
    </>,
  );
});
