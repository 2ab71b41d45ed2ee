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

const NEW = 'chatgpt/2026-09-built.html';
const NEW_URL = new URL('https://chatgpt.com/c/68f1c2d3-4e5f-8001-a2b3-c4d5e6f7a8b9');
const TURN = (n: number) => `3d1e5f6a-0b2c-4d3e-8f4a-5b6c7d8e9f0${n}`;
const ANSWER_IDS = [
  'a7c2e9d4-1f3b-4a5c-9d6e-7f8a9b0c1d21',
  'b8d3fa05-2a4c-4b6d-8e7f-8091a2b3c4d5',
  'c9e40b16-3b5d-4c7e-9f80-91a2b3c4d5e6',
  'd0f51c27-4c6e-4d8f-a091-a2b3c4d5e6f7',
  'f2b73e49-6e80-4fa1-82b3-c4d5e6f7a8b9',
];

/** Renames an attribute on every element of the page (a site redesign). */
function rename(from: string, to: string) {
  for (const el of document.querySelectorAll(`[${from}]`)) {
    el.setAttribute(to, el.getAttribute(from)!);
    el.removeAttribute(from);
  }
}

describe('chatgpt adapter on the 2026-09 layout (built page)', () => {
  beforeEach(() => {
    loadSiteFixture(NEW);
  });

  it('finds one answer per answer unit, the image-only one too, none in the sidebar decoy', () => {
    const answers = chatgpt.findAnswers(document);
    expect(answers).toHaveLength(5);
    expect(answers.every((a) => a.closest('[data-app-action-sidebar-scroll]') === null)).toBe(true);
    expect(answers.every((a) => a.querySelector('[data-user-message-bubble]') === null)).toBe(true);
    expect(answers.some((a, i) => chatgpt.isStreaming(a, i === 4))).toBe(false);
    expect(chatgpt.survey!(document)).toEqual({ layout: '2026-09', fallback: false, answers: 5, userTurns: 5 });
    // The legacy layout is still served to other accounts.
    loadSiteFixture(FIXTURE);
    // Six answers to five prompts: the deep-research report is a second answer to one of them.
    expect(chatgpt.survey!(document)).toEqual({ layout: 'legacy', fallback: false, answers: 6, userTurns: 5 });
  });

  it("keys are the answers' message ids (the first listed), unique and stable across reloads and our widgets; slots are the turn keys", () => {
    const keys = keysOn(chatgpt, NEW, NEW_URL);
    expect(keys).toEqual(ANSWER_IDS.map((id) => `chatgpt.com:${id}`));
    expect(keysOn(chatgpt, NEW, NEW_URL)).toEqual(keys);
    expect(keysWithWidgets(chatgpt, NEW, NEW_URL)).toEqual(keys);
    const answers = chatgpt.findAnswers(document);
    expect(answers.map((a, i) => chatgpt.slot!(a, i))).toEqual([1, 2, 3, 4, 5].map(TURN));
  });

  it('a turn unmounted and mounted again (virtualised thread) keeps its key, slot and prompt', () => {
    const before = chatgpt.findAnswers(document);
    const key = chatgpt.key(before[0]!, 0, NEW_URL);
    const turn = document.querySelector(`[data-turn-key="${TURN(1)}"]`)!;
    const list = turn.parentElement!;
    turn.remove();
    const evicted = chatgpt.findAnswers(document);
    expect(evicted).toHaveLength(4);
    // Positions shifted; the keys did not.
    expect(evicted.map((a, i) => chatgpt.key(a, i, NEW_URL))).toEqual(ANSWER_IDS.slice(1).map((id) => `chatgpt.com:${id}`));
    list.prepend(turn.cloneNode(true));
    const again = chatgpt.findAnswers(document);
    expect(again[0]).not.toBe(before[0]);
    expect(chatgpt.key(again[0]!, 0, NEW_URL)).toBe(key);
    expect(chatgpt.slot!(again[0]!, 0)).toBe(TURN(1));
    expect(chatgpt.capture(again[0]!, NEW_URL).prompt).toBe("What's the difference between a list and a tuple in Python?");
  });

  it('reads the answer without the "ChatGPT said:" heading, its own prompt, earlier turns, the model picker and the conversation id', () => {
    const answers = chatgpt.findAnswers(document);
    const first = chatgpt.capture(answers[0]!, NEW_URL);
    expect(first).toMatchObject({
      prompt: "What's the difference between a list and a tuple in Python?",
      model: 'ChatGPT 5.2 Thinking',
      conversationId: '68f1c2d3-4e5f-8001-a2b3-c4d5e6f7a8b9',
    });
    expect(first.output).toMatch(/^A list can change after you create it; a tuple cannot\.\n/);
    expect(first.output).toContain('path.append((5, 6))');
    expect(first.output).not.toContain('ChatGPT said');
    expect(first.output).not.toContain('Copy');
    expect(first.messages).toBeUndefined();

    const third = chatgpt.capture(answers[2]!, NEW_URL);
    expect(third.prompt).toBe('Now write a two-line poem about that fox.');
    expect(third.output).toBe('Tail over nose, she keeps the winter out,\na red ember banked in drifts of white.');
    // The image-only answer has no text: left out of the earlier turns.
    expect(third.messages).toHaveLength(3);
    expect(third.messages![2]).toEqual({ role: 'user', content: 'Draw a watercolor fox curled up in the snow.' });

    // Two markdown roots, each read; formulas as TeX.
    const fourth = chatgpt.capture(answers[3]!, NEW_URL).output;
    expect(fourth).toContain('$$A = P\\left(1 + \\frac{r}{n}\\right)^{nt}$$');
    expect(fourth).toMatch(/With principal \$P\$, yearly rate \$r\$/);
    expect(fourth).toMatch(/\n\nFor example, 1,000 at 5% compounded monthly/);
  });

  it('an image-only answer gets an answer, a key and its prompt; the page model is not the bare brand name', () => {
    const image = chatgpt.findAnswers(document)[1]!;
    expect(image.querySelector('img[alt="Generated image 1"]')).not.toBeNull();
    const capture = chatgpt.capture(image, NEW_URL);
    expect(capture.prompt).toBe('Draw a watercolor fox curled up in the snow.');
    expect(capture.output).toBe('');
    document.querySelector('[data-testid="model-switcher-dropdown-button"] span')!.remove();
    expect(chatgpt.capture(image, NEW_URL).model).toBeUndefined();
  });

  it('a regenerated answer in the same turn: another key, the same slot', () => {
    const answers = chatgpt.findAnswers(document);
    const key = chatgpt.key(answers[2]!, 2, NEW_URL);
    const slot = chatgpt.slot!(answers[2]!, 2);
    // "< 1/2": the site swaps in the other version of the answer unit.
    const other = answers[2]!.cloneNode(true) as Element;
    const otherId = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
    other.setAttribute('data-chatgpt-search-message-ids', `${otherId} ${otherId}`);
    other.querySelector('[data-chatgpt-selection-message-id]')!.setAttribute('data-chatgpt-selection-message-id', otherId);
    other.querySelector('p')!.textContent = 'A fox of ember sleeps beneath the snow.';
    answers[2]!.replaceWith(other);
    const swapped = chatgpt.findAnswers(document)[2]!;
    expect(swapped).toBe(other);
    expect(chatgpt.key(swapped, 2, NEW_URL)).toBe(`chatgpt.com:${otherId}`);
    expect(chatgpt.key(swapped, 2, NEW_URL)).not.toBe(key);
    expect(chatgpt.slot!(swapped, 2)).toBe(slot);
  });

  it('never uses the per-window fallback-turn-N numbers as ids', () => {
    // Without ids on the units, keys come from the markdown roots, else from the turn key.
    rename('data-chatgpt-search-message-ids', 'data-x-ids');
    const answers = chatgpt.findAnswers(document);
    expect(answers).toHaveLength(5);
    const keys = answers.map((a, i) => chatgpt.key(a, i, NEW_URL));
    expect(keys.join(' ')).not.toContain('fallback-turn');
    expect(keys[0]).toBe(`chatgpt.com:${ANSWER_IDS[0]}`);
    expect(keys[1]).toBe(`chatgpt.com:${TURN(2)}`);
    // Found by the h4's parent: a fallback selector.
    expect(chatgpt.survey!(document)).toMatchObject({ layout: '2026-09', fallback: true, answers: 5 });
  });

  it('waits while an answer streams or the Stop button shows', () => {
    const answers = chatgpt.findAnswers(document);
    expect(chatgpt.anyStreaming(document)).toBe(false);
    answers[4]!.querySelector('[data-markdown-text-style]')!.classList.add('result-streaming');
    expect(chatgpt.anyStreaming(document)).toBe(true);
    expect(chatgpt.isStreaming(answers[4]!, true)).toBe(true);
    expect(chatgpt.isStreaming(answers[3]!, false)).toBe(false);
  });

  it('places the widget after the answer unit, outside the response actions', () => {
    for (const answer of chatgpt.findAnswers(document)) {
      const anchor = chatgpt.anchor(answer);
      expect(anchor.closest('button, [role="group"]')).toBeNull();
      expect(anchor.querySelector('[data-testid$="-turn-action-button"]')).toBeNull();
    }
  });

  it('survey says none (with the user turns still there) after a redesign, and a selector pack restores the answers', () => {
    rename('data-chatgpt-search-message-ids', 'data-x-ids');
    rename('data-conversation-role', 'data-x-role');
    expect(chatgpt.findAnswers(document)).toHaveLength(0);
    expect(chatgpt.survey!(document)).toEqual({ layout: 'none', fallback: false, answers: 0, userTurns: 5 });

    const packed = chatgpt.withPack({ answer: ['[data-x-ids]:has(> [data-x-role="assistant"])'] }, 7);
    const answers = packed.findAnswers(document);
    expect(answers).toHaveLength(5);
    expect(packed.packVersion).toBe(7);
    expect(packed.survey!(document)).toEqual({ layout: 'pack', fallback: false, answers: 5, userTurns: 5 });
    expect(packed.key(answers[0]!, 0, NEW_URL)).toBe(`chatgpt.com:${ANSWER_IDS[0]}`);
    expect(packed.capture(answers[2]!, NEW_URL).prompt).toBe('Now write a two-line poem about that fox.');
  });

  it('a pack that matches nothing, or does not parse, leaves the built-in layouts in charge', () => {
    const before = chatgpt.findAnswers(document).map((a, i) => chatgpt.key(a, i, NEW_URL));
    for (const pack of [{ answer: ['.nothing-here'] }, { answer: ['div[', '::-webkit-x'], answerText: ['>>'], conversationUrlPattern: '(' }]) {
      const packed = chatgpt.withPack(pack, 9);
      const answers = packed.findAnswers(document);
      expect(answers.map((a, i) => packed.key(a, i, NEW_URL))).toEqual(before);
      expect(packed.survey!(document).layout).toBe('2026-09');
      expect(packed.conversationId(NEW_URL)).toBe(chatgpt.conversationId(NEW_URL));
      expect(packed.capture(answers[2]!, NEW_URL).prompt).toBe('Now write a two-line poem about that fox.');
      expect(() => packed.anyStreaming(document)).not.toThrow();
    }
  });
});
