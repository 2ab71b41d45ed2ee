// @vitest-environment happy-dom
// @vitest-environment-options {"url": "https://chatgpt.com/c/697b1066-3e40-8322-8670-d2c03bdf20db"}
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { z } from 'zod';
import { startContent, type ContentController, type ContentPort } from './controller.ts';
import { ContentConfig, type CustomRuleInput } from '../config.ts';
import type { ContentMessage, Message, RatingDraft, TargetStatus } from '../messages.ts';
import { loadSiteFixture } from '../../test/helpers/sites.ts';
import { chatgpt } from '../sites/chatgpt.ts';
import { claude } from '../sites/claude.ts';

const CHAT_URL = 'https://chatgpt.com/c/697b1066-3e40-8322-8670-d2c03bdf20db';

/** A background stand-in: answers like the real one, and records what the content script sent. */
class FakeBackground implements ContentPort {
  sent: Message[] = [];
  config: z.input<typeof ContentConfig> = {};
  stored = new Map<string, TargetStatus>();
  private listeners = new Set<(m: ContentMessage) => void>();

  async send(message: Message): Promise<unknown> {
    this.sent.push(structuredClone(message));
    switch (message.type) {
      case 'get-content-config':
        return ContentConfig.parse(this.config);
      case 'get-statuses':
        return { statuses: message.keys.flatMap((k) => (this.stored.has(k) ? [this.stored.get(k)!] : [])) };
      case 'rate': {
        const { draft } = message;
        const status: TargetStatus = draft.remove
          ? { key: draft.target.key, state: 'none' }
          : { key: draft.target.key, state: 'pending', rating: draft.rating, comment: draft.comment, correction: draft.correction };
        this.stored.set(draft.target.key, status);
        return status;
      }
      default:
        return undefined;
    }
  }
  listen(listener: (m: ContentMessage) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  push(message: ContentMessage) {
    for (const l of this.listeners) l(message);
  }
  get listening() {
    return this.listeners.size;
  }
  drafts(): RatingDraft[] {
    return this.sent.flatMap((m) => (m.type === 'rate' ? [m.draft] : []));
  }
}

const widgets = () => [...document.querySelectorAll('groundtruth-widget')] as HTMLElement[];
const hook = (widget: Element, name: string) => widget.shadowRoot!.querySelector<HTMLElement>(`[data-gt="${name}"]`)!;
/**
 * Time is fake here (vi.useFakeTimers below): the page observer batches changes per animation frame
 * and at least OBSERVER_GAP_MS apart (observer.ts), and these tests move the clock past that gap
 * instead of waiting real frames, which a busy machine can delay past any fixed wait.
 */
const OBSERVER_GAP_MS = 100;
const FRAME_MS = 16;
/** Lets every batched scan that is due run: past the observer's gap and a frame, promises settled. */
const pageSettles = () => vi.advanceTimersByTimeAsync(OBSERVER_GAP_MS + 2 * FRAME_MS);
/** Long enough that any scan the page could have caused has run (for "nothing happened"). */
const longAfter = () => vi.advanceTimersByTimeAsync(10 * OBSERVER_GAP_MS);
/** Settles pending promises and zero-delay timers, without moving the clock. */
const flushPromises = () => vi.advanceTimersByTimeAsync(0);

function setUrl(href: string) {
  (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(href);
}

let abort: AbortController;
let bg: FakeBackground;
let controller: ContentController;

async function start() {
  controller = await startContent({ port: bg, signal: abort.signal });
  await controller.idle();
  await flushPromises();
  return controller;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'requestAnimationFrame', 'cancelAnimationFrame', 'performance'] });
  setUrl(CHAT_URL);
  abort = new AbortController();
  bg = new FakeBackground();
  loadSiteFixture('chatgpt/chat-simple.html');
});
afterEach(() => {
  abort.abort();
  document.body.innerHTML = '';
  vi.useRealTimers();
});

