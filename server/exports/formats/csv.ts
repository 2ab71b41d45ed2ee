/**
 * One row per record for spreadsheets. Rated text is untrusted: a cell starting with = + - @
 * (or tab / carriage return, or their full-width forms) would run as a formula, so csv-stringify's
 * escape_formulas prefixes it with a single quote (OWASP "CSV injection").
 */
import { stringify } from 'csv-stringify/sync';
import type { FeedbackTable } from '../../store/schema.ts';
import { rowToFeedback } from '../../store/feedback.ts';
import type { RecordFormat } from './types.ts';

export const CSV_COLUMNS = [
  'id', 'createdAt', 'updatedAt', 'receivedAt', 'workspaceId', 'raterId', 'kind', 'key', 'site', 'url', 'model', 'intent',
  'project', 'subject', 'conversationId', 'thumb', 'stars', 'label', 'comment', 'tags', 'prompt', 'output', 'correction',
  'context',
] as const;

const OPTIONS = { escape_formulas: true, record_delimiter: '\r\n' } as const;

function cells(row: FeedbackTable): (string | number)[] {
  const f = rowToFeedback(row);
  const t = f.target;
  return [
    f.id, f.createdAt, f.updatedAt, f.receivedAt, f.workspaceId, f.raterId, t.kind, t.key, t.site ?? '', t.url ?? '',
    t.model ?? '', t.intent ?? '', t.project ?? '', t.subject ?? '', t.conversationId ?? '', f.rating.thumb ?? '',
    f.rating.stars ?? '', f.rating.label ?? '', f.comment ?? '', (f.tags ?? []).join(', '), t.prompt ?? '', t.output ?? '',
    f.correction?.output ?? '', t.context ? JSON.stringify(t.context) : '',
  ];
}

export const csv: RecordFormat = {
  name: 'csv',
  description: 'One row per record, safe to open in a spreadsheet (formula cells neutralised)',
  contentType: 'text/csv; charset=utf-8',
  extension: 'csv',
  mode: 'records',
  header: stringify([[...CSV_COLUMNS]], OPTIONS),
  line: (row) => stringify([cells(row)], OPTIONS),
};
