import { describe, expect, it } from 'vitest';
import { reviewFeedback, changedFields } from './feedback.ts';
import { reviewOptions } from './options.ts';
import { contextLines, analysisLines } from './show.ts';
import type { QueueItem } from './api.ts';

const env = { GROUNDTRUTH_URL: 'http://127.0.0.1:8787/', GROUNDTRUTH_TOKEN: 'gt_x' };

describe('review options', () => {
  it('turns the flags into the API query, the server and token from the env or the flags', () => {
    expect(reviewOptions({ days: '7', subject: 'etl', category: 'timeout_error', requireAnalysis: true }, env)).toMatchObject({
      url: 'http://127.0.0.1:8787',
      token: 'gt_x',
      limit: 20,
      filters: { days: '7', subject: 'etl', category: 'timeout_error', hasAnalysis: '1' },
    });
    expect(reviewOptions({ date: '2026-11-30', limit: '5', url: 'https://gt.example', token: 'gt_y' }, env)).toMatchObject({
      url: 'https://gt.example',
      token: 'gt_y',
      limit: 5,
      filters: { date: '2026-11-30' },
    });
  });

  it('refuses conflicting, bad and missing values with the flag named', () => {
    expect(() => reviewOptions({ date: '2026-11-30', days: '3' }, env)).toThrow('conflicting options --date and --days');
    expect(() => reviewOptions({ date: '30/11/2026' }, env)).toThrow('--date must be a date');
    expect(() => reviewOptions({ days: 'week' }, env)).toThrow('--days must be a whole number');
    expect(() => reviewOptions({ limit: '1001' }, env)).toThrow('--limit must be from 1 to 1000');
    expect(() => reviewOptions({}, {})).toThrow('no server: set GROUNDTRUTH_URL');
    expect(() => reviewOptions({}, { GROUNDTRUTH_URL: 'http://h' })).toThrow('no token: set GROUNDTRUTH_TOKEN');
    expect(() => reviewOptions({ url: 'file:///etc' }, env)).toThrow('must be http:// or https://');
  });
});

const item: QueueItem = {
  id: 'i1',
  key: 'k1',
  targetKey: 'item:k1',
  kind: 'error_analysis',
  subject: 'etl',
  model: 'm',
  input: 'log',
  output: 'out',
  context: { task_id: 't\x1b[2J', log_context: Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n') },
  prediction: { category: 'timeout_error', severity: 'high', confidence: 0.8 },
  createdAt: '2026-11-30T10:00:00.000Z',
  updatedAt: '2026-11-30T10:00:00.000Z',
  state: 'ready',
};

describe('review record and screen', () => {
  it('sends the whole corrected analysis only when a field changed', () => {
    const changed = changedFields({ category: 'timeout_error', severity: 'high' }, { category: 'resource_error', severity: 'high' });
    expect(changed).toEqual({ category: 'resource_error' });
    const fb = reviewFeedback(item, { stars: 2, changed, comment: 'disk' }, new Date('2026-12-01T00:00:00Z'));
    expect(fb).toMatchObject({
      target: { kind: 'error_analysis', key: 'item:k1', subject: 'etl', model: 'm', prompt: 'log', output: 'out' },
      rating: { stars: 2 },
      comment: 'disk',
      correction: { fields: { category: 'resource_error', severity: 'high', confidence: 0.8 } },
      createdAt: '2026-12-01T00:00:00.000Z',
    });
    expect(reviewFeedback(item, { stars: 5, changed: {} }).correction).toBeUndefined();
  });

  it('escapes controls and shows the end of a long log', () => {
    const lines = contextLines(item);
    expect(lines).toContain('Task: t\\x1b[2J');
    expect(lines).toContain('  … 18 more line(s)');
    expect(lines.at(-1)).toBe('  line 29');
    expect(analysisLines({ ...item, prediction: undefined, output: undefined, state: 'awaiting_analysis' })[0]).toMatch(/No AI analysis yet/);
    const { prediction: _p, ...rest } = item;
    expect(analysisLines({ ...rest, blinded: true })[0]).toMatch(/^Blind review: the AI's predicted analysis is shown after you submit/);
  });
});
