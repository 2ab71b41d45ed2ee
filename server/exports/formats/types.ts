import type { FeedbackTable } from '../../store/schema.ts';
import type { ExampleSide, PromptGroup } from '../examples.ts';
import type { MadeBy, Tally } from '../tally.ts';

export interface FormatOptions {
  /** Weights of the `weighted` format. */
  weights: { up: number; down: number };
}

export interface Line {
  side: ExampleSide;
  /** One complete line, newline included. */
  text: string;
  /** How it was made (counted in the manifest's `made`); record formats leave it out (`record`). */
  how?: MadeBy;
}

interface FormatBase {
  name: string;
  description: string;
  contentType: string;
  /** File extension without the dot. */
  extension: string;
}

/** One line per stored record (full records, spreadsheets). */
export interface RecordFormat extends FormatBase {
  mode: 'records';
  /** Written at the top of every file. */
  header?: string;
  /** `row` carries the columns exports select (RECORD_COLUMNS in ../stream.ts), not every column. */
  line(row: FeedbackTable): string;
}

/** Training examples built one prompt at a time (merged, labelled by majority). */
export interface ExampleFormat extends FormatBase {
  mode: 'examples';
  /** Every example of the group becomes a line or is reported to `tally.leftOut` with its reason: none is dropped silently. */
  lines(group: PromptGroup, options: FormatOptions, tally: Tally): Line[];
}

export type Format = RecordFormat | ExampleFormat;

export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}
