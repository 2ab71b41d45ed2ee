/**
 * The terminal view of `groundtruth stats`: the window's totals against the previous window,
 * then accuracy per model with a bar per row — solid up to the Wilson lower bound, shaded across
 * the 95% interval — so a thin group's uncertainty is visible, not just its share.
 */
import type { AccuracyResult } from '../insights/accuracy.ts';
import type { StatsResult } from '../insights/stats.ts';
import { terminalTable, tty } from './terminal-text.ts';

const pct = (x: number | null) => (x === null ? '–' : `${Math.round(x * 100)}%`);

export function intervalBar(low: number, high: number, width: number): string {
  let out = '';
  for (let i = 0; i < width; i++) {
    const x = (i + 0.5) / width;
    out += x < low ? '█' : x < high ? '▒' : '░';
  }
  return out;
}

function change(now: number, before: number): string {
  if (!before) return now ? 'new' : '±0';
  const d = Math.round(((now - before) / before) * 100);
  return `${d > 0 ? '▲' : d < 0 ? '▼' : '±'}${Math.abs(d)}% vs ${before}`;
}

export function renderStatsTable(acc: AccuracyResult, st: StatsResult, opts: { workspace: string; barWidth?: number; now?: Date }): string {
  const width = opts.barWidth ?? 30;
  const c = st.current;
  const p = st.previous;
  const lastDay = st.series[st.series.length - 1]?.day ?? c.until;
  const lines = [
    tty`Groundtruth · workspace ${opts.workspace} · last ${st.days} days (${c.since} → ${lastDay})`,
    [
      `ratings ${c.ratings} (${change(c.ratings, p.ratings)})`,
      `share up ${pct(c.shareUp)} (was ${pct(p.shareUp)})`,
      `raters ${c.raters}`,
      `conversations ${c.conversations}`,
      `★ ${c.meanStars === null ? '–' : c.meanStars.toFixed(2)}`,
      ...(c.meanLatencyMs !== null ? [`latency ${Math.round(c.meanLatencyMs)} ms`] : []),
      ...(c.meanTokensUsed !== null ? [`tokens ${Math.round(c.meanTokensUsed)}`] : []),
    ].join('   '),
    '',
  ];
  if (!acc.groups.length) {
    lines.push('No thumbs in this window yet.');
    return `${lines.join('\n')}\n`;
  }
  const rows = acc.groups.map((g) => [
    g.key.model ?? '(no model)',
    String(g.n),
    String(g.up),
    pct(g.shareUp),
    intervalBar(g.wilson.low, g.wilson.high, width),
    `${pct(g.wilson.low)}–${pct(g.wilson.high)}`,
    g.meanStars === null ? '' : `★ ${g.meanStars.toFixed(1)}`,
    g.thin ? 'thin' : '',
  ]);
  const head = ['model', 'n', 'up', 'share', '95% interval', 'low–high', 'stars', ''];
  // Model names are stored text: terminalTable shows their control characters as escapes.
  lines.push(...terminalTable(head, rows, { right: new Set([1, 2, 3]) }));
  lines.push('', '█ up to the lower bound, ▒ the Wilson 95% interval of the share up; best lower bound first; "thin": fewer than 10 thumbs.');
  return `${lines.join('\n')}\n`;
}
