import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { accuracy } from '../../insights/accuracy.ts';
import { dayOf, addDays } from '../../insights/days.ts';
import { stats } from '../../insights/stats.ts';
import { withStore } from '../context.ts';
import { pickFilters } from '../../../shared/filters.ts';
import { addFilterOptions, filtersFromOptions } from '../filter-options.ts';
import { renderStatsTable } from '../stats-table.ts';
import { terminalJson } from '../terminal-text.ts';

interface StatsOpts {
  workspace: string;
  watch?: boolean;
  interval: string;
  json?: boolean;
  /** The filter flags (filter-options.ts). */
  [filter: string]: unknown;
}

const WINDOW = { window: { days: 'window length in days, ending today (default 7)', all: false } };

/**
 * The figures' window: the last --days days (default 7) up to today, or whole UTC days from
 * --since to --until (default: today included). A bound inside a day is refused: the figures are daily.
 */
function statsWindow(daysFlag: number | undefined, since: string | undefined, until: string | undefined): (now: Date) => { days: number; now: Date } {
  if (since === undefined && until === undefined) {
    const days = daysFlag ?? 7;
    if (days > 3650) throw new Error('--days must be a whole number of days from 1 to 3650');
    return (now) => ({ days, now });
  }
  for (const [flag, v] of [['--since', since], ['--until', until]] as const) {
    if (v !== undefined && !v.endsWith('T00:00:00.000Z')) throw new Error(`${flag} must be a date (whole UTC days): stats are counted per day`);
  }
  if (since === undefined) throw new Error('--until needs --since: the window runs from --since to --until');
  return (now) => {
    const end = until ?? addDays(dayOf(now), 1);
    const days = Math.round((Date.parse(end) - Date.parse(since)) / 86_400_000);
    return { days, now: new Date(Date.parse(end) - 1) };
  };
}

export function statsCommand(): Command {
  const cmd = new Command('stats')
    .summary('Accuracy per model with bars and Wilson intervals, in the terminal')
    .description(
      'Prints the last N days against the N days before (ratings, share up, raters, conversations, stars, latency, tokens) ' +
        'and accuracy per model: share up with its Wilson 95% interval, best lower bound first. --watch refreshes it.',
    )
    .option('--workspace <id>', 'workspace', 'default')
    .option('--watch', 'refresh until interrupted (Ctrl-C)')
    .option('--interval <seconds>', 'refresh interval with --watch', '5')
    .option('--json', 'print {accuracy, stats} as JSON instead of the table')
    .addHelpText(
      'after',
      '\nFilters: the same as the API\'s and the dashboard\'s (shared/filters.ts). The window is --days (default 7) ending today, ' +
        'or --since (and --until) given as whole UTC days; --days with --since or --until is refused.\n' +
        '\nExamples:\n  npx groundtruth stats\n  npx groundtruth stats --days 30 --watch\n  npx groundtruth stats --model gpt-5 --criterion correctness',
    );
  return addFilterOptions(cmd, WINDOW).action(async (opts: StatsOpts) => {
    const parsed = filtersFromOptions(opts, WINDOW);
    const { since, until, ...filters } = pickFilters(parsed);
    const window = statsWindow(parsed.days, since, until);
    const interval = Number(opts.interval);
    if (!(interval >= 0.2)) throw new Error('--interval must be at least 0.2 seconds');
    await withStore(async (store) => {
      let stop = false;
      const onSignal = () => {
        stop = true;
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        do {
          const { days, now } = window(new Date());
          const until = addDays(dayOf(now), 1);
          const [acc, st] = await Promise.all([
            accuracy(store.db, opts.workspace, { ...filters, groupBy: ['model'], since: addDays(until, -days), until }),
            stats(store.db, opts.workspace, { ...filters, days, now }),
          ]);
          const text = opts.json ? terminalJson({ accuracy: acc, stats: st }) : renderStatsTable(acc, st, { workspace: opts.workspace });
          // On a terminal, redraw in place; in a pipe, append one report per refresh.
          if (opts.watch && process.stdout.isTTY) process.stdout.write(`\x1b[H\x1b[2J${text}\n(refreshing every ${interval} s; Ctrl-C to stop)\n`);
          else process.stdout.write(opts.watch ? `${text}\n` : text);
          if (!opts.watch) break;
          for (let waited = 0; waited < interval * 1000 && !stop; waited += 100) await sleep(100);
        } while (!stop);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
  });
}
