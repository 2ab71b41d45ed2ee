/**
 * A review session: fetch the queue, show each item, ask, send, show progress
 * ("5/20 reviewed, 3 with feedback"), and end with a summary — after the last item, or when the
 * reviewer stops (q or Ctrl+C). Resuming is running the command again: a rated item has live
 * feedback, so it is no longer in the unrated queue. A skipped item sends nothing, so it stays in
 * the queue and comes back in the next session (once per session: it is not asked again in this one).
 */
import { intro, log, note, outro } from '@clack/prompts';
import { terminalText, tty } from '../terminal-text.ts';
import { fetchQueue, sendFeedback, type QueueItem } from './api.ts';
import { aiAnalysis, reviewFeedback } from './feedback.ts';
import type { ReviewOptions } from './options.ts';
import { askItem } from './prompts.ts';
import { analysisLines, contextLines } from './show.ts';

export interface SessionResult {
  total: number;
  reviewed: number;
  withFeedback: number;
  skipped: number;
  stopped: boolean;
}

export const progressLine = (r: Pick<SessionResult, 'reviewed' | 'total' | 'withFeedback'>) => `${r.reviewed}/${r.total} reviewed, ${r.withFeedback} with feedback`;

function describeFilters(opts: ReviewOptions): string {
  const f = opts.described;
  const parts = [
    f.date ? `on ${f.date}` : f.days ? `in the last ${f.days} day(s)` : 'of any date',
    f.subject && `subject ${f.subject}`,
    f.category && `category ${f.category}`,
    f.hasAnalysis && 'with an AI analysis',
  ].filter(Boolean);
  return terminalText(parts.join(', '));
}

export async function runReview(opts: ReviewOptions): Promise<SessionResult> {
  const queue = await fetchQueue(opts);
  intro(tty`Groundtruth review · ${opts.url}`);
  const result: SessionResult = { total: queue.length, reviewed: 0, withFeedback: 0, skipped: 0, stopped: false };
  if (!queue.length) {
    outro(`Nothing to review: no unrated items ${describeFilters(opts)}.`);
    return result;
  }
  log.info(`${queue.length} unrated item(s) ${describeFilters(opts)} (newest first, at most ${opts.limit}).`);
  // Ctrl+C inside a question is the prompt's cancel; between questions (while sending) it is a
  // signal: finish sending the item, then stop as if asked.
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
  };
  process.on('SIGINT', onSignal);
  try {
    await reviewQueue(queue, opts, result, () => interrupted);
  } finally {
    process.off('SIGINT', onSignal);
  }
  const skipped = result.skipped ? `; ${result.skipped} skipped (they stay in the queue and come back next run)` : '';
  if (result.stopped) {
    outro(`Stopped: ${progressLine(result)}${skipped}. Run the same command again to resume: rated items have left the queue.`);
  } else outro(`Done: ${progressLine(result)}${skipped}.`);
  return result;
}

async function reviewQueue(queue: QueueItem[], opts: ReviewOptions, result: SessionResult, interrupted: () => boolean): Promise<void> {
  for (const [i, item] of queue.entries()) {
    if (interrupted()) {
      result.stopped = true;
      return;
    }
    note(contextLines(item).join('\n'), terminalText(`Error ${i + 1}/${queue.length} · ${item.kind}`));
    note(analysisLines(item).join('\n'), 'AI analysis');
    const outcome = await askItem(aiAnalysis(item), `${i + 1}/${queue.length}`);
    if (outcome.kind === 'stopped') {
      result.stopped = true;
      return;
    }
    if (outcome.kind === 'rated') {
      try {
        await sendFeedback(opts, reviewFeedback(item, outcome.answers));
      } catch (err) {
        throw new Error(`${(err as Error).message}; item ${i + 1} was not saved (${progressLine(result)} before it)`);
      }
      result.withFeedback++;
    } else result.skipped++;
    result.reviewed++;
    log.step(progressLine(result));
  }
}
