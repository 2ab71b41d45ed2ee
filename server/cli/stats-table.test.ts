import { describe, expect, it } from 'vitest';
import { intervalBar, renderStatsTable } from './stats-table.ts';
import type { AccuracyResult } from '../insights/accuracy.ts';
import type { StatsResult, WindowFigures } from '../insights/stats.ts';

const win = (over: Partial<WindowFigures>): WindowFigures => ({
  since: '2026-03-04', until: '2026-03-11', ratings: 0, up: 0, down: 0, shareUp: null, stars: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 },
  meanStars: null, raters: 0, conversations: 0, meanLatencyMs: null, meanTokensUsed: null, ...over,
});

describe('stats table', () => {
  it('draws solid up to the lower bound and shades the interval', () => {
    expect(intervalBar(0.5, 0.8, 10)).toBe('█████▒▒▒░░');
    expect(intervalBar(0, 1, 4)).toBe('▒▒▒▒');
  });

  it('renders totals against the previous window and one row per group, thin ones flagged', () => {
    const acc: AccuracyResult = {
      groupBy: ['model'], since: null, until: null, criterion: 'overall',
      groups: [
        { key: { model: 'gpt' }, n: 100, up: 90, down: 10, shareUp: 0.9, wilson: { low: 0.8256, high: 0.9448 }, meanStars: 4.25, starsN: 4, ratings: 100, thin: false },
        { key: { model: null }, n: 3, up: 3, down: 0, shareUp: 1, wilson: { low: 0.4385, high: 1 }, meanStars: null, starsN: 0, ratings: 3, thin: true },
      ],
    };
    const st: StatsResult = { days: 7, criterion: 'overall', current: win({ ratings: 110, shareUp: 0.9 }), previous: win({ ratings: 100, shareUp: 0.8 }), series: [] };
    const text = renderStatsTable(acc, st, { workspace: 'w', barWidth: 10 });
    expect(text).toContain('ratings 110 (▲10% vs 100)');
    expect(text).toContain('share up 90% (was 80%)');
    expect(text).toMatch(/gpt\s+100\s+90\s+90%\s+████████▒░\s+83%–94%\s+★ 4\.3/);
    expect(text).toMatch(/\(no model\)\s+3\s+3\s+100%\s+████▒▒▒▒▒▒\s+44%–100%\s+thin/);
  });
});
