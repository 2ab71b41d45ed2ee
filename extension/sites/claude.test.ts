// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { claude } from './claude.ts';
import { keysOn, keysWithWidgets, loadSiteFixture } from '../../test/helpers/sites.ts';

const FIXTURE = 'claude/chat-simple.html';
const URL_ = new URL('https://claude.ai/chat/3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f');

describe('claude adapter on a saved page', () => {
  beforeEach(() => {
    loadSiteFixture(FIXTURE);
  });

  it('matches claude.ai only', () => {
    expect(claude.matches(URL_)).toBe(true);
    expect(claude.matches(new URL('https://chatgpt.com/c/x'))).toBe(false);
  });

  it('finds the 7 answers, none streaming', () => {
    const answers = claude.findAnswers(document);
    expect(answers).toHaveLength(7);
    expect(answers.every((a) => a.getAttribute('data-is-streaming') === 'false')).toBe(true);
    expect(answers.some((a, i) => claude.isStreaming(a, i === 6))).toBe(false);
  });

  it('keys: site + conversation + position + content hash, unique and stable across reloads and our widgets', () => {
    const keys = keysOn(claude, FIXTURE, URL_);
    expect(keys[0]).toMatch(/^claude\.ai:3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f:0:[0-9a-f]{14}$/);
    expect(new Set(keys).size).toBe(7);
    expect(keysOn(claude, FIXTURE, URL_)).toEqual(keys);
    expect(keysWithWidgets(claude, FIXTURE, URL_)).toEqual(keys);
  });

  it('a different text at the same position is a different key (a retried answer)', () => {
    const answers = claude.findAnswers(document);
    const before = claude.key(answers[1]!, 1, URL_);
    answers[1]!.querySelector('p')!.textContent = 'はい、いいえ';
    expect(claude.key(answers[1]!, 1, URL_)).not.toBe(before);
  });

  it('reads prompt, earlier turns, model (the picker) and conversation id', () => {
    const answers = claude.findAnswers(document);
    expect(claude.capture(answers[0]!, URL_)).toMatchObject({
      output: 'はい',
      prompt: 'Claude の html構造をテストするための質問です。「はい」とだけ答えて。',
      model: 'Opus 4.5',
      conversationId: '3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f',
    });
    const last = claude.capture(answers[6]!, URL_);
    expect(last.prompt).toBe('chat で数式を表示できますか。');
    expect(last.messages).toHaveLength(12);
    expect(last.messages![0]).toEqual({ role: 'user', content: 'Claude の html構造をテストするための質問です。「はい」とだけ答えて。' });
    expect(last.output).toContain('$$x = \\frac{-b \\pm \\sqrt{b^2 - 4ac}}{2a}$$');
  });

  it('leaves tool-use status lines out of the answer text', () => {
    const artifact = claude.capture(claude.findAnswers(document)[2]!, URL_).output;
    expect(artifact).toBe('Claude Code の概要をまとめた artifact を作成しました。VSCode 拡張機能のバージョン問題についても注記を入れておきました。');
  });

  it('waits while data-is-streaming is true', () => {
    const answers = claude.findAnswers(document);
    expect(claude.anyStreaming(document)).toBe(false);
    answers[6]!.setAttribute('data-is-streaming', 'true');
    expect(claude.anyStreaming(document)).toBe(true);
    expect(claude.isStreaming(answers[6]!, true)).toBe(true);
    expect(claude.watchAttributes).toContain('data-is-streaming');
  });

  it('places the widget after the answer, before the message actions', () => {
    for (const answer of claude.findAnswers(document)) {
      const anchor = claude.anchor(answer);
      expect(anchor.closest('[role="group"][aria-label="Message actions"], button')).toBeNull();
    }
  });

  it('falls back to .font-claude-response when the streaming wrapper is gone', () => {
    for (const el of document.querySelectorAll('[data-is-streaming]')) el.removeAttribute('data-is-streaming');
    const answers = claude.findAnswers(document);
    expect(answers).toHaveLength(7);
    expect(claude.capture(answers[1]!, URL_).prompt).toBe('次は「いいえ」だけ答えて。');
  });
});
