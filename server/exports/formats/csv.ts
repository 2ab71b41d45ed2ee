/**
 * One row per record for spreadsheets. Rated text is untrusted (OWASP "CSV injection"):
 * - a line starting with = + - @ (or tab / carriage return, or their full-width forms) would run as
 *   a formula, so a single quote goes before every such line of a cell, not only its first: a
 *   reader that splits rows on any line break (or a cell pasted line by line) sees no formula;
 * - every cell holding CR, LF, the delimiter or a quote is quoted. csv-stringify quotes only a cell
 *   holding the whole record delimiter (CRLF), so a lone LF or CR used to end the row in a
 *   spreadsheet and start a new, unescaped one (issue 13; test: ../csv-line-breaks.test.ts).
 */
import { stringify } from 'csv-stringify/sync';
import type { FeedbackTable } from '../../store/schema.ts';
import { rowToFeedback } from '../../store/feedback-read.ts';
import type { RecordFormat } from './types.ts';
import { CSV_FIELDS, valueAt } from '../../../shared/feedback-fields.ts';

/**
 * The header, from the one description of the record (shared/feedback-fields.ts, `csv`). The order
 * of the columns before `criterion` is the order this file always had; new columns go last.
 */
export const CSV_COLUMNS: readonly string[] = CSV_FIELDS.map((f) => f.header);

const OPTIONS = { quoted_match: /[\r\n",]/, record_delimiter: '\r\n' } as const;

/**
 * A line start (cell start, or after LF or CR) followed by what a spreadsheet reads as a formula.
 * Zero-width, so a CR is both a line end and a formula prefix: `\r=1` becomes `'\r'=1`.
 */
const FORMULA_LINE = /(?<=^|\n|\r)(?=[=+\-@\t\r＝＋－＠])/g;

/** Puts a single quote before every line of `text` that would start a formula. */
export function neutraliseFormulas(text: string): string {
  return text.replace(FORMULA_LINE, "'");
}

/** One cell: lists joined, the correction by its corrected output, JSON objects serialized, absent empty. */
function cell(path: string, value: unknown): string | number {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return neutraliseFormulas(value);
  if (Array.isArray(value)) return neutraliseFormulas(value.join(', '));
  if (path === 'correction') return neutraliseFormulas((value as { output?: string }).output ?? '');
  return neutraliseFormulas(JSON.stringify(value));
}

function cells(row: FeedbackTable): (string | number)[] {
  const f = rowToFeedback(row);
  return CSV_FIELDS.map(({ path }) => cell(path, valueAt(f, path)));
}

export const csv: RecordFormat = {
  name: 'csv',
  description: 'One row per record, safe to open in a spreadsheet (formula lines neutralised, line breaks quoted)',
  contentType: 'text/csv; charset=utf-8',
  extension: 'csv',
  mode: 'records',
  header: stringify([[...CSV_COLUMNS]], OPTIONS),
  line: (row) => stringify([cells(row)], OPTIONS),
};
