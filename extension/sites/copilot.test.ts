// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { copilot } from './copilot.ts';
import { keysOn, keysWithWidgets, loadSiteFixture } from '../../test/helpers/sites.ts';

const FIXTURE = 'copilot/chat-2026-03.html';
const OLD = 'copilot/2025-built.html';
const URL_ = new URL('https://copilot.microsoft.com/chats/QmTs7dLk2Rw9Xb4Yz1Pc8');
const KEYS = ['copilot.microsoft.com:2yp9JesX5upgUDm1YT9U9', 'copilot.microsoft.com:VANKJrxiD1JRdg35dn3bk'];

describe('copilot adapter on a saved page (2026-03)', () => {
  beforeEach(() => {
    loadSiteFixture(FIXTURE);
  });

  it('matches copilot.microsoft.com and www.copilot.com only', () => {
    expect(copilot.matches(URL_)).toBe(true);
    expect(copilot.matches(new URL('https://www.copilot.com/chats/x'))).toBe(true);
    expect(copilot.matches(new URL('https://www.bing.com/chat'))).toBe(false);
    expect(copilot.matches(new URL('https://copilot.microsoft.com.evil.example/chats/x'))).toBe(false);
  });

  it('finds the 2 answers, none streaming; survey names the layout', () => {
    const answers = copilot.findAnswers(document);
    expect(answers).toHaveLength(2);
    expect(answers.some((a, i) => copilot.isStreaming(a, i === 1))).toBe(false);
    expect(copilot.survey!(document)).toEqual({ layout: '2026-03', fallback: false, answers: 2, userTurns: 2 });
  });

  it("keys are the site's message ids: unique, stable across reloads, our widgets and a remount", () => {
    expect(keysOn(copilot, FIXTURE, URL_)).toEqual(KEYS);
    expect(keysWithWidgets(copilot, FIXTURE, URL_)).toEqual(KEYS);
    loadSiteFixture(FIXTURE);
    const first = copilot.findAnswers(document)[0]!;
    const parent = first.parentElement!;
    const next = first.nextElementSibling;
    first.remove();
    expect(copilot.findAnswers(document)).toHaveLength(1);
    parent.insertBefore(first.cloneNode(true), next);
    const again = copilot.findAnswers(document)[0]!;
    expect(again).not.toBe(first);
    expect(copilot.key(again, 0, URL_)).toBe(KEYS[0]);
    expect(copilot.slot!(again, 0)).toBe('0');
  });

  it('reads the answer without the heading or buttons, its prompt, earlier turns, the mode and the conversation', () => {
    const answers = copilot.findAnswers(document);
    const first = copilot.capture(answers[0]!, URL_);
    expect(first).toMatchObject({ prompt: 'what version of copilot are you?', model: 'Smart', conversationId: 'QmTs7dLk2Rw9Xb4Yz1Pc8' });
    expect(first.output).toMatch(/^I’m Microsoft Copilot — the latest version/);
    expect(first.output).toMatch(/\nWould you like me to walk you through some of the newest capabilities I’ve gained recently\?$/);
    expect(first.output).not.toContain('Copilot said');
    const second = copilot.capture(answers[1]!, URL_);
    expect(second.prompt).toBe('can you show sample python hello world?');
    expect(second.messages).toEqual([
      { role: 'user', content: 'what version of copilot are you?' },
      { role: 'assistant', content: first.output },
    ]);
    expect(second.output).toContain('print("Hello, World!")');
    expect(second.output).not.toMatch(/Copy|Regenerate/);
  });

  it('the last answer streams while the Stop button shows', () => {
    const answers = copilot.findAnswers(document);
    expect(copilot.anyStreaming(document)).toBe(false);
    const stop = document.createElement('button');
    stop.setAttribute('data-testid', 'stop-button');
    document.body.append(stop);
    expect(copilot.anyStreaming(document)).toBe(true);
    expect(copilot.isStreaming(answers[1]!, true)).toBe(true);
    expect(copilot.isStreaming(answers[0]!, false)).toBe(false);
  });

  it('places the widget after the answer, outside the reactions', () => {
    for (const answer of copilot.findAnswers(document)) {
      expect(copilot.anchor(answer).closest('[data-testid="message-item-reactions"], button')).toBeNull();
    }
  });

  it('survey says none when the answer markers are renamed, and a selector pack restores them', () => {
    for (const el of document.querySelectorAll('[data-content="ai-message"]')) {
      el.removeAttribute('data-testid');
      el.setAttribute('data-content', 'bot-message');
      el.removeAttribute('role');
    }
    expect(copilot.findAnswers(document)).toHaveLength(0);
    expect(copilot.survey!(document)).toEqual({ layout: 'none', fallback: false, answers: 0, userTurns: 2 });
    const packed = copilot.withPack({ answer: ['[data-content="bot-message"]'] }, 1);
    const answers = packed.findAnswers(document);
    expect(packed.survey!(document)).toEqual({ layout: 'pack', fallback: false, answers: 2, userTurns: 2 });
    expect(answers.map((a, i) => packed.key(a, i, URL_))).toEqual(KEYS);
  });

  it('reads the conversation id on both hosts', () => {
    expect(copilot.conversationId(new URL('https://www.copilot.com/chats/abc-DEF_1'))).toBe('abc-DEF_1');
    expect(copilot.conversationId(new URL('https://copilot.microsoft.com/'))).toBeUndefined();
  });
});

describe('copilot adapter on the 2025 layout (built page)', () => {
  beforeEach(() => {
    loadSiteFixture(OLD);
  });

  it('finds the answers by data-content; survey names the older layout', () => {
    expect(copilot.findAnswers(document)).toHaveLength(2);
    expect(copilot.survey!(document)).toEqual({ layout: '2025', fallback: false, answers: 2, userTurns: 2 });
  });

  it('keys, prompts and text as in the newer layout; the footer is left out', () => {
    expect(keysOn(copilot, OLD, URL_)).toEqual(['copilot.microsoft.com:Hh7Jf2Vn9Qw4Ec1Ty6Ua8', 'copilot.microsoft.com:Mc3Xs9Bd5Rf1Gk7Lp2Qw4']);
    expect(keysWithWidgets(copilot, OLD, URL_)).toEqual(keysOn(copilot, OLD, URL_));
    const answers = copilot.findAnswers(document);
    const first = copilot.capture(answers[0]!, URL_);
    expect(first).toMatchObject({
      prompt: 'How many cups of coffee a day are safe?',
      output:
        'For most healthy adults, up to about 400 mg of caffeine a day is considered safe, roughly four cups of brewed coffee.\nPregnant people are usually advised to stay under 200 mg.',
      model: 'Quick response',
    });
    expect(first.output).not.toContain('Copied');
    expect(copilot.capture(answers[1]!, URL_).prompt).toBe('And decaf?');
  });
});
