/** @jsxImportSource hono/jsx */
/**
 * Charts as inline SVG: readable without JavaScript, printable, and allowed by a CSP without
 * 'unsafe-inline' (they use presentation attributes, never style=""). Each chart carries a <title>
 * and an aria-label, and the trend chart a data table for screen readers.
 */
import type { FC } from 'hono/jsx';
import { num, pct } from './format.ts';

export interface TrendPoint {
  day: string;
  n: number;
  shareUp: number | null;
  low: number | null;
  high: number | null;
}

const W = 760;
const H = 260;
const PAD = { left: 44, right: 44, top: 14, bottom: 30 };
const VOLUME_H = 60;

function fmt(x: number): string {
  return x.toFixed(1);
}

/** Share of thumbs up per day with its 95 % interval as a band, and the daily volume as bars. */
export const TrendChart: FC<{ points: TrendPoint[]; label: string }> = ({ points, label }) => {
  const plotW = W - PAD.left - PAD.right;
  const shareH = H - PAD.top - PAD.bottom - VOLUME_H - 10;
  const step = points.length > 1 ? plotW / (points.length - 1) : 0;
  const x = (i: number) => PAD.left + (points.length > 1 ? i * step : plotW / 2);
  const y = (v: number) => PAD.top + (1 - v) * shareH;
  const maxN = Math.max(1, ...points.map((p) => p.n));
  const volTop = PAD.top + shareH + 10;
  const vy = (n: number) => volTop + VOLUME_H - (n / maxN) * VOLUME_H;
  const barW = Math.max(1, Math.min(18, (points.length > 1 ? step : plotW) * 0.7));

  // The band and the line break where a day has no thumbs.
  const runs: TrendPoint[][] = [];
  const idx = new Map(points.map((p, i) => [p, i]));
  let cur: TrendPoint[] = [];
  for (const p of points) {
    if (p.shareUp == null || p.low == null || p.high == null) {
      if (cur.length) runs.push(cur);
      cur = [];
    } else cur.push(p);
  }
  if (cur.length) runs.push(cur);

  const labelEvery = Math.max(1, Math.ceil(points.length / 8));
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label={label} class="trend" preserveAspectRatio="xMidYMid meet">
        <title>{label}</title>
        {[0, 0.25, 0.5, 0.75, 1].map((v) => (
          <g>
            <line x1={PAD.left} x2={W - PAD.right} y1={fmt(y(v))} y2={fmt(y(v))} class="grid" />
            <text x={PAD.left - 6} y={fmt(y(v) + 4)} text-anchor="end" class="axis">
              {`${v * 100}%`}
            </text>
          </g>
        ))}
        {runs.map((run) => {
          const upper = run.map((p) => `${fmt(x(idx.get(p)!))},${fmt(y(p.high!))}`);
          const lower = run.map((p) => `${fmt(x(idx.get(p)!))},${fmt(y(p.low!))}`).reverse();
          return <polygon points={[...upper, ...lower].join(' ')} class="band" />;
        })}
        {runs.map((run) =>
          run.length > 1 ? (
            <polyline points={run.map((p) => `${fmt(x(idx.get(p)!))},${fmt(y(p.shareUp!))}`).join(' ')} class="line" />
          ) : null,
        )}
        {points.map((p, i) =>
          p.shareUp == null ? null : (
            <circle cx={fmt(x(i))} cy={fmt(y(p.shareUp))} r="2.5" class="dot">
              <title>{`${p.day}: ${pct(p.shareUp)} up (95 % interval ${pct(p.low)}–${pct(p.high)}), ${p.n} ratings`}</title>
            </circle>
          ),
        )}
        {points.map((p, i) => (
          <rect x={fmt(x(i) - barW / 2)} y={fmt(vy(p.n))} width={fmt(barW)} height={fmt(volTop + VOLUME_H - vy(p.n))} class="volume">
            <title>{`${p.day}: ${p.n} ratings`}</title>
          </rect>
        ))}
        <text x={W - PAD.right + 6} y={volTop + 10} class="axis">
          {num(maxN)}
        </text>
        <text x={W - PAD.right + 6} y={volTop + VOLUME_H} class="axis">
          0
        </text>
        {points.map((p, i) =>
          (i % labelEvery === 0 && points.length - 1 - i >= labelEvery / 2) || i === points.length - 1 ? (
            <text x={fmt(x(i))} y={H - 8} text-anchor="middle" class="axis">
              {p.day.slice(5)}
            </text>
          ) : null,
        )}
      </svg>
      <figcaption>
        <span class="key key-line" /> share of thumbs up <span class="key key-band" /> 95 % Wilson interval{' '}
        <span class="key key-volume" /> ratings per day
      </figcaption>
      <details>
        <summary>Data</summary>
        <table class="data">
          <thead>
            <tr>
              <th>Day</th>
              <th>Ratings</th>
              <th>Up</th>
              <th>95 % interval</th>
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr>
                <td>{p.day}</td>
                <td class="n">{num(p.n)}</td>
                <td class="n">{pct(p.shareUp)}</td>
                <td class="n">{p.low == null ? '—' : `${pct(p.low)}–${pct(p.high)}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
};

export interface BarDatum {
  label: string;
  value: number;
  tone?: 'up' | 'down' | 'neutral';
}

/** Horizontal bars with their counts and shares. */
export const BarList: FC<{ data: BarDatum[]; label: string }> = ({ data, label }) => {
  const max = Math.max(1, ...data.map((d) => d.value));
  const total = data.reduce((a, d) => a + d.value, 0);
  const rowH = 24;
  const w = 360;
  const labelW = 70;
  const barMax = w - labelW - 110;
  return (
    <svg viewBox={`0 0 ${w} ${data.length * rowH + 4}`} width="100%" role="img" aria-label={label} class="bars">
      <title>{label}</title>
      {data.map((d, i) => (
        <g>
          <text x={labelW - 8} y={i * rowH + 16} text-anchor="end" class="axis">
            {d.label}
          </text>
          <rect x={labelW} y={i * rowH + 4} width={fmt(Math.max(d.value > 0 ? 1 : 0, (d.value / max) * barMax))} height={rowH - 8} class={`bar bar-${d.tone ?? 'neutral'}`} />
          <text x={labelW + (d.value / max) * barMax + 6} y={i * rowH + 16} class="axis">
            {`${num(d.value)} (${pct(total ? d.value / total : null)})`}
          </text>
        </g>
      ))}
    </svg>
  );
};

/** One row's Wilson interval on a 0–100 % track, with the observed share as a tick. */
export const IntervalBar: FC<{ share: number | null; low: number; high: number; thin?: boolean; label: string }> = ({ share, low, high, thin, label }) => {
  const w = 220;
  const h = 18;
  const x = (v: number) => 4 + v * (w - 8);
  return (
    <svg viewBox={`0 0 ${w} ${h}`} width={w} height={h} role="img" aria-label={label} class={`interval${thin ? ' thin' : ''}`}>
      <title>{label}</title>
      <line x1={x(0)} x2={x(1)} y1={h / 2} y2={h / 2} class="track" />
      <line x1={x(0.5)} x2={x(0.5)} y1="3" y2={h - 3} class="mid" />
      <rect x={fmt(x(low))} y="5" width={fmt(Math.max(1.5, x(high) - x(low)))} height={h - 10} rx="2" class="range" />
      {share != null && <line x1={fmt(x(share))} x2={fmt(x(share))} y1="2" y2={h - 2} class="share" />}
    </svg>
  );
};
