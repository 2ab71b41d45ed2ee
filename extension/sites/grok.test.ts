// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { grok } from './grok.ts';
import { keysOn, keysWithWidgets, loadSiteFixture } from '../../test/helpers/sites.ts';

const FIXTURE = 'grok/chat-2026-03.html';
const URL_ = new URL('https://grok.com/c/5e0d1c2b-3a49-4f8e-b7d6-c5b4a3928170');
const KEYS = ['grok.com:b696073a-89e4-407e-ba92-e5ab1a8cefd5', 'grok.com:8eb9b53e-8f4f-40b5-94d3-6019ab93ac3f'];

describe('grok adapter on a saved page (2026-03)', () => {
  beforeEach(() => {
    loadSiteFixture(FIXTURE);
  });

  it('matches grok.com only', () => {
    expect(grok.matches(URL_)).toBe(true);
    expect(grok.matches(new URL('https://x.com/i/grok'))).toBe(false);
    expect(grok.matches(new URL('https://grok.com.evil.example/c/x'))).toBe(false);
  });

  it('finds the 2 answers (the turns without .items-end), none streaming; survey names the layout', () => {
    const answers = grok.findAnswers(document);
    expect(answers.map((a) => a.id)).toEqual(['response-b696073a-89e4-407e-ba92-e5ab1a8cefd5', 'response-8eb9b53e-8f4f-40b5-94d3-6019ab93ac3f']);
    expect(answers.some((a, i) => grok.isStreaming(a, i === 1))).toBe(false);
    expect(grok.survey!(document)).toEqual({ layout: '2026-03', fallback: false, answers: 2, userTurns: 2 });
  });

  it('keys are the response uuids: stable across reloads, our widgets and a remount', () => {
    expect(keysOn(grok, FIXTURE, URL_)).toEqual(KEYS);
    expect(keysWithWidgets(grok, FIXTURE, URL_)).toEqual(KEYS);
    loadSiteFixture(FIXTURE);
    const first = grok.findAnswers(document)[0]!;
    const next = first.nextElementSibling!;
    first.remove();
    next.before(first.cloneNode(true));
    const again = grok.findAnswers(document)[0]!;
    expect(again).not.toBe(first);
    expect(grok.key(again, 0, URL_)).toBe(KEYS[0]);
    expect(grok.slot!(again, 0)).toBe('0');
  });

  it('reads the markdown only (no timings, buttons or suggestions), prompts, turns, the model picker and the conversation', () => {
    const answers = grok.findAnswers(document);
    const first = grok.capture(answers[0]!, URL_);
    expect(first).toEqual({ output: "I'm Grok 4. 😄", prompt: 'what version of grok are you?', conversationId: '5e0d1c2b-3a49-4f8e-b7d6-c5b4a3928170' });
    const second = grok.capture(answers[1]!, URL_);
    expect(second.prompt).toBe('can you do search in real-time?');
    expect(second.output).toMatch(/^Yes, I can do real-time searches\.\n/);
    expect(second.output).toContain('- Live web search (normal + snippet versions)');
    for (const chrome of ['1.2s', 'Latest AI news updates', 'Regenerate']) expect(second.output).not.toContain(chrome);
    expect(second.messages).toEqual([
      { role: 'user', content: 'what version of grok are you?' },
      { role: 'assistant', content: "I'm Grok 4. 😄" },
    ]);
    // The saved page shows no model picker; the live page does.
    document.body.insertAdjacentHTML('afterbegin', '<button id="model-select-trigger" type="button"><span>Grok 4.1</span></button>');
    expect(grok.capture(answers[1]!, URL_).model).toBe('Grok 4.1');
  });

  it('places the widget after the answer turn, outside its action buttons', () => {
    for (const answer of grok.findAnswers(document)) {
      expect(grok.anchor(answer).closest('.action-buttons, button')).toBeNull();
    }
  });

  it('the last answer streams while a Stop button shows', () => {
    const answers = grok.findAnswers(document);
    document.body.insertAdjacentHTML('beforeend', '<button type="button" aria-label="Stop model response"></button>');
    expect(grok.anyStreaming(document)).toBe(true);
    expect(grok.isStreaming(answers[1]!, true)).toBe(true);
    expect(grok.isStreaming(answers[0]!, false)).toBe(false);
  });

  it('survey says none when the ids are renamed, and a selector pack restores the answers', () => {
    for (const el of document.querySelectorAll('[id^="response-"]')) el.id = el.id.replace('response-', 'turn-');
    expect(grok.findAnswers(document)).toHaveLength(0);
    expect(grok.survey!(document)).toEqual({ layout: 'none', fallback: false, answers: 0, userTurns: 0 });
    const packed = grok.withPack({ answer: ['div[id^="turn-"]:not(.items-end)'], prompt: ['div[id^="turn-"].items-end'] }, 5);
    const answers = packed.findAnswers(document);
    expect(packed.survey!(document)).toEqual({ layout: 'pack', fallback: false, answers: 2, userTurns: 2 });
    expect(packed.capture(answers[1]!, URL_).prompt).toBe('can you do search in real-time?');
  });

  it('reads the conversation id from /c/{id}', () => {
    expect(grok.conversationId(new URL('https://grok.com/'))).toBeUndefined();
  });
});
