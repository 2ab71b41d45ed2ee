import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { accuracy } from '../../insights/accuracy.ts';
import { dayOf, addDays } from '../../insights/days.ts';
import { stats } from '../../insights/stats.ts';
import { withStore } from '../context.ts';
import { renderStatsTable } from '../stats-table.ts';
import { terminalJson } from '../terminal-text.ts';

export function statsCommand(): Command {
  return new Command('stats')
    .summary('Accuracy per model with bars and Wilson intervals, in the terminal')
    .description(
      'Prints the last N days against the N days before (ratings, share up, raters, conversations, stars, latency, tokens) ' +
        'and accuracy per model: share up with its Wilson 95% interval, best lower bound first. --watch refreshes it.',
    )
    .option('--days <n>', 'window length in days', '7')
    .option('--workspace <id>', 'workspace', 'default')
    .option('--watch', 'refresh until interrupted (Ctrl-C)')
    .option('--interval <seconds>', 'refresh interval with --watch', '5')
    .option('--json', 'print {accuracy, stats} as JSON instead of the table')
    .addHelpText('after', '\nExamples:\n  npx groundtruth stats\n  npx groundtruth stats --days 30 --watch')
    .action(async (opts: { days: string; workspace: string; watch?: boolean; interval: string; json?: boolean }) => {
      const days = Number(opts.days);
      const interval = Number(opts.interval);
      if (!Number.isInteger(days) || days < 1 || days > 3650) throw new Error('--days must be a whole number of days from 1 to 3650');
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
            const now = new Date();
            const until = addDays(dayOf(now), 1);
            const [acc, st] = await Promise.all([
              accuracy(store.db, opts.workspace, { groupBy: ['model'], since: addDays(until, -days), until }),
              stats(store.db, opts.workspace, { days, now }),
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
