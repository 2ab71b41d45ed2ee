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
