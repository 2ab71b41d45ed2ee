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

const HUB = 'claude/2026-10-built.html';
const HUB_URL = new URL('https://claude.ai/chat/7c1d9e2f-3a4b-4c5d-8e6f-9a0b1c2d3e4f');
const REPLY = (user: string) => `${user}-hub-reply`;
const USERS = [
  '019a6f1e-2b3c-7d4e-8f5a-6b7c8d9e0f11',
  '019a6f24-7c8d-7e9f-a0b1-c2d3e4f5a612',
  '019a6f2a-0d1e-7f2a-b3c4-d5e6f7a8b913',
  '019a6f2f-9e0f-7a1b-c2d3-e4f5a6b7c814',
];
const row = (index: number) => document.querySelector(`[data-testid="transcript-row"][data-index="${index}"]`)!;

describe('claude adapter on the 2026-10 "hub" layout (built page)', () => {
  beforeEach(() => {
    loadSiteFixture(HUB);
  });

  it('finds the 4 answers; the last is still streaming; survey names the layout', () => {
    const answers = claude.findAnswers(document);
    expect(answers).toHaveLength(4);
    expect(answers.map((a, i) => claude.isStreaming(a, i === 3))).toEqual([false, false, false, true]);
    expect(claude.survey!(document)).toEqual({ layout: '2026-10', fallback: false, answers: 4, userTurns: 4 });
    loadSiteFixture(FIXTURE);
    expect(claude.survey!(document)).toMatchObject({ layout: 'legacy', fallback: false, answers: 7 });
  });

  it("keys are the answers' data-turn-key, slots their rows: unique, stable across reloads and our widgets", () => {
    const keys = keysOn(claude, HUB, HUB_URL);
    expect(keys).toEqual(USERS.map((u) => `claude.ai:${REPLY(u)}`));
    expect(keysWithWidgets(claude, HUB, HUB_URL)).toEqual(keys);
    const answers = claude.findAnswers(document);
    expect(answers.map((a, i) => claude.slot!(a, i))).toEqual(['row-7', 'row-9', 'row-11', 'row-13']);
  });

  it('a row unloaded and loaded again keeps its key, slot and prompt', () => {
    const sizer = row(7).parentElement!;
    const unloaded = row(7);
    unloaded.remove();
    const rest = claude.findAnswers(document);
    expect(rest.map((a, i) => claude.key(a, i, HUB_URL))).toEqual(USERS.slice(1).map((u) => `claude.ai:${REPLY(u)}`));
    expect(rest.map((a, i) => claude.slot!(a, i))).toEqual(['row-9', 'row-11', 'row-13']);
    row(6).after(unloaded.cloneNode(true));
    const again = claude.findAnswers(document)[0]!;
    expect(sizer.contains(again)).toBe(true);
    expect(claude.key(again, 0, HUB_URL)).toBe(`claude.ai:${REPLY(USERS[0]!)}`);
    expect(claude.slot!(again, 0)).toBe('row-7');
    expect(claude.capture(again, HUB_URL).prompt).toBe('I have six tomato plants in pots on a sunny balcony. How often should I water them in July?');
  });

  it("an answer whose prompt row is unloaded gets no prompt rather than an older one", () => {
    row(8).remove();
    const answer = claude.findAnswers(document)[1]!;
    expect(claude.key(answer, 1, HUB_URL)).toBe(`claude.ai:${REPLY(USERS[1]!)}`);
    const capture = claude.capture(answer, HUB_URL);
    expect(capture.prompt).toBeUndefined();
    expect(capture.messages).toBeUndefined();
    expect(capture.output).toMatch(/^For four days you have three good options:/);
  });

  it('reads the prose only: no heading, thinking (even expanded), tool rows or toolbar; prompt, turns, model, conversation', () => {
    const answers = claude.findAnswers(document);
    const first = claude.capture(answers[0]!, HUB_URL);
    expect(first).toEqual({
      output:
        'In July, potted tomatoes in full sun usually need water every day, and on hot, windy days twice.\n' +
        '- Water in the early morning, slowly, until it runs out of the drainage holes.\n' +
        '- Push a finger 3 cm into the soil: if it is dry, water again in the evening.',
      prompt: 'I have six tomato plants in pots on a sunny balcony. How often should I water them in July?',
      model: 'Sonnet 4.5',
      conversationId: '7c1d9e2f-3a4b-4c5d-8e6f-9a0b1c2d3e4f',
    });
    const second = claude.capture(answers[1]!, HUB_URL);
    expect(second.output).toBe(
      'For four days you have three good options:\n' +
        '- A drip kit with a battery timer on a tap or a water butt.\n' +
        '- Cotton wicks from a full bucket into each pot.\n' +
        '- A neighbour who waters every morning.\n' +
        'Move the pots out of the midday sun before you leave.',
    );
    for (const hidden of ['Claude responded', 'Thought for', 'Four days, July heat', 'Searched the web', 'Claude can make mistakes', 'Oct 14']) {
      expect(second.output).not.toContain(hidden);
    }
    expect(second.prompt).toBe('We are away for four days next week. What can I set up?');
    expect(second.messages).toEqual([
      { role: 'user', content: 'I have six tomato plants in pots on a sunny balcony. How often should I water them in July?' },
      { role: 'assistant', content: first.output },
    ]);
    expect(claude.capture(answers[2]!, HUB_URL).output).toContain('6 plants × 2 l × 4 days = 48 l');
  });

  it('waits while data-is-streaming is true and the Stop button shows', () => {
    const answers = claude.findAnswers(document);
    expect(claude.anyStreaming(document)).toBe(true);
    expect(claude.watchAttributes).toContain('data-is-streaming');
    answers[3]!.setAttribute('data-is-streaming', 'false');
    document.querySelector('button[aria-label="Stop response"]')!.remove();
    expect(claude.anyStreaming(document)).toBe(false);
    expect(claude.isStreaming(answers[3]!, true)).toBe(false);
  });

  it('places the widget after the answer, outside the message actions', () => {
    for (const answer of claude.findAnswers(document)) {
      expect(claude.anchor(answer).closest('[data-testid="message-actions"], button')).toBeNull();
    }
  });

  it('survey says none after a redesign renames the answer attributes, and a selector pack restores them', () => {
    for (const el of document.querySelectorAll('[data-cds="AssistantMessage"]')) {
      el.setAttribute('data-cds', 'Reply');
      el.removeAttribute('data-testid');
      el.setAttribute('data-x-streaming', el.getAttribute('data-is-streaming')!);
      el.removeAttribute('data-is-streaming');
    }
    expect(claude.findAnswers(document)).toHaveLength(0);
    expect(claude.survey!(document)).toEqual({ layout: 'none', fallback: false, answers: 0, userTurns: 4 });
    const packed = claude.withPack({ answer: ['[data-cds="Reply"]'], streaming: ['[data-x-streaming="true"]'] }, 3);
    const answers = packed.findAnswers(document);
    expect(packed.survey!(document)).toEqual({ layout: 'pack', fallback: false, answers: 4, userTurns: 4 });
    expect(packed.key(answers[1]!, 1, HUB_URL)).toBe(`claude.ai:${REPLY(USERS[1]!)}`);
    expect(packed.isStreaming(answers[3]!, false)).toBe(true);
    expect(packed.capture(answers[1]!, HUB_URL).output).not.toContain('Four days, July heat');
  });
});
