// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { perplexity } from './perplexity.ts';
import { keysOn, keysWithWidgets, loadSiteFixture } from '../../test/helpers/sites.ts';

const FIXTURE = 'perplexity/chat-simple.html';
const URL_ = new URL('https://www.perplexity.ai/search/perplexitynohtmlgou-zao-wotesu-abc.DEF_12');

describe('perplexity adapter on a saved page', () => {
  beforeEach(() => {
    loadSiteFixture(FIXTURE);
  });

  it('matches perplexity.ai only', () => {
    expect(perplexity.matches(URL_)).toBe(true);
    expect(perplexity.matches(new URL('https://perplexity.ai/search/x'))).toBe(true);
    expect(perplexity.matches(new URL('https://example.com/search/x'))).toBe(false);
  });

  it('finds the 3 answers, none streaming', () => {
    const answers = perplexity.findAnswers(document);
    expect(answers).toHaveLength(3);
    expect(answers.map((a) => a.id)).toEqual(['markdown-content-0', 'markdown-content-1', 'markdown-content-2']);
    expect(answers.some((a, i) => perplexity.isStreaming(a, i === 2))).toBe(false);
  });

  it('keys: site + thread + position + content hash, unique and stable across reloads and our widgets', () => {
    const keys = keysOn(perplexity, FIXTURE, URL_);
    expect(keys[2]).toMatch(/^perplexity\.ai:perplexitynohtmlgou-zao-wotesu-abc\.DEF_12:2:[0-9a-f]{14}$/);
    expect(new Set(keys).size).toBe(3);
    expect(keysOn(perplexity, FIXTURE, URL_)).toEqual(keys);
    expect(keysWithWidgets(perplexity, FIXTURE, URL_)).toEqual(keys);
  });

  it('reads each answer its own query (the first is an h1, later ones divs) and the thread id', () => {
    const answers = perplexity.findAnswers(document);
    const captures = answers.map((a) => perplexity.capture(a, URL_));
    // The saved page really lacks the first letter of "Perplexity".
    expect(captures.map((c) => c.prompt)).toEqual([
      'erplexityのhtml構造をテストするための質問です。「はい」とだけ答えて。',
      '次は「いいえ」だけ答えて',
      'LaTeX 形式でいくつか数式を表示して',
    ]);
    expect(captures[0]!.output).toBe('はい。');
    expect(captures[1]!.messages).toHaveLength(2);
    expect(captures[2]!.output).toContain('$x = \\dfrac{-b \\pm \\sqrt{b^2 - 4ac}}{2a}$');
    expect(captures[0]!.conversationId).toBe('perplexitynohtmlgou-zao-wotesu-abc.DEF_12');
    expect(captures[0]!.model).toBeUndefined();
  });

  it('the last answer streams while a Stop button shows', () => {
    const answers = perplexity.findAnswers(document);
    const stop = document.createElement('button');
    stop.setAttribute('aria-label', 'Stop');
    document.body.append(stop);
    expect(perplexity.isStreaming(answers[2]!, true)).toBe(true);
    expect(perplexity.isStreaming(answers[1]!, false)).toBe(false);
  });

  it('places the widget after the answer, outside the action bar', () => {
    for (const answer of perplexity.findAnswers(document)) {
      expect(perplexity.anchor(answer).closest('button')).toBeNull();
    }
  });
});

const BUBBLE = 'perplexity/2026-09-built.html';
const BUBBLE_URL = new URL('https://www.perplexity.ai/search/how-long-do-bees-live-Qm3x.Rk7TzOa1b2c3d4e5f');
const QUERIES = ['How long does a worker honey bee live?', 'And a bumblebee?\nAnswer for the workers only.', 'Why do summer workers die so fast?'];

describe('perplexity adapter on the 2026-09 query bubble (built page)', () => {
  beforeEach(() => {
    loadSiteFixture(BUBBLE);
  });

  it('finds the 3 answers and the 3 queries of the bubble layout; the older query markup still counts', () => {
    expect(perplexity.findAnswers(document)).toHaveLength(3);
    expect(perplexity.survey!(document)).toEqual({ layout: '2026-09', fallback: false, answers: 3, userTurns: 3 });
    loadSiteFixture(FIXTURE);
    expect(perplexity.survey!(document)).toEqual({ layout: '2026-09', fallback: false, answers: 3, userTurns: 3 });
  });

  it('reads each answer its own query from the bubble (paragraphs kept), without citation pills', () => {
    const captures = perplexity.findAnswers(document).map((a) => perplexity.capture(a, BUBBLE_URL));
    expect(captures.map((c) => c.prompt)).toEqual(QUERIES);
    expect(captures[0]!.output).toBe(
      'A summer worker lives about five to six weeks; workers born in autumn live through the winter, four to six months.\nQueens live for several years.',
    );
    expect(captures[2]!.messages).toEqual([
      { role: 'user', content: QUERIES[0] },
      { role: 'assistant', content: captures[0]!.output },
      { role: 'user', content: QUERIES[1] },
      { role: 'assistant', content: 'Bumblebee workers live about two to four weeks.' },
    ]);
    expect(captures[0]!.conversationId).toBe('how-long-do-bees-live-Qm3x.Rk7TzOa1b2c3d4e5f');
  });

  it('falls back to the bubble itself when the group class goes', () => {
    for (const el of document.querySelectorAll('[class*="group/user-bubble"]')) el.classList.remove('group/user-bubble');
    const answers = perplexity.findAnswers(document);
    expect(answers.map((a) => perplexity.capture(a, BUBBLE_URL).prompt)).toEqual(QUERIES);
  });

  it('keys are unique, stable across reloads, our widgets and a turn mounted again', () => {
    const keys = keysOn(perplexity, BUBBLE, BUBBLE_URL);
    expect(new Set(keys).size).toBe(3);
    expect(keysWithWidgets(perplexity, BUBBLE, BUBBLE_URL)).toEqual(keys);
    loadSiteFixture(BUBBLE);
    const turn = perplexity.findAnswers(document)[1]!.closest('.border-t')!;
    const next = turn.nextElementSibling!;
    turn.remove();
    next.before(turn.cloneNode(true));
    const answers = perplexity.findAnswers(document);
    expect(answers.map((a, i) => perplexity.key(a, i, BUBBLE_URL))).toEqual(keys);
    expect(perplexity.slot!(answers[1]!, 1)).toBe('1');
  });

  it('survey says none when the answers are renamed, and a selector pack restores them', () => {
    for (const el of document.querySelectorAll('div[id^="markdown-content-"]')) el.id = el.id.replace('markdown-content-', 'answer-content-');
    for (const el of document.querySelectorAll('.prose.inline')) el.classList.remove('inline');
    expect(perplexity.findAnswers(document)).toHaveLength(0);
    expect(perplexity.survey!(document)).toEqual({ layout: 'none', fallback: false, answers: 0, userTurns: 3 });
    const packed = perplexity.withPack({ answer: ['div[id^="answer-content-"]'] }, 2);
    const answers = packed.findAnswers(document);
    expect(packed.survey!(document)).toEqual({ layout: 'pack', fallback: false, answers: 3, userTurns: 3 });
    expect(packed.capture(answers[1]!, BUBBLE_URL).prompt).toBe(QUERIES[1]);
  });
});
