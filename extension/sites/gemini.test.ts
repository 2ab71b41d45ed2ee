// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { gemini } from './gemini.ts';
import { keysOn, keysWithWidgets, loadSiteFixture } from '../../test/helpers/sites.ts';

const FIXTURE = 'gemini/chat-simple.html';
const URL_ = new URL('https://gemini.google.com/app/6cc71b18a6f630bb');

describe('gemini adapter on a saved page', () => {
  beforeEach(() => {
    loadSiteFixture(FIXTURE);
  });

  it('matches gemini.google.com only', () => {
    expect(gemini.matches(URL_)).toBe(true);
    expect(gemini.matches(new URL('https://google.com/app/x'))).toBe(false);
  });

  it('finds the 3 answers, none streaming', () => {
    const answers = gemini.findAnswers(document);
    expect(answers).toHaveLength(3);
    expect(answers.some((a, i) => gemini.isStreaming(a, i === 2))).toBe(false);
  });

  it("keys are the page's draft ids: unique, stable across reloads and our widgets", () => {
    const keys = keysOn(gemini, FIXTURE, URL_);
    expect(keys).toEqual([
      'gemini.google.com:rc_f21b54661153b9b5',
      'gemini.google.com:rc_18d80c39a7b50175',
      'gemini.google.com:rc_ea6a7403f88ad511',
    ]);
    expect(keysWithWidgets(gemini, FIXTURE, URL_)).toEqual(keys);
  });

  it('falls back to the response id when no draft id is shown', () => {
    for (const el of document.querySelectorAll('[data-test-draft-id]')) el.removeAttribute('data-test-draft-id');
    const answers = gemini.findAnswers(document);
    expect(gemini.key(answers[0]!, 0, URL_)).toBe('gemini.google.com:r_6cc71b18a6f630bb');
  });

  it('reads prompt (without the hidden "your prompt" label), turns, model (mode picker) and conversation id', () => {
    const answers = gemini.findAnswers(document);
    const second = gemini.capture(answers[1]!, URL_);
    expect(second).toMatchObject({
      output: 'いいえ',
      prompt: 'ありがとうございます。次は「いいえ」と回答してください。',
      model: '高速モード',
      conversationId: '6cc71b18a6f630bb',
    });
    expect(second.messages).toEqual([
      { role: 'user', content: 'gemini chat の E2E テストのための質問をします。理解したら「はい」だけ回答してください。' },
      { role: 'assistant', content: 'はい' },
    ]);
    const math = gemini.capture(answers[2]!, URL_).output;
    expect(math).toContain('$$E = mc^2$$');
    expect(math).not.toContain('Gemini の回答');
  });

  it('waits while the answer is aria-busy', () => {
    const answers = gemini.findAnswers(document);
    answers[2]!.querySelector('.markdown')!.setAttribute('aria-busy', 'true');
    expect(gemini.isStreaming(answers[2]!, true)).toBe(true);
  });

  it('places the widget after the answer, outside the message actions', () => {
    for (const answer of gemini.findAnswers(document)) {
      const anchor = gemini.anchor(answer);
      expect(anchor.closest('message-actions, button')).toBeNull();
    }
  });

  it('reads the conversation id of a Gem chat', () => {
    expect(gemini.conversationId(new URL('https://gemini.google.com/gem/coding-partner/abc123'))).toBe('abc123');
  });
});
