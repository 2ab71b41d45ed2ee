import { describe, expect, it } from 'vitest';
import { ANALYSIS_FIELDS } from '../../shared/analysis.ts';
import { analysisJson, correctedFields, errorContextPrompt, itemPromptTarget, originalAnalysis } from './analyses.ts';
import { itemReviewExample } from './item-reviews.ts';
import type { ParsedExample } from './examples.ts';

const prediction = { category: 'configuration_error', severity: 'medium', confidence: 0.6, reasoning: 'A bad setting.' };
const context = { dag_id: 'etl', task_id: 'load', run_id: 'r1', error_message: 'boom', log_context: 'line 1\nline 2' };

function parsed(v: ParsedExample | string): ParsedExample {
  expect(typeof v, String(v)).toBe('object');
  return v as ParsedExample;
}

describe('where a review finds its original analysis', () => {
  it('the item first, then the record context (the dashboard), then target.output as JSON', () => {
    const fromItem = originalAnalysis({ prediction }, { target: { context: { prediction: { category: 'x' } }, output: '{"category":"y"}' } });
    expect(fromItem).toEqual({ analysis: prediction, from: 'item' });
    expect(originalAnalysis(undefined, { target: { context: { prediction: { category: 'x' } }, output: '{"category":"y"}' } })).toEqual({ analysis: { category: 'x' }, from: 'record_context' });
    expect(originalAnalysis(undefined, { target: { output: '{"category":"y","other":1}' } })).toEqual({ analysis: { category: 'y' }, from: 'target_output' });
    expect(originalAnalysis({}, { target: { output: 'plain text' } })).toBeNull();
    expect(originalAnalysis({ prediction: {} }, { target: { output: '{"not":"an analysis"}' } })).toBeNull();
  });

  it('new optional item fields (extractedError, state, …) are tolerated and extractedError is used', () => {
    const item = { prediction: { ...prediction, extractedError: 'OOM' }, state: 'ready', createdAt: '2026-01-01T00:00:00Z' } as never;
    expect(originalAnalysis(item, {})?.analysis).toEqual({ ...prediction, extractedError: 'OOM' });
  });
});

describe('corrected fields and the answer JSON', () => {
  it('takes only the analysis fields, ignores empty ones and reads a numeric string as a number', () => {
    expect(correctedFields({ correction: { fields: { category: 'timeout_error', severity: '', confidence: '0.9', note: 'x' } } })).toEqual({
      category: 'timeout_error',
      confidence: 0.9,
    });
    expect(correctedFields({ correction: { fields: { note: 'x' } } })).toBeNull();
    expect(correctedFields({ correction: { output: 'text only' } })).toBeNull();
  });

  it('writes every field in the order of ANALYSIS_FIELDS', () => {
    const json = analysisJson({ reasoning: 'r', confidence: 1, extractedError: 'e', severity: 'low', category: 'c' });
    expect(Object.keys(JSON.parse(json))).toEqual(ANALYSIS_FIELDS.map((f) => f.name));
  });
});

describe('the prompt of a review', () => {
  it('the record’s own prompt, else the item input, else the error context', () => {
    expect(itemPromptTarget({ input: 'in' }, { target: { prompt: 'own', messages: [{ role: 'system', content: 's' }] } })).toEqual({
      prompt: 'own',
      messages: [{ role: 'system', content: 's' }],
    });
    expect(itemPromptTarget({ input: 'in', context }, {})).toEqual({ prompt: 'in' });
    expect(itemPromptTarget({ context }, {})).toEqual({ prompt: 'DAG: etl\nTask: load\nRun: r1\nError: boom\nLog:\nline 1\nline 2' });
    expect(itemPromptTarget(undefined, { target: { context: { error_message: 'boom' } } })).toEqual({ prompt: 'Error: boom' });
    expect(itemPromptTarget(undefined, {})).toBeNull();
    expect(errorContextPrompt({})).toBe('');
  });
});

describe('what a review becomes', () => {
  const item = { prediction, context, output: 'The analysis as text.' };

  it('a correction of fields: the corrected analysis against the original', () => {
    const p = parsed(itemReviewExample({ correction: { fields: { severity: 'critical' } } }, item));
    expect(p.answer).toBeUndefined();
    expect(p.correction).toEqual({ how: 'corrected_analysis', corrected: analysisJson({ ...prediction, severity: 'critical' }), original: analysisJson(prediction) });
    expect(p.prompt()).toEqual([{ role: 'user', content: errorContextPrompt(context) }]);
  });

  it('a correction to what the analysis already said is a rating of it', () => {
    const p = parsed(itemReviewExample({ correction: { fields: { severity: 'medium' } } }, item));
    expect(p.correction).toBeUndefined();
    expect(p.answer).toMatchObject({ how: 'rated_analysis', output: analysisJson(prediction) });
  });

  it('a rating alone rates the analysis; without an analysis, the output as any record', () => {
    expect(parsed(itemReviewExample({}, item)).answer).toMatchObject({ how: 'rated_analysis', output: analysisJson(prediction) });
    const text = parsed(itemReviewExample({}, { context, output: 'The analysis as text.' }));
    expect(text.answer).toMatchObject({ how: 'rated_output', output: 'The analysis as text.' });
    const corrected = parsed(itemReviewExample({ correction: { output: 'Better text.' } }, item));
    expect(corrected.correction).toEqual({ how: 'corrected_output', corrected: 'Better text.', original: 'The analysis as text.' });
  });

  it('says why a review cannot be used', () => {
    expect(itemReviewExample({ correction: { fields: { confidence: 7 } } }, item)).toBe('invalid_corrected_analysis');
    expect(itemReviewExample({}, undefined)).toBe('no_prompt');
    expect(itemReviewExample({}, { input: 'in' })).toBe('no_answer');
  });

  it('the same review of the same prompt merges; another analysis does not', () => {
    const a = parsed(itemReviewExample({}, item));
    const b = parsed(itemReviewExample({ target: { context: { prediction: {} } } }, item));
    const c = parsed(itemReviewExample({}, { ...item, prediction: { ...prediction, severity: 'low' } }));
    expect(b.promptHash).toBe(a.promptHash);
    expect(b.answer!.key).toBe(a.answer!.key);
    expect(c.answer!.key).not.toBe(a.answer!.key);
  });
});
