import { Command } from 'commander';
import { reviewOptions, REVIEW_DEFAULT_LIMIT, REVIEW_MAX_LIMIT, type ReviewFlags } from '../review/options.ts';
import { runReview } from '../review/session.ts';

/**
 * `groundtruth review`: the review queue in the terminal, as DAGnostics' `feedback review-daily` /
 * `bulk-feedback` (seed 000). A client of the HTTP API only (server/cli/review/, ADR 0036).
 */
export function reviewCommand(): Command {
  return new Command('review')
    .summary('Review unrated AI error analyses in the terminal: rate, correct each field, comment')
    .description(
      'Goes through the review queue (GET /v1/items?unrated=1), newest first: shows each error (DAG, task, run, message, the end of the log) ' +
        'and its AI analysis, asks for a rating of the analysis (1-5, s to skip, q to stop), a correction of each analysis field ' +
        '(Enter keeps the AI\'s value) and a comment, and sends it as feedback (POST /v1/feedback). Shows "5/20 reviewed, 3 with feedback" after each item. ' +
        'q or Ctrl+C stops with a summary; running it again resumes, since rated items leave the queue. A skipped item sends nothing and comes back next run. ' +
        'Talks to a running server: GROUNDTRUTH_URL and GROUNDTRUTH_TOKEN (or --url, --token).',
    )
    .option('--date <day>', 'only items of this UTC day (YYYY-MM-DD)')
    .option('--days <n>', 'only items of the last N days')
    .option('--limit <n>', `at most N items this session (default ${REVIEW_DEFAULT_LIMIT}, up to ${REVIEW_MAX_LIMIT})`)
    .option('--subject <s>', 'only items of this subject (a DAG id)')
    .option('--category <c>', 'only items whose AI analysis has this category')
    .option('--require-analysis', 'only items whose AI analysis has arrived')
    .option('--url <url>', 'the server (default: env GROUNDTRUTH_URL)')
    .option('--token <token>', 'an API token (default: env GROUNDTRUTH_TOKEN; the env keeps it out of the process list)')
    .addHelpText(
      'after',
      '\nExamples:\n  GROUNDTRUTH_URL=http://127.0.0.1:8787 GROUNDTRUTH_TOKEN=gt_… npx groundtruth review --date 2026-11-30 --limit 5\n' +
        '  npx groundtruth review --days 7 --limit 20 --category configuration_error --require-analysis',
    )
    .action(async (flags: ReviewFlags) => {
      const opts = reviewOptions(flags);
      if (!process.stdin.isTTY || !process.stdout.isTTY) throw new Error('review asks questions: run it in a terminal (stdin and stdout must be a TTY)');
      await runReview(opts);
    });
}
