// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { gemini } from './gemini.ts';
import { keysOn, keysWithWidgets, loadSiteFixture, readSiteFixture } from '../../test/helpers/sites.ts';

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

const RESEARCH = 'gemini/deep-research-built.html';
const RESEARCH_URL = new URL('https://gemini.google.com/app/4f37354a4e8d9334');
const REQUEST = 'Research home battery storage for rooftop solar in Germany:\n\ncosts, subsidies and payback time.';
const RESEARCH_KEYS = [
  'gemini.google.com:rc_5a1e0c9b7d3f2468',
  'gemini.google.com:rc_989b918e12ba52bd',
  'gemini.google.com:rc_0d4f8b2e6a9c1357',
  'gemini.google.com:rc_989b918e12ba52bd:report',
];

describe('gemini adapter on a Deep Research page (built)', () => {
  beforeEach(() => {
    loadSiteFixture(RESEARCH);
  });

  it('finds the chat answers and the report in the immersive panel', () => {
    const answers = gemini.findAnswers(document);
    expect(answers).toHaveLength(4);
    expect(answers[3]!.closest('deep-research-immersive-panel')).not.toBeNull();
    expect(gemini.survey!(document)).toEqual({ layout: '2026-02', fallback: false, answers: 4, userTurns: 3 });
    loadSiteFixture(FIXTURE);
    expect(gemini.survey!(document)).toEqual({ layout: '2026-02', fallback: false, answers: 3, userTurns: 3 });
  });

  it("keys: drafts in the chat, the research turn's draft for the report; stable across reloads and our widgets", () => {
    expect(keysOn(gemini, RESEARCH, RESEARCH_URL)).toEqual(RESEARCH_KEYS);
    expect(keysWithWidgets(gemini, RESEARCH, RESEARCH_URL)).toEqual(RESEARCH_KEYS);
    // The report's widget sits at the end of the report, inside the panel's scroller.
    expect(document.querySelector('[data-test-id="scroll-container"] groundtruth-widget')).not.toBeNull();
  });

  it('the report: its text without the toolbar or source list, the research request as its prompt', () => {
    const report = gemini.capture(gemini.findAnswers(document)[3]!, RESEARCH_URL);
    expect(report.prompt).toBe(REQUEST);
    // Document order would pair it with the last query; its earlier turns are not that thread.
    expect(report.messages).toBeUndefined();
    expect(report.output).toMatch(/^Home Battery Storage for Rooftop Solar in Germany: Costs, Subsidies and Payback\n/);
    expect(report.output).toContain('- Several states and cities pay 100 to 300 euros per kWh of storage.');
    for (const chrome of ['Share & export', 'Contents', 'Sources used', '2 sources', 'energy.example.de']) {
      expect(report.output).not.toContain(chrome);
    }
    expect(report).toMatchObject({ model: '2.5 Pro', conversationId: '4f37354a4e8d9334' });
    // The chat answers keep their own prompts.
    const last = gemini.capture(gemini.findAnswers(document)[2]!, RESEARCH_URL);
    expect(last.prompt).toBe("Give me the report's recommendation in one sentence.");
    expect(last.messages).toHaveLength(4);
  });

  it('finds the research turn without a selected card too; without any chip the report pairs by document order', () => {
    document.querySelector('gem-processing-card')!.classList.remove('selected');
    let report = gemini.findAnswers(document)[3]!;
    expect(gemini.capture(report, RESEARCH_URL).prompt).toBe(REQUEST);
    expect(gemini.key(report, 3, RESEARCH_URL)).toBe(RESEARCH_KEYS[3]);
    document.querySelector('immersive-entry-chip')!.remove();
    report = gemini.findAnswers(document)[3]!;
    expect(gemini.capture(report, RESEARCH_URL).prompt).toBe("Give me the report's recommendation in one sentence.");
    expect(gemini.key(report, 3, RESEARCH_URL)).toMatch(/^gemini\.google\.com:4f37354a4e8d9334:0:[0-9a-f]{14}$/);
  });

  it('older turns loaded lazily at the top are found, and no other key changes', () => {
    const history = document.querySelector('[data-test-id="chat-history-container"]')!;
    const older = history.firstElementChild!.cloneNode(true) as Element;
    older.id = '1a2b3c4d5e6f7a8b';
    older.querySelector('[data-test-draft-id]')!.setAttribute('data-test-draft-id', 'rc_1111222233334444');
    older.querySelector('.query-text-line')!.textContent = 'What is a kWp?';
    history.prepend(older);
    const answers = gemini.findAnswers(document);
    expect(answers).toHaveLength(5);
    expect(answers[0]!.closest('.conversation-container')).toBe(older);
    expect(answers.map((a, i) => gemini.key(a, i, RESEARCH_URL))).toEqual(['gemini.google.com:rc_1111222233334444', ...RESEARCH_KEYS]);
    expect(gemini.capture(answers[1]!, RESEARCH_URL).prompt).toBe('Is a 10 kWh battery enough for a house with a 6 kW rooftop solar system?');
  });

  it('a turn removed and mounted again keeps its key and slot', () => {
    const turn = document.querySelector('.conversation-container')!;
    const next = turn.nextElementSibling!;
    turn.remove();
    next.before(turn.cloneNode(true));
    const answers = gemini.findAnswers(document);
    expect(answers.map((a, i) => gemini.key(a, i, RESEARCH_URL))).toEqual(RESEARCH_KEYS);
    expect(gemini.slot!(answers[0]!, 0)).toBe('0');
  });

  it('waits while the report is still being written', () => {
    const report = gemini.findAnswers(document)[3]!;
    expect(gemini.anyStreaming(document)).toBe(false);
    report.querySelector('.markdown')!.setAttribute('aria-busy', 'true');
    expect(gemini.isStreaming(report, true)).toBe(true);
  });

  it('survey says none when the components are renamed, and a selector pack restores the answers', () => {
    document.body.innerHTML = readSiteFixture(RESEARCH)
      .replaceAll('model-response', 'model-reply')
      .replaceAll('conversation-container', 'chat-turn')
      .replaceAll('deep-research-immersive-panel', 'research-panel');
    expect(gemini.findAnswers(document)).toHaveLength(0);
    expect(gemini.survey!(document)).toEqual({ layout: 'none', fallback: false, answers: 0, userTurns: 3 });
    const packed = gemini.withPack({ answer: ['model-reply, research-panel message-content'] }, 4);
    expect(packed.survey!(document)).toEqual({ layout: 'pack', fallback: false, answers: 4, userTurns: 3 });
    expect(packed.key(packed.findAnswers(document)[0]!, 0, RESEARCH_URL)).toBe(RESEARCH_KEYS[0]);
  });
});
