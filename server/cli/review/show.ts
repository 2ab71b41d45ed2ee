/**
 * What the reviewer sees of an item before the prompts: the error context (DAG, task, run, error
 * message, the end of the log) and the AI analysis, side by side as two notes. All of it is text
 * that pipelines sent, so every value goes through terminal-text.ts (controls shown as escapes)
 * and is clipped: a log of thousands of lines is not a review screen.
 */
import { ANALYSIS_FIELDS } from '../../../shared/analysis.ts';
import { terminalText } from '../terminal-text.ts';
import type { QueueItem } from './api.ts';
import { aiAnalysis } from './feedback.ts';

export const SHOW_LIMITS = {
  /** Characters of one shown line (a longer one ends in …). */
  lineChars: 160,
  /** Lines of a long text (the error message, the output, the reasoning). */
  textLines: 8,
  /** The last lines of the log context: the failure is usually at its end. */
  logLines: 12,
} as const;

const clipLine = (line: string) => (line.length > SHOW_LIMITS.lineChars ? `${line.slice(0, SHOW_LIMITS.lineChars - 1)}…` : line);

/** A multi-line value as shown lines: each through terminalText, clipped, at most `max` (from the start or, with `tail`, the end). */
export function shownLines(value: unknown, max: number = SHOW_LIMITS.textLines, tail = false): string[] {
  const lines = String(value ?? '')
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((l) => clipLine(terminalText(l)));
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  if (lines.length <= max) return lines;
  const cut = `… ${lines.length - max} more line(s)`;
  return tail ? [cut, ...lines.slice(-max)] : [...lines.slice(0, max), cut];
}

/** One shown value for a single line (a placeholder, a label): controls escaped, line feeds too. */
export const shownValue = (value: unknown) => clipLine(terminalText(value));

function labelled(label: string, value: unknown, opts: { max?: number; tail?: boolean } = {}): string[] {
  if (value === undefined || value === null || value === '') return [];
  const lines = shownLines(value, opts.max, opts.tail);
  if (lines.length === 1) return [`${label}: ${lines[0]}`];
  return [`${label}:`, ...lines.map((l) => `  ${l}`)];
}

/** The error context: where it happened and what the log says. */
export function contextLines(item: QueueItem): string[] {
  const c = (item.context ?? {}) as Record<string, unknown>;
  return [
    ...labelled('Subject', item.subject ?? c.dag_id),
    ...labelled('Task', c.task_id),
    ...labelled('Run', c.run_id),
    ...labelled('Model', item.model),
    ...labelled('Posted', item.createdAt),
    ...labelled('Error', c.error_message),
    ...labelled('Log (end)', c.log_context, { max: SHOW_LIMITS.logLines, tail: true }),
    ...labelled('Input', c.log_context === undefined ? item.input : undefined),
  ];
}

/** The AI analysis: each analysis field, then the raw output. */
export function analysisLines(item: QueueItem): string[] {
  const ai = aiAnalysis(item) as Record<string, unknown>;
  // Blind review: the server withheld the prediction until this reviewer submits (docs/api/queues.md).
  if (item.blinded) return ['Blind review: the AI\'s predicted analysis is shown after you submit your review.', ...labelled('Output', item.output)];
  if (item.state === 'awaiting_analysis' && Object.keys(ai).length === 0) return ['No AI analysis yet (awaiting analysis).', ...labelled('Output', item.output)];
  return [...ANALYSIS_FIELDS.flatMap((f) => labelled(f.label, ai[f.name])), ...labelled('Output', item.output)];
}
