// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SiteVisit } from '../../shared/site-health.ts';
import type { SiteAdapter, SiteSurvey } from '../sites/types.ts';
import { createVisitReporter, SETTLE_MS } from './health.ts';

const URL_ = new URL('https://chatgpt.com/c/abc');

/** An adapter over whatever `state` says the page holds. */
function fakeAdapter(state: { survey: SiteSurvey; prompt?: string; throws?: boolean }): SiteAdapter {
  return {
    id: 'chatgpt',
    site: 'chatgpt.com',
    kind: 'chat_response',
    testUrls: [],
    watchAttributes: [],
    matches: () => true,
    findAnswers: () => Array.from({ length: state.survey.answers }, () => document.createElement('div')),
    isStreaming: () => false,
    anyStreaming: () => false,
    key: (_a, i) => `k${i}`,
    conversationId: () => 'abc',
    capture() {
      if (state.throws) throw new Error('renamed');
      return { output: 'the answer text', ...(state.prompt ? { prompt: state.prompt } : {}), conversationId: 'abc' };
    },
    anchor: (a) => a,
    survey: () => state.survey,
    packVersion: 3,
  };
}

let abort: AbortController;
let sent: SiteVisit[];
beforeEach(() => {
  vi.useFakeTimers();
  abort = new AbortController();
  sent = [];
});
afterEach(() => {
  abort.abort();
  vi.useRealTimers();
});

describe('health visits', () => {
  it('a page with answers is counted once, with names and numbers only', () => {
    const adapter = fakeAdapter({ survey: { layout: '2026-09', fallback: false, answers: 4, userTurns: 4 }, prompt: 'secret question' });
    const reporter = createVisitReporter((v) => sent.push(v), abort.signal);
    reporter.observe([adapter], URL_);
    reporter.observe([adapter], URL_);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      site: 'chatgpt.com', adapter: 'chatgpt', layout: '2026-09', fallback: false, pack: 3,
      answers: 4, userTurns: 4, prompt: true, model: false, conversationId: true,
    });
    expect(JSON.stringify(sent)).not.toContain('secret question');
    expect(JSON.stringify(sent)).not.toContain('the answer text');
    // Another URL in the same tab (a single-page app): another visit.
    reporter.observe([adapter], new URL('https://chatgpt.com/c/def'));
    expect(sent).toHaveLength(2);
  });

  it('user turns but no answers: counted once the page settled, unless answers come first', () => {
    const state = { survey: { layout: 'none', fallback: false, answers: 0, userTurns: 3 } };
    const adapter = fakeAdapter(state);
    const reporter = createVisitReporter((v) => sent.push(v), abort.signal);
    reporter.observe([adapter], URL_);
    vi.advanceTimersByTime(SETTLE_MS - 1);
    expect(sent).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([expect.objectContaining({ layout: 'none', answers: 0, userTurns: 3, prompt: false })]);

    const loading = { survey: { layout: 'none', fallback: false, answers: 0, userTurns: 1 }, prompt: 'q' };
    const late = fakeAdapter(loading);
    const other = new URL('https://chatgpt.com/c/other');
    reporter.observe([late], other);
    loading.survey = { layout: '2026-09', fallback: true, answers: 1, userTurns: 1 };
    reporter.observe([late], other);
    vi.advanceTimersByTime(SETTLE_MS * 2);
    expect(sent.slice(1)).toEqual([expect.objectContaining({ layout: '2026-09', fallback: true, answers: 1, prompt: true })]);
  });

  it('an empty page is not a visit; a capture that throws counts as nothing read', () => {
    const reporter = createVisitReporter((v) => sent.push(v), abort.signal);
    reporter.observe([fakeAdapter({ survey: { layout: 'none', fallback: false, answers: 0, userTurns: 0 } })], URL_);
    vi.advanceTimersByTime(SETTLE_MS * 2);
    expect(sent).toHaveLength(0);
    reporter.observe([fakeAdapter({ survey: { layout: 'pack', fallback: false, answers: 2, userTurns: 2 }, throws: true })], URL_);
    expect(sent).toEqual([expect.objectContaining({ layout: 'pack', prompt: false, model: false })]);
  });

  it('nothing is sent after the page went away', () => {
    const reporter = createVisitReporter((v) => sent.push(v), abort.signal);
    reporter.observe([fakeAdapter({ survey: { layout: 'none', fallback: false, answers: 0, userTurns: 2 } })], URL_);
    abort.abort();
    vi.advanceTimersByTime(SETTLE_MS * 2);
    expect(sent).toHaveLength(0);
  });
});