describe('content controller on a ChatGPT page', () => {
  it('places one widget right after each answer and asks for their states in one message', async () => {
    await start();
    const answers = [...document.querySelectorAll('[data-message-author-role="assistant"]')];
    expect(widgets()).toHaveLength(6);
    answers.forEach((answer) => expect(answer.nextElementSibling?.localName).toBe('groundtruth-widget'));
    expect(widgets().every((w) => w.getAttribute('data-gt-state') === 'none')).toBe(true);
    const asks = bg.sent.filter((m) => m.type === 'get-statuses');
    expect(asks).toHaveLength(1);
    expect(asks[0]).toMatchObject({ keys: expect.arrayContaining(['chatgpt.com:d6c3824e-9c23-4bfe-b8fb-9127dfc0ee9a']) });
    expect(bg.sent[0]).toEqual({ type: 'get-content-config', url: CHAT_URL });
  });

  it("shows each answer's stored state", async () => {
    bg.stored.set('chatgpt.com:000c2552-861d-4a46-917c-beb81415a068', {
      key: 'chatgpt.com:000c2552-861d-4a46-917c-beb81415a068',
      state: 'synced',
      rating: { thumb: 'up' },
    });
    await start();
    expect(widgets()[1]!.getAttribute('data-gt-state')).toBe('synced');
    expect(hook(widgets()[1]!, 'up').getAttribute('aria-pressed')).toBe('true');
    expect(widgets()[0]!.getAttribute('data-gt-state')).toBe('none');
  });

  it('a thumbs-down sends the whole target: key, model, prompt, earlier turns, output, conversation', async () => {
    await start();
    hook(widgets()[1]!, 'down').click();
    expect(widgets()[1]!.getAttribute('data-gt-state')).toBe('pending');
    await flushPromises();
    const [draft] = bg.drafts();
    expect(draft).toEqual({
      target: {
        kind: 'chat_response',
        key: 'chatgpt.com:000c2552-861d-4a46-917c-beb81415a068',
        site: 'chatgpt.com',
        url: CHAT_URL,
        conversationId: '697b1066-3e40-8322-8670-d2c03bdf20db',
        model: 'gpt-5-2',
        prompt: '次は「いいえ」だけ答えて',
        messages: [
          { role: 'user', content: 'ChatGPTのhtml構造をテストするための質問です。「はい」とだけ答えて。' },
          { role: 'assistant', content: 'はい' },
        ],
        output: 'いいえ',
      },
      rating: { thumb: 'down' },
    });
    expect(widgets()[1]!.getAttribute('data-gt-state')).toBe('pending');
  });

  it('a correction through the form, then undo by clicking the active thumb again', async () => {
    await start();
    const w = widgets()[0]!;
    hook(w, 'down').click();
    await flushPromises();
    hook(w, 'comment').click();
    await flushPromises();
    const correction = hook(w, 'correction-text') as HTMLTextAreaElement;
    correction.value = 'いいえ';
    correction.dispatchEvent(new Event('input', { bubbles: true }));
    await flushPromises();
    hook(w, 'save').click();
    await flushPromises();
    expect(bg.drafts()[1]).toMatchObject({ rating: { thumb: 'down' }, correction: { output: 'いいえ' } });

    hook(w, 'down').click();
    await flushPromises();
    expect(bg.drafts()[2]).toEqual({
      target: { kind: 'chat_response', key: 'chatgpt.com:d6c3824e-9c23-4bfe-b8fb-9127dfc0ee9a', site: 'chatgpt.com', url: CHAT_URL },
      remove: true,
    });
    expect(w.getAttribute('data-gt-state')).toBe('none');
  });

  it('follows statuses-changed from the background (a sync, a rating in another tab)', async () => {
    await start();
    bg.push({
      type: 'statuses-changed',
      statuses: [{ key: 'chatgpt.com:98f8721a-b004-4b08-86b2-e70e973de347', state: 'rejected', error: 'output: too long' }],
    });
    const w = widgets()[5]!;
    expect(w.getAttribute('data-gt-state')).toBe('rejected');
    expect(w.shadowRoot!.querySelector('[role="status"]')!.textContent).toContain('output: too long');
  });

  it('waits for a streaming answer to finish, and picks up answers added later', async () => {
    const last = document.querySelectorAll('[data-message-author-role="assistant"] .markdown')[5]!;
    last.classList.add('result-streaming');
    await start();
    expect(widgets()).toHaveLength(5);

    last.classList.remove('result-streaming');
    // The end of streaming shows as the site adding its action buttons.
    last.append(document.createElement('span'));
    await pageSettles();
    await controller.idle();
    expect(widgets()).toHaveLength(6);

    const thread = document.querySelectorAll('article')[10]!;
    const next = thread.cloneNode(true) as Element;
    next.querySelector('groundtruth-widget')?.remove();
    next.querySelector('[data-message-id]')!.setAttribute('data-message-id', 'new-answer-1');
    thread.after(next);
    await pageSettles();
    await controller.idle();
    expect(widgets()).toHaveLength(7);
    expect(new Set(widgets().map((w) => w.previousElementSibling?.getAttribute('data-message-id'))).size).toBe(7);
  });

  it('does not rescan because of its own widgets', async () => {
    await start();
    const findAnswers = vi.spyOn(chatgpt, 'findAnswers');
    bg.push({ type: 'statuses-changed', statuses: [{ key: 'chatgpt.com:d6c3824e-9c23-4bfe-b8fb-9127dfc0ee9a', state: 'synced' }] });
    hook(widgets()[2]!, 'comment').click();
    await longAfter();
    expect(findAnswers).not.toHaveBeenCalled();
    // …while a change of the page itself does.
    document.querySelector('article')!.append(document.createElement('div'));
    await pageSettles();
    expect(findAnswers).toHaveBeenCalled();
    findAnswers.mockRestore();
  });

  it('records a regenerated version of an answer as an alternative', async () => {
    await start();
    const old = document.querySelectorAll('[data-message-author-role="assistant"]')[1]!;
    const regenerated = old.cloneNode(true) as Element;
    regenerated.setAttribute('data-message-id', 'regenerated-1');
    regenerated.querySelector('.markdown')!.textContent = 'いいえ、違います';
    old.replaceWith(regenerated);
    await pageSettles();
    await controller.idle();
    expect(widgets()).toHaveLength(6);
    hook(regenerated.nextElementSibling!, 'up').click();
    await flushPromises();
    const draft = bg.drafts()[0]!;
    expect(draft.target.key).toBe('chatgpt.com:regenerated-1');
    expect(draft.target.output).toBe('いいえ、違います');
    expect(draft.target.alternatives).toEqual(['いいえ']);
  });

  it('follows in-page navigation: widgets of answers that left go away', async () => {
    await start();
    history.pushState({}, '', '/c/another-conversation');
    for (const article of [...document.querySelectorAll('article')].slice(4)) article.remove();
    await pageSettles();
    expect(widgets()).toHaveLength(2);
    hook(widgets()[0]!, 'up').click();
    await flushPromises();
    expect(bg.drafts()[0]!.target.conversationId).toBe('another-conversation');
  });

  it('is torn down through its AbortSignal', async () => {
    await start();
    expect(widgets()).toHaveLength(6);
    abort.abort();
    expect(widgets()).toHaveLength(0);
    expect(bg.listening).toBe(0);
    document.querySelector('article')!.after(document.createElement('div'));
    await longAfter();
    expect(widgets()).toHaveLength(0);
  });

  it('stays off when the server switched the adapter off', async () => {
    bg.config = { disabledAdapters: ['chatgpt'] };
    await start();
    expect(widgets()).toHaveLength(0);
  });

  it('shows stars in star mode', async () => {
    bg.config = { starMode: true };
    await start();
    hook(widgets()[0]!, 'star-3').click();
    await flushPromises();
    expect(bg.drafts()[0]!.rating).toEqual({ stars: 3 });
  });
});

