// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { deepseek } from './deepseek.ts';
import { keysOn, keysWithWidgets, loadSiteFixture } from '../../test/helpers/sites.ts';

const FIXTURE = 'deepseek/2026-08-built.html';
const URL_ = new URL('https://chat.deepseek.com/a/chat/s/2b7e4c1a-9d3f-4e8b-a6c5-0f1e2d3c4b5a');
const PROMPTS = ['How do I sort a list of dicts by the "age" key?', 'And in reverse order?', 'What if some dicts have no "age"?'];
const item = (key: number) => document.querySelector(`[data-virtual-list-item-key="${key}"]`)!;

describe('deepseek adapter on a built page (2026-08)', () => {
  beforeEach(() => {
    loadSiteFixture(FIXTURE);
  });

  it('matches chat.deepseek.com only', () => {
    expect(deepseek.matches(URL_)).toBe(true);
    expect(deepseek.matches(new URL('https://deepseek.com/'))).toBe(false);
    expect(deepseek.matches(new URL('https://chat.deepseek.com.evil.example/'))).toBe(false);
  });

  it('finds the 3 answers (messages with markdown) and 3 user messages', () => {
    expect(deepseek.findAnswers(document)).toHaveLength(3);
    expect(deepseek.survey!(document)).toEqual({ layout: '2026-08', fallback: false, answers: 3, userTurns: 3 });
    expect(deepseek.anyStreaming(document)).toBe(false);
  });

  it('reads the answer without the reasoning, its prompt, earlier turns, the model toggle and the conversation', () => {
    const answers = deepseek.findAnswers(document);
    const first = deepseek.capture(answers[0]!, URL_);
    expect(first).toEqual({
      output:
        'Use sorted with a key function:\npython\npeople_sorted = sorted(people, key=lambda p: p["age"])\n' +
        'operator.itemgetter("age") does the same and is a little faster.',
      prompt: PROMPTS[0],
      model: 'DeepThink',
      conversationId: '2b7e4c1a-9d3f-4e8b-a6c5-0f1e2d3c4b5a',
    });
    const third = deepseek.capture(answers[2]!, URL_);
    expect(third.output).toBe('Use p.get("age", float("inf")) as the key: dicts without an age go to the end.');
    expect(third.output).not.toMatch(/KeyError|Thought for/);
    expect(third.prompt).toBe(PROMPTS[2]);
    expect(third.messages).toHaveLength(4);
    document.querySelector('[data-model-type]')!.setAttribute('aria-checked', 'false');
    expect(deepseek.capture(answers[2]!, URL_).model).toBeUndefined();
  });

  it('keys hash the prompt and the answer (not the position): unique, stable across reloads and our widgets', () => {
    const keys = keysOn(deepseek, FIXTURE, URL_);
    expect(new Set(keys).size).toBe(3);
    expect(keys.every((k) => /^chat\.deepseek\.com:2b7e4c1a-9d3f-4e8b-a6c5-0f1e2d3c4b5a:0:[0-9a-f]{14}$/.test(k))).toBe(true);
    expect(keysOn(deepseek, FIXTURE, URL_)).toEqual(keys);
    expect(keysWithWidgets(deepseek, FIXTURE, URL_)).toEqual(keys);
  });

  it('messages unmounted and mounted again (virtualised) keep their keys and slots', () => {
    const answers = deepseek.findAnswers(document);
    const keys = answers.map((a, i) => deepseek.key(a, i, URL_));
    const slots = answers.map((a, i) => deepseek.slot!(a, i));
    expect(new Set(slots).size).toBe(3);
    const list = item(3).parentElement!;
    const evicted = [item(3), item(4)];
    for (const el of evicted) el.remove();
    const rest = deepseek.findAnswers(document);
    expect(rest.map((a, i) => deepseek.key(a, i, URL_))).toEqual(keys.slice(1));
    expect(rest.map((a, i) => deepseek.slot!(a, i))).toEqual(slots.slice(1));
    list.prepend(...evicted.map((el) => el.cloneNode(true)));
    const again = deepseek.findAnswers(document);
    expect(again[0]).not.toBe(answers[0]);
    expect(again.map((a, i) => deepseek.key(a, i, URL_))).toEqual(keys);
    expect(again.map((a, i) => deepseek.slot!(a, i))).toEqual(slots);
  });

  it('collapsing the reasoning changes no key', () => {
    const answer = deepseek.findAnswers(document)[0]!;
    const key = deepseek.key(answer, 0, URL_);
    answer.querySelector('.ds-think-content')!.remove();
    expect(deepseek.key(answer, 0, URL_)).toBe(key);
  });

  it('an answer whose prompt is unmounted gets no prompt rather than an older one', () => {
    item(5).remove();
    const capture = deepseek.capture(deepseek.findAnswers(document)[1]!, URL_);
    expect(capture.prompt).toBeUndefined();
    expect(capture.messages).toBeUndefined();
  });

  it('places the widget after the answer, outside its buttons', () => {
    for (const answer of deepseek.findAnswers(document)) {
      expect(deepseek.anchor(answer).closest('[role="button"], .ds-flex')).toBeNull();
    }
  });

  it('survey says none when the markdown class is renamed, and a selector pack restores the answers', () => {
    for (const el of document.querySelectorAll('.ds-markdown')) el.classList.replace('ds-markdown', 'md-x');
    expect(deepseek.findAnswers(document)).toHaveLength(0);
    const survey = deepseek.survey!(document);
    expect(survey).toMatchObject({ layout: 'none', answers: 0 });
    expect(survey.userTurns).toBeGreaterThan(0);
    const packed = deepseek.withPack(
      { answer: ['.ds-message:has(.md-x)'], answerText: ['.md-x'], prompt: ['.ds-message:not(:has(.md-x))'] },
      6,
    );
    const answers = packed.findAnswers(document);
    expect(packed.survey!(document)).toEqual({ layout: 'pack', fallback: false, answers: 3, userTurns: 3 });
    expect(packed.capture(answers[1]!, URL_)).toMatchObject({ prompt: PROMPTS[1], output: 'Add reverse=True: sorted(people, key=lambda p: p["age"], reverse=True).' });
  });

  it('reads the conversation id from /a/chat/s/{id}', () => {
    expect(deepseek.conversationId(new URL('https://chat.deepseek.com/'))).toBeUndefined();
  });
});
