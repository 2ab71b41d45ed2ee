// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { findQuote, quoteOf } from './quote.ts';

describe('text quotes', () => {
  it('records exact text, context and offsets of a selection across elements', () => {
    document.body.innerHTML = '<p>Alpha <b>beta</b> gamma</p><p>delta</p>';
    const range = document.createRange();
    range.setStart(document.querySelector('b')!.firstChild!, 1);
    range.setEnd(document.querySelectorAll('p')[1]!.firstChild!, 2);
    const quote = quoteOf(range, document.body);
    expect(quote).toEqual({ exact: 'eta gammade', prefix: 'Alpha b', suffix: 'lta', start: 7, end: 18 });
    expect(findQuote(quote, document.body.textContent!)).toEqual({ start: 7, end: 18 });
  });

  it('finds a quote again after the page changed, by its context', () => {
    const quote = { exact: 'gamma', prefix: 'beta ', suffix: ' delta', start: 11, end: 16 };
    expect(findQuote(quote, 'New intro. Alpha beta gamma delta')).toEqual({ start: 22, end: 27 });
    expect(findQuote(quote, 'no such text')).toBeNull();
  });
});