describe('content controller on a Claude page (keys hash the text)', () => {
  const CLAUDE_URL = 'https://claude.ai/chat/3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f';

  it('reads keys again only for answers that changed', async () => {
    setUrl(CLAUDE_URL);
    loadSiteFixture('claude/chat-simple.html');
    await start();
    expect(widgets()).toHaveLength(7);
    const key = vi.spyOn(claude, 'key');
    // A change elsewhere on the page: no key is hashed again.
    document.body.append(document.createElement('div'));
    await longAfter();
    expect(key).not.toHaveBeenCalled();

    hook(widgets()[1]!, 'up').click();
    await flushPromises();
    const before = bg.drafts()[0]!.target.key;
    // The site rewrites answer 2 in place (a retry shown in the same element).
    document.querySelectorAll('.font-claude-response p')[1]!.textContent = 'いいえ、やはりはい';
    await pageSettles();
    expect(key).toHaveBeenCalledTimes(1);
    hook(widgets()[1]!, 'up').click();
    await flushPromises();
    const after = bg.drafts()[1]!.target;
    expect(after.key).not.toBe(before);
    expect(after.output).toBe('いいえ、やはりはい');
    key.mockRestore();
  });
});

describe('content controller on a virtualised ChatGPT 2026-09 thread', () => {
  const URL_2026 = 'https://chatgpt.com/c/68f1c2d3-4e5f-8001-a2b3-c4d5e6f7a8b9';

  it('a turn unmounted and mounted again gets its widget back with the same key and state, and no second rating', async () => {
    setUrl(URL_2026);
    loadSiteFixture('chatgpt/2026-09-built.html');
    bg.config = { reportHealth: true, selectorPacks: {}, configVersion: 0 };
    await start();
    const count = widgets().length;
    expect(count).toBe(5);
    hook(widgets()[1]!, 'down').click();
    await flushPromises();
    expect(bg.drafts()).toHaveLength(1);
    const key = bg.drafts()[0]!.target.key;

    // The site evicts the turn, then mounts a fresh copy of it (new elements, same ids).
    const turn = document.querySelectorAll('[data-turn-key]')[1]!;
    const html = turn.outerHTML.replace(/<groundtruth-widget[\s\S]*?<\/groundtruth-widget>/g, '');
    const parent = turn.parentElement!;
    const next = turn.nextElementSibling;
    turn.remove();
    controller.scan();
    await controller.idle();
    expect(widgets()).toHaveLength(count - 1);
    next!.insertAdjacentHTML('beforebegin', html);
    controller.scan();
    await controller.idle();
    await flushPromises();
    expect(widgets()).toHaveLength(count);
    const back = widgets()[1]!;
    expect(back.getAttribute('data-gt-state')).toBe('pending');
    expect(hook(back, 'down').getAttribute('aria-pressed')).toBe('true');
    expect(bg.drafts()).toHaveLength(1);
    expect(parent.querySelectorAll('groundtruth-widget')).toHaveLength(count);

    // Rating it again after the remount updates the same target.
    hook(back, 'up').click();
    await flushPromises();
    expect(bg.drafts().map((d) => d.target.key)).toEqual([key, key]);
  });

  it("asks once for the rater's own ratings in the conversation and shows them", async () => {
    setUrl(URL_2026);
    loadSiteFixture('chatgpt/2026-09-built.html');
    const third = chatgpt.findAnswers(document)[2]!;
    const key = chatgpt.key(third, 2, new URL(URL_2026));
    const original = bg.send.bind(bg);
    bg.send = async (message) => {
      if (message.type !== 'open-conversation') return original(message);
      bg.sent.push(structuredClone(message));
      return { statuses: [{ key, state: 'synced', rating: { thumb: 'up' } }] };
    };
    await start();
    await flushPromises();
    expect(bg.sent.filter((m) => m.type === 'open-conversation')).toEqual([
      { type: 'open-conversation', site: 'chatgpt.com', conversationId: '68f1c2d3-4e5f-8001-a2b3-c4d5e6f7a8b9' },
    ]);
    const widget = widgets()[2]!;
    expect(widget.getAttribute('data-gt-state')).toBe('synced');
    expect(hook(widget, 'up').getAttribute('aria-pressed')).toBe('true');
    expect(widgets()[1]!.getAttribute('data-gt-state')).toBe('none');
    // Later scans of the same conversation do not ask again.
    controller.scan();
    await controller.idle();
    expect(bg.sent.filter((m) => m.type === 'open-conversation')).toHaveLength(1);
  });
});

