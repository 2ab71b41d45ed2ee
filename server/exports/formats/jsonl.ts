/**
 * Full records, one JSON object per line, exactly as the API returns them; `groundtruth import`
 * restores them.
 *
 * The line is `rowToFeedback(row)` serialized. Parsing a 1 KB record and serializing it again is
 * most of an export's time (issue 19, item 4: ~31k rows/s at 1M ratings), so `recordLine` splices
 * the server's fields onto the stored JSON text instead, when that gives the same bytes: the record
 * was stored by `JSON.stringify` (server/store/feedback.ts, validate), whose output parses and
 * serializes back to itself, and rowToFeedback's spread then appends the server's keys after the
 * record's own. It falls back to the full path whenever the record holds any of those keys (the
 * spread would replace them in place, or `criterion` would keep its place), or is a tombstone, or
 * its text is not one line of a JSON object; JSON escaping is still JSON.stringify's in both
 * paths. formats/jsonl.test.ts checks both paths give the same bytes.
 */
import { DEFAULT_CRITERION } from '../../../shared/schemas.ts';
import { rowToFeedback } from '../../store/feedback-read.ts';
import type { FeedbackTable } from '../../store/schema.ts';
import { jsonLine, type RecordFormat } from './types.ts';

/**
 * A record that mentions a key rowToFeedback sets, anywhere, takes the full path; so does one with a
 * raw line break (JSON.stringify never writes one: a line stays one line). One regular expression,
 * one pass over the text.
 */
const NOT_SPLICEABLE = /"(?:criterion|source|receivedAt|raterId|workspaceId|clientId|deleted)"|[\r\n]/;
const CRITERION = `"criterion":${JSON.stringify(DEFAULT_CRITERION)}`;

/** The stored text, when the splice is exact; else null. */
function spliceable(text: string | null): string | null {
  if (text === null || text.length < 2 || text.charCodeAt(0) !== 123 /* { */ || text.charCodeAt(text.length - 1) !== 125 /* } */) return null;
  return NOT_SPLICEABLE.test(text) ? null : text;
}

/** `jsonLine(rowToFeedback(row))`, without parsing the record where the result is the same. */
export function recordLine(row: FeedbackTable): string {
  const text = row.deleted || row.client_id === undefined ? null : spliceable(row.record);
  if (text === null) return jsonLine(rowToFeedback(row));
  const source = row.source_name
    ? `{"type":${JSON.stringify(row.source_type)},"channel":${JSON.stringify(row.source_channel)},"name":${JSON.stringify(row.source_name)}}`
    : `{"type":${JSON.stringify(row.source_type)},"channel":${JSON.stringify(row.source_channel)}}`;
  const open = text.length === 2 ? '' : ',';
  return (
    `${text.slice(0, -1)}${open}${CRITERION},"source":${source},"receivedAt":${JSON.stringify(row.received_at)}` +
    `,"raterId":${JSON.stringify(row.rater_id)},"workspaceId":${JSON.stringify(row.workspace_id)},"clientId":${JSON.stringify(row.client_id)}}\n`
  );
}

export const jsonl: RecordFormat = {
  name: 'jsonl',
  description: 'Full feedback records as JSON lines (restorable with `groundtruth import`)',
  contentType: 'application/x-ndjson; charset=utf-8',
  extension: 'jsonl',
  mode: 'records',
  line: recordLine,
};
