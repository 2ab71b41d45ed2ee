import { describe, expect, it } from 'vitest';
import { columnsFromRecord } from '../../../shared/feedback-fields.ts';
import { rowToFeedback } from '../../store/feedback-read.ts';
import type { FeedbackTable } from '../../store/schema.ts';
import { jsonLine } from './types.ts';
import { recordLine } from './jsonl.ts';

function rowOf(record: Record<string, unknown> | string, extra: Partial<FeedbackTable> = {}): FeedbackTable {
  const text = typeof record === 'string' ? record : JSON.stringify(record);
  const parsed = JSON.parse(text) as Record<string, unknown>;
  return {
    ...columnsFromRecord(parsed),
    workspace_id: 'w', rater_id: 'r1', client_id: null, source_channel: 'extension', received_at: '2026-02-01T00:00:01.000Z',
    record: text, content_hash: 'h', ...extra,
  } as FeedbackTable;
}

const base = {
  id: 'f1',
  target: { kind: 'chat_response', key: 'k', model: 'gpt', prompt: 'p', output: 'o', context: { b: 1, 2: 'two', nested: { '10': 1, a: [1.5, 1e21] } } },
  rating: { thumb: 'up' },
  createdAt: '2026-02-01T00:00:00.000Z',
  updatedAt: '2026-02-01T00:00:00.000Z',
};

describe('recordLine (the JSONL fast path)', () => {
  const cases: [string, FeedbackTable][] = [
    ['a plain record', rowOf(base)],
    ['a client id and a judge', rowOf(base, { client_id: 'c-1', source_type: 'model', source_name: 'judge "one"' })],
    ['text that needs escaping', rowOf({ ...base, comment: 'line\nbreak "quoted" \\ \u2028 \u0007 é 日本 \ud800 😀', tags: ['a', 'b'] })],
    ['a criterion in the record', rowOf({ ...base, criterion: 'tone' })],
    ['a source in the record', rowOf({ ...base, source: { type: 'model', name: 'j' } }, { source_type: 'model', source_name: 'j' })],
    ['"source" only inside the context', rowOf({ ...base, target: { ...base.target, context: { source: 'x' } } })],
    ['server keys stored in an old record', rowOf({ ...base, receivedAt: 'old', raterId: 'old' })],
    ['an empty record', rowOf('{}')],
    ['a record stored with spaces and breaks', rowOf('{\n  "id": "f1",\n  "rating": {"thumb": "up"}\n}')],
    ['a tombstone', rowOf({ id: 'f1', updatedAt: base.updatedAt }, { deleted: 1 })],
    ['no record text', { ...rowOf(base), record: null }],
  ];
  it.each(cases)('%s: the same bytes as serializing rowToFeedback', (_name, row) => {
    expect(recordLine(row)).toBe(jsonLine(rowToFeedback(row)));
  });

  it('writes one line per record', () => {
    for (const [, row] of cases) expect(recordLine(row).indexOf('\n')).toBe(recordLine(row).length - 1);
  });
});