describe('content controller on other pages', () => {
  const rule: CustomRuleInput = {
    id: 'grafana',
    urlPattern: 'https://grafana.example.com/d/*',
    outputSelector: '.ai-summary',
    subject: { selector: 'h1' },
    kind: 'investigation',
  };

  it('places widgets by a custom rule, with its kind and subject', async () => {
    setUrl('https://grafana.example.com/d/abc/latency');
    document.body.innerHTML = '<h1>checkout-api</h1><div class="ai-summary"><p>p99 rose after deploy 142.</p></div>';
    bg.config = { rules: [rule] };
    await start();
    expect(widgets()).toHaveLength(1);
    hook(widgets()[0]!, 'up').click();
    await flushPromises();
    expect(bg.drafts()[0]!.target).toMatchObject({
      kind: 'investigation',
      site: 'grafana.example.com',
      subject: 'checkout-api',
      output: 'p99 rose after deploy 142.',
      context: { rule: 'grafana' },
    });
  });

  it('adds nothing to a page no adapter or rule knows', async () => {
    setUrl('https://example.com/article');
    document.body.innerHTML = '<div class="ai-summary">text</div>';
    bg.config = { rules: [rule] };
    await start();
    expect(widgets()).toHaveLength(0);
  });

  it('rates a text selection with its quote, after the selected block', async () => {
    setUrl('https://wiki.example.com/page');
    document.body.innerHTML = '<p id="a">The model said the outage began at 10:42 UTC, caused by DNS.</p><p>Other.</p>';
    bg.config = { selectionKind: 'evidence' };
    await start();
    const text = document.getElementById('a')!.firstChild!;
    const range = document.createRange();
    range.setStart(text, 4);
    range.setEnd(text, 18);
    window.getSelection()!.removeAllRanges();
    window.getSelection()!.addRange(range);
    bg.push({ type: 'rate-selection', selectionText: 'model said the' });
    await flushPromises();
    const widget = document.getElementById('a')!.nextElementSibling!;
    expect(widget.localName).toBe('groundtruth-widget');
    hook(widget, 'down').click();
    await flushPromises();
    const target = bg.drafts()[0]!.target;
    expect(target).toMatchObject({
      kind: 'evidence',
      site: 'wiki.example.com',
      output: 'model said the',
      quote: { exact: 'model said the', prefix: 'The ', suffix: ' outage began at 10:42 UTC, caus', start: 4, end: 18 },
    });
    expect(target.key).toMatch(/^wiki\.example\.com:selection:\/page:[0-9a-f]{14}$/);
  });

  it('floats the selection widget when there is no selection to follow', async () => {
    setUrl('https://wiki.example.com/page');
    document.body.innerHTML = '<p>x</p>';
    await start();
    window.getSelection()!.removeAllRanges();
    bg.push({ type: 'rate-selection', selectionText: 'from a PDF' });
    await flushPromises();
    const widget = document.querySelector('groundtruth-widget')!;
    expect(widget.hasAttribute('data-floating')).toBe(true);
    hook(widget, 'up').click();
    await flushPromises();
    expect(bg.drafts()[0]!.target).toMatchObject({ kind: 'other', output: 'from a PDF', quote: { exact: 'from a PDF' } });
  });
});
