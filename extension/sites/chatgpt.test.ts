// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { chatgpt } from './chatgpt.ts';
import { keysOn, keysWithWidgets, loadSiteFixture } from '../../test/helpers/sites.ts';

const FIXTURE = 'chatgpt/chat-simple.html';
const URL_ = new URL('https://chatgpt.com/c/697b1066-3e40-8322-8670-d2c03bdf20db');

describe('chatgpt adapter on a saved page', () => {
  beforeEach(() => {
    loadSiteFixture(FIXTURE);
  });

  it('matches chatgpt.com and chat.openai.com only', () => {
    expect(chatgpt.matches(URL_)).toBe(true);
    expect(chatgpt.matches(new URL('https://chat.openai.com/c/x'))).toBe(true);
    expect(chatgpt.matches(new URL('https://claude.ai/chat/x'))).toBe(false);
    expect(chatgpt.matches(new URL('https://chatgpt.com.evil.example/c/x'))).toBe(false);
  });

  it('finds the 6 answers, none streaming', () => {
    const answers = chatgpt.findAnswers(document);
    expect(answers).toHaveLength(6);
    expect(answers.map((a, i) => chatgpt.isStreaming(a, i === answers.length - 1))).toEqual(Array(6).fill(false));
  });

  it("keys are the site's message ids: unique, and stable across reloads and our widgets", () => {
    const keys = keysOn(chatgpt, FIXTURE, URL_);
    expect(keys[0]).toBe('chatgpt.com:d6c3824e-9c23-4bfe-b8fb-9127dfc0ee9a');
    expect(new Set(keys).size).toBe(6);
    expect(keysOn(chatgpt, FIXTURE, URL_)).toEqual(keys);
    expect(keysWithWidgets(chatgpt, FIXTURE, URL_)).toEqual(keys);
  });

  it('reads prompt, earlier turns, model per message and conversation id', () => {
    const answers = chatgpt.findAnswers(document);
    const first = chatgpt.capture(answers[0]!, URL_);
    expect(first).toMatchObject({
      output: 'はい',
      prompt: 'ChatGPTのhtml構造をテストするための質問です。「はい」とだけ答えて。',
      model: 'gpt-5-2',
      conversationId: '697b1066-3e40-8322-8670-d2c03bdf20db',
    });
    expect(first.messages).toBeUndefined();

    const second = chatgpt.capture(answers[1]!, URL_);
    expect(second.prompt).toBe('次は「いいえ」だけ答えて');
    expect(second.messages).toEqual([
      { role: 'user', content: 'ChatGPTのhtml構造をテストするための質問です。「はい」とだけ答えて。' },
      { role: 'assistant', content: 'はい' },
    ]);

    expect(chatgpt.capture(answers[2]!, URL_).model).toBe('research');
    // The deep-research report: a second answer to the same prompt, no model slug on it.
    const report = chatgpt.capture(answers[4]!, URL_);
    expect(report.prompt).toBe('ChatGPT の提供する機能についてまとめてください。');
    expect(report.model).toBeUndefined();
    expect(report.output).toMatch(/^ChatGPTの機能概要\n/);
  });

  it('keeps formulas as TeX and leaves citation pills and buttons out', () => {
    const answers = chatgpt.findAnswers(document);
    const math = chatgpt.capture(answers[5]!, URL_).output;
    expect(math).toContain('$ax + b = 0$');
    expect(math).not.toMatch(/ax\+b=0ax/);
    const report = chatgpt.capture(answers[4]!, URL_).output;
    expect(report).not.toContain('help.openai.com');
  });

  it('sees an answer still streaming, and the last answer while the Stop button shows', () => {
    const answers = chatgpt.findAnswers(document);
    expect(chatgpt.anyStreaming(document)).toBe(false);
    answers[5]!.querySelector('.markdown')!.classList.add('result-streaming');
    expect(chatgpt.anyStreaming(document)).toBe(true);
    expect(chatgpt.isStreaming(answers[5]!, true)).toBe(true);
    answers[5]!.querySelector('.markdown')!.classList.remove('result-streaming');
    const stop = document.createElement('button');
    stop.setAttribute('data-testid', 'stop-button');
    document.body.append(stop);
    expect(chatgpt.anyStreaming(document)).toBe(true);
    expect(chatgpt.isStreaming(answers[5]!, true)).toBe(true);
    expect(chatgpt.isStreaming(answers[4]!, false)).toBe(false);
  });

  it('places the widget after the answer, outside the site buttons', () => {
    for (const answer of chatgpt.findAnswers(document)) {
      const anchor = chatgpt.anchor(answer);
      expect(anchor.closest('button, [role="group"]')).toBeNull();
      expect(anchor.querySelector('[data-testid$="-turn-action-button"]')).toBeNull();
    }
  });

  it('falls back to the turn articles when message divs lose their role attribute', () => {
    for (const el of document.querySelectorAll('[data-message-author-role]')) el.removeAttribute('data-message-author-role');
    const answers = chatgpt.findAnswers(document);
    expect(answers).toHaveLength(6);
    expect(chatgpt.key(answers[0]!, 0, URL_)).toBe('chatgpt.com:d6c3824e-9c23-4bfe-b8fb-9127dfc0ee9a');
    expect(chatgpt.capture(answers[1]!, URL_).prompt).toBe('次は「いいえ」だけ答えて');
  });

  it('reads the conversation id from every URL shape', () => {
    expect(chatgpt.conversationId(new URL('https://chatgpt.com/g/g-abc-thing/c/68a-12'))).toBe('68a-12');
    expect(chatgpt.conversationId(new URL('https://chatgpt.com/share/abc-1'))).toBe('abc-1');
    expect(chatgpt.conversationId(new URL('https://chatgpt.com/'))).toBeUndefined();
  });
});
