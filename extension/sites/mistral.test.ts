// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { mistral } from './mistral.ts';
import { keysOn, keysWithWidgets, loadSiteFixture } from '../../test/helpers/sites.ts';

const FIXTURE = 'mistral/2026-08-built.html';
const URL_ = new URL('https://chat.mistral.ai/chat/6d2f8a1c-4b7e-4c9d-a3f5-1e8b0c7d2a94');

describe('mistral adapter on a built page (2026-08)', () => {
  beforeEach(() => {
    loadSiteFixture(FIXTURE);
  });

  it('matches chat.mistral.ai only', () => {
    expect(mistral.matches(URL_)).toBe(true);
    expect(mistral.matches(new URL('https://mistral.ai/'))).toBe(false);
    expect(mistral.matches(new URL('https://chat.mistral.ai.evil.example/chat/x'))).toBe(false);
  });

  it('finds the 2 answers and 2 user turns', () => {
    expect(mistral.findAnswers(document)).toHaveLength(2);
    expect(mistral.survey!(document)).toEqual({ layout: '2026-08', fallback: false, answers: 2, userTurns: 2 });
    expect(mistral.anyStreaming(document)).toBe(false);
  });

  it('reads only the answer parts (no reasoning, label or buttons), prompts, turns and the conversation', () => {
    const answers = mistral.findAnswers(document);
    const first = mistral.capture(answers[0]!, URL_);
    expect(first).toEqual({
      output: 'Cold wind down the Rhône,\ncypress bow and shutters bang,\nthe sky scrubbed to blue.',
      prompt: 'Write a haiku about the Mistral wind.',
      conversationId: '6d2f8a1c-4b7e-4c9d-a3f5-1e8b0c7d2a94',
    });
    const second = mistral.capture(answers[1]!, URL_);
    expect(second.output).toBe('Usually 50 to 70 km/h, with gusts above 100 km/h.\nAn episode often lasts three to six days.');
    expect(second.prompt).toBe('How fast does the Mistral blow?');
    expect(second.messages).toEqual([
      { role: 'user', content: 'Write a haiku about the Mistral wind.' },
      { role: 'assistant', content: first.output },
    ]);
  });

  it('keys: site + conversation + position + content hash, unique, stable across reloads, our widgets and a remount', () => {
    const keys = keysOn(mistral, FIXTURE, URL_);
    expect(keys[0]).toMatch(/^chat\.mistral\.ai:6d2f8a1c-4b7e-4c9d-a3f5-1e8b0c7d2a94:0:[0-9a-f]{14}$/);
    expect(new Set(keys).size).toBe(2);
    expect(keysWithWidgets(mistral, FIXTURE, URL_)).toEqual(keys);
    loadSiteFixture(FIXTURE);
    const first = mistral.findAnswers(document)[0]!;
    const next = first.nextElementSibling!;
    first.remove();
    next.before(first.cloneNode(true));
    const again = mistral.findAnswers(document);
    expect(again[0]).not.toBe(first);
    expect(again.map((a, i) => mistral.key(a, i, URL_))).toEqual(keys);
    expect(mistral.slot!(again[0]!, 0)).toBe('0');
  });

  it('places the widget after the answer, outside its buttons', () => {
    for (const answer of mistral.findAnswers(document)) expect(mistral.anchor(answer).closest('button')).toBeNull();
  });

  it('survey says none when the role attribute is renamed on answers, and a selector pack restores them', () => {
    for (const el of document.querySelectorAll('[data-message-author-role="assistant"]')) el.setAttribute('data-message-author-role', 'bot');
    expect(mistral.findAnswers(document)).toHaveLength(0);
    expect(mistral.survey!(document)).toEqual({ layout: 'none', fallback: false, answers: 0, userTurns: 2 });
    const packed = mistral.withPack({ answer: ['[data-message-author-role="bot"]'] }, 8);
    expect(packed.survey!(document)).toEqual({ layout: 'pack', fallback: false, answers: 2, userTurns: 2 });
    expect(packed.capture(packed.findAnswers(document)[1]!, URL_).prompt).toBe('How fast does the Mistral blow?');
  });

  it('reads the conversation id from /chat/{id}', () => {
    expect(mistral.conversationId(new URL('https://chat.mistral.ai/chat'))).toBeUndefined();
  });
});
