// @vitest-environment happy-dom
// @vitest-environment-options {"url": "https://chatgpt.com/c/697b1066-3e40-8322-8670-d2c03bdf20db"}
/**
 * Extra criteria on a saved ChatGPT page (docs/decisions/0030-criteria.md): with criteria in the
 * content config, each widget asks for its criteria's states with its own, shows them in the detail
 * form, and each criterion rated there goes to the background as a draft of its own — the whole
 * target, `criterion` set — beside the overall rating; an answer from the background under the
 * criterion's key shows in that answer's form.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startContent, type ContentPort } from './controller.ts';
import { ContentConfig } from '../config.ts';
import type { ContentMessage, Message, RatingDraft, TargetStatus } from '../messages.ts';
import { criterionRowKey } from '../criterion-key.ts';
import { loadSiteFixture } from '../../test/helpers/sites.ts';

const CHAT_URL = 'https://chatgpt.com/c/697b1066-3e40-8322-8670-d2c03bdf20db';
const KEY = 'chatgpt.com:000c2552-861d-4a46-917c-beb81415a068';
const CRITERIA = [
  { name: 'correctness', label: 'Correct?', scale: 'thumbs' as const },
  { name: 'task_quality', label: 'Task quality', scale: 'stars' as const },
];

/** A background stand-in that answers `rate` as the real one does, per row key. */
class FakeBackground implements ContentPort {
  sent: Message[] = [];
  stored = new Map<string, TargetStatus>();
  private listeners = new Set<(m: ContentMessage) => void>();
  async send(message: Message): Promise<unknown> {
    this.sent.push(structuredClone(message));
    if (message.type === 'get-content-config') return ContentConfig.parse({ criteria: CRITERIA });
    if (message.type === 'get-statuses') return { statuses: message.keys.flatMap((k) => (this.stored.has(k) ? [this.stored.get(k)!] : [])) };
    if (message.type === 'rate') {
      const { draft } = message;
      const key = criterionRowKey(draft.target.key, draft.criterion);
      const status: TargetStatus = draft.remove ? { key, state: 'none' } : { key, state: 'pending', rating: draft.rating };
      this.stored.set(key, status);
      return status;
    }
    return undefined;
  }
  listen(listener: (m: ContentMessage) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  push(message: ContentMessage) {
    for (const l of this.listeners) l(message);
  }
  drafts(): RatingDraft[] {
    return this.sent.flatMap((m) => (m.type === 'rate' ? [m.draft] : []));
  }
}

const flushPromises = () => vi.advanceTimersByTimeAsync(0);
const widgetOf = (key: string) =>
  [...document.querySelectorAll('groundtruth-widget')].find((w) => w.previousElementSibling?.getAttribute('data-message-id') === key.split(':')[1])!;
const hook = (widget: Element, name: string) => widget.shadowRoot!.querySelector<HTMLElement>(`[data-gt="${name}"]`);

let abort: AbortController;
let bg: FakeBackground;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'requestAnimationFrame', 'cancelAnimationFrame', 'performance'] });
  (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(CHAT_URL);
  abort = new AbortController();
  bg = new FakeBackground();
  loadSiteFixture('chatgpt/chat-simple.html');
});
afterEach(() => {
  abort.abort();
  document.body.innerHTML = '';
  vi.useRealTimers();
});

describe('content controller with extra criteria', () => {
  it("asks for each answer's criteria states with its own, and shows a saved one in the form", async () => {
    bg.stored.set(KEY, { key: KEY, state: 'synced', rating: { thumb: 'up' } });
    bg.stored.set(criterionRowKey(KEY, 'task_quality'), { key: criterionRowKey(KEY, 'task_quality'), state: 'synced', rating: { stars: 3 } });
    const controller = await startContent({ port: bg, signal: abort.signal });
    await controller.idle();
    await flushPromises();
    const asked = bg.sent.filter((m) => m.type === 'get-statuses').flatMap((m) => (m.type === 'get-statuses' ? m.keys : []));
    expect(asked).toEqual(expect.arrayContaining([KEY, criterionRowKey(KEY, 'correctness'), criterionRowKey(KEY, 'task_quality')]));
    const widget = widgetOf(KEY);
    expect(widget.getAttribute('data-gt-state')).toBe('synced');
    hook(widget, 'comment')!.click();
    await flushPromises();
    expect(hook(widget, 'criterion-task_quality-star-3')!.getAttribute('aria-pressed')).toBe('true');
    expect(hook(widget, 'criterion-correctness-up')!.getAttribute('aria-pressed')).toBe('false');
  });

  it('sends each criterion rated in the form as a draft of its own, with the whole target', async () => {
    const controller = await startContent({ port: bg, signal: abort.signal });
    await controller.idle();
    await flushPromises();
    const widget = widgetOf(KEY);
    hook(widget, 'up')!.click();
    await flushPromises();
    hook(widget, 'comment')!.click();
    await flushPromises();
    hook(widget, 'criterion-correctness-down')!.click();
    await flushPromises();
    hook(widget, 'save')!.click();
    await flushPromises();
    const drafts = bg.drafts();
    const overall = drafts.filter((d) => !d.criterion);
    const correctness = drafts.filter((d) => d.criterion === 'correctness');
    expect(overall.at(-1)).toMatchObject({ rating: { thumb: 'up' }, target: { key: KEY } });
    expect(correctness).toHaveLength(1);
    expect(correctness[0]).toMatchObject({ criterion: 'correctness', rating: { thumb: 'down' }, target: { key: KEY, output: expect.any(String), prompt: expect.any(String) } });
    expect(drafts.some((d) => d.criterion === 'task_quality')).toBe(false);
    // Save closed the form. The background's later word on the criterion (a sync) shows in it.
    bg.push({ type: 'statuses-changed', statuses: [{ key: criterionRowKey(KEY, 'correctness'), state: 'rejected', rating: { thumb: 'down' }, error: 'nope' }] });
    await flushPromises();
    hook(widget, 'comment')!.click();
    await flushPromises();
    expect(hook(widget, 'criterion-correctness')!.querySelector('[role="alert"]')!.textContent).toBe('Not accepted: nope');
    // The overall state is its own: still pending, not the criterion's rejection.
    expect(widget.getAttribute('data-gt-state')).toBe('pending');
  });
});
