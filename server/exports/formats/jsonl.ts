/** Full records, one JSON object per line, exactly as the API returns them; `groundtruth import` restores them. */
import { rowToFeedback } from '../../store/feedback-read.ts';
import { jsonLine, type RecordFormat } from './types.ts';

export const jsonl: RecordFormat = {
  name: 'jsonl',
  description: 'Full feedback records as JSON lines (restorable with `groundtruth import`)',
  contentType: 'application/x-ndjson; charset=utf-8',
  extension: 'jsonl',
  mode: 'records',
  line: (row) => jsonLine(rowToFeedback(row)),
};
