// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { meta } from './meta.ts';
import { keysOn, keysWithWidgets, loadSiteFixture } from '../../test/helpers/sites.ts';

const FIXTURE = 'meta/2026-08-built.html';
const URL_ = new URL('https://www.meta.ai/prompt/9c4e2a7b-1d3f-4b6a-8e5c-7f0a2b4d6e81');

describe('meta adapter on a built page (2026-08)', () => {
  beforeEach(() => {
    loadSiteFixture(FIXTURE);
  });

  it('matches meta.ai and www.meta.ai only', () => {
    expect(meta.matches(URL_)).toBe(true);
    expect(meta.matches(new URL('https://meta.ai/prompt/x'))).toBe(true);
    expect(meta.matches(new URL('https://www.facebook.com/'))).toBe(false);
    expect(meta.matches(new URL('https://meta.ai.evil.example/'))).toBe(false);
  });

  it('finds the 3 answers; the last streams while the Stop button shows', () => {
    const answers = meta.findAnswers(document);
    expect(answers).toHaveLength(3);
    expect(meta.survey!(document)).toEqual({ layout: '2026-08', fallback: false, answers: 3, userTurns: 3 });
    expect(meta.anyStreaming(document)).toBe(true);
    expect(answers.map((a, i) => meta.isStreaming(a, i === 2))).toEqual([false, false, true]);
    document.querySelector('[data-testid="composer-stop-button"]')!.remove();
    expect(meta.anyStreaming(document)).toBe(false);
    expect(meta.isStreaming(answers[2]!, true)).toBe(false);
  });

  it('reads the answer, its prompt, earlier turns and the conversation', () => {
    const answers = meta.findAnswers(document);
    const first = meta.capture(answers[0]!, URL_);
    expect(first).toEqual({
      output:
        'For two days in the Alps in September, pack in layers:\n' +
        '- A warm fleece and a waterproof jacket: mornings can be near freezing.\n' +
        '- Hiking boots you have already broken in.\n' +
        '- 2 litres of water, snacks, a map and a headlamp.',
      prompt: "I'm hiking for two days in the Alps in September. What should I pack?",
      conversationId: '9c4e2a7b-1d3f-4b6a-8e5c-7f0a2b4d6e81',
    });
    const second = meta.capture(answers[1]!, URL_);
    expect(second.prompt).toBe('Do I need a sleeping bag if I stay in a hut?');
    expect(second.messages).toHaveLength(2);
  });

  it('keys: site + conversation + position + content hash, unique, stable across reloads, our widgets and a remount', () => {
    const keys = keysOn(meta, FIXTURE, URL_);
    expect(keys[0]).toMatch(/^meta\.ai:9c4e2a7b-1d3f-4b6a-8e5c-7f0a2b4d6e81:0:[0-9a-f]{14}$/);
    expect(new Set(keys).size).toBe(3);
    expect(keysWithWidgets(meta, FIXTURE, URL_)).toEqual(keys);
    loadSiteFixture(FIXTURE);
    const second = meta.findAnswers(document)[1]!;
    const next = second.nextElementSibling!;
    second.remove();
    next.before(second.cloneNode(true));
    const again = meta.findAnswers(document);
    expect(again[1]).not.toBe(second);
    expect(again.map((a, i) => meta.key(a, i, URL_))).toEqual(keys);
    expect(meta.slot!(again[1]!, 1)).toBe('1');
  });

  it('places the widget after the answer, outside the message actions', () => {
    for (const answer of meta.findAnswers(document)) expect(meta.anchor(answer).closest('[role="group"], button')).toBeNull();
  });

  it('survey says none when the answer test id is renamed, and a selector pack restores the answers', () => {
    for (const el of document.querySelectorAll('[data-testid="assistant-message"]')) el.setAttribute('data-testid', 'bot-message');
    expect(meta.findAnswers(document)).toHaveLength(0);
    expect(meta.survey!(document)).toEqual({ layout: 'none', fallback: false, answers: 0, userTurns: 3 });
    const packed = meta.withPack({ answer: ['[data-testid="bot-message"]'] }, 9);
    expect(packed.survey!(document)).toEqual({ layout: 'pack', fallback: false, answers: 3, userTurns: 3 });
    expect(packed.isStreaming(packed.findAnswers(document)[2]!, true)).toBe(true);
  });

  it('reads the conversation id from /prompt/{id}', () => {
    expect(meta.conversationId(new URL('https://www.meta.ai/'))).toBeUndefined();
  });
});
