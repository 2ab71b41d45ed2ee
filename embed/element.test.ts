// @vitest-environment happy-dom
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineRatingElement } from './element.ts';
import type { Fetch, RunReport } from './sync.ts';

interface Sent {
  url: string;
  headers: Record<string, string>;
  body: { clientId: string; userId?: string; mutations: { id: string; op: string; updatedAt: string; feedback: any }[] };
}

const sent: Sent[] = [];
const reports: RunReport[] = [];
let online = true;
let answerStatus = 200;
const fetchFake: Fetch = async (url, init) => {
  if (!online) throw new TypeError('Failed to fetch');
  const body = JSON.parse(String(init!.body));
  sent.push({ url, headers: init!.headers as Record<string, string>, body });
  if (answerStatus !== 200) return new Response(JSON.stringify({ error: { code: 'x', message: 'busy' } }), { status: answerStatus });
  const results = body.mutations.map((m: { id: string }) => ({ id: m.id, status: 'applied' }));
  return new Response(JSON.stringify({ results, serverTime: new Date().toISOString(), configVersion: 0 }), { status: 200 });
};

beforeAll(() => {
  defineRatingElement('https://gt.example.com', { indexedDB: new IDBFactory(), IDBKeyRange, fetch: fetchFake, soonDelayMs: 0, onReport: (r) => reports.push(r) });
});
afterAll(() => {
  document.body.replaceChildren();
});

// Polls (each turn lets IndexedDB and the fetch fake run); bounded at 4000 turns (20 s or more on a
// busy machine), well past the one real backoff in this file (≤ 1 s after the first 429).
const until = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 4000; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
};

function page(html: string) {
  document.body.innerHTML = html;
  return [...document.querySelectorAll('groundtruth-rating')] as HTMLElement[];
}
const hook = (el: HTMLElement, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[data-gt="${name}"]`)!;

describe('<groundtruth-rating>', () => {
  it('renders the extension widget in an open shadow root, with data-gt-state and the test hooks', async () => {
    const [el] = page(`<p id="a1">The answer is 42.</p><groundtruth-rating public-key="gtpk_test" output-selector="#a1" model="m-1"></groundtruth-rating>`);
    expect(el!.shadowRoot).not.toBeNull();
    expect(el!.getAttribute('data-gt-state')).toBe('none');
    for (const h of ['up', 'down', 'comment']) expect(hook(el!, h)).not.toBeNull();
  });

  it('a thumb goes pending, then synced, with the sync envelope to <server>/v1/sync and the key as bearer', async () => {
    sent.length = 0;
    const [el] = page(
      `<div id="answer-1">It is <b>not</b> a leap year.</div><groundtruth-rating public-key="gtpk_test" output-selector="#answer-1" model="m-1" prompt="Is 2027 a leap year? mail jane.doe@example.com" conversation-id="conv-9" user-id="u-7"></groundtruth-rating>`,
    );
    hook(el!, 'up').click();
    await until(() => el!.getAttribute('data-gt-state') === 'synced', 'synced');
    expect(sent).toHaveLength(1);
    const { url, headers, body } = sent[0]!;
    expect(url).toBe('https://gt.example.com/v1/sync');
    expect(headers.Authorization).toBe('Bearer gtpk_test');
    expect(body.userId).toBe('u-7');
    expect(body.clientId).toMatch(/^embed-/);
    expect(body.mutations).toHaveLength(1);
    const fb = body.mutations[0]!.feedback;
    expect(body.mutations[0]!.op).toBe('upsert');
    expect(fb.rating).toEqual({ thumb: 'up' });
    expect(fb.target).toMatchObject({ kind: 'chat_response', model: 'm-1', conversationId: 'conv-9', output: 'It is not a leap year.', url: location.href });
    expect(fb.target.prompt).not.toMatch(/jane\.doe/); // redacted before it was stored
    expect(fb.target.key).toMatch(/^[^:]*:conv-9:0:[0-9a-f]{14}$/);
    // Clicking the chosen thumb again keeps the vote (a public key cannot delete).
    hook(el!, 'up').click();
    await new Promise((r) => setTimeout(r, 20));
    expect(el!.getAttribute('data-gt-state')).toBe('synced');
    expect(sent).toHaveLength(1);
  });

  it('offline: stays pending; the online event sends it; a re-vote updates the same record', async () => {
    sent.length = 0;
    const [el] = page(`<groundtruth-rating public-key="gtpk_test" target-key="msg-77" output="Paris."></groundtruth-rating>`);
    online = false;
    hook(el!, 'down').click();
    await until(() => el!.getAttribute('data-gt-state') === 'pending' && reports.at(-1)?.ok === false, 'a failed run');
    online = true;
    window.dispatchEvent(new Event('online'));
    await until(() => el!.getAttribute('data-gt-state') === 'synced', 'synced after online');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body.mutations[0]!.feedback.target.key).toBe('msg-77');
    hook(el!, 'up').click();
    await until(() => sent.length === 2 && el!.getAttribute('data-gt-state') === 'synced', 're-vote synced');
    expect(sent[1]!.body.mutations[0]!.id).toBe(sent[0]!.body.mutations[0]!.id);
    expect(sent[1]!.body.mutations[0]!.feedback.rating).toEqual({ thumb: 'up' });
  });

  it('a second element for the same answer (after a re-render) shows the saved state', async () => {
    const [el] = page(`<groundtruth-rating public-key="gtpk_test" target-key="msg-77"></groundtruth-rating>`);
    await until(() => el!.getAttribute('data-gt-state') === 'synced', 'state from IndexedDB');
    expect(hook(el!, 'up').getAttribute('aria-pressed')).toBe('true');
  });

  it('a key set after the element connected (frameworks set attributes late) still works; a move keeps the row', async () => {
    sent.length = 0;
    const [el] = page(`<p id="late">Late answer.</p><groundtruth-rating output-selector="#late"></groundtruth-rating><div id="elsewhere"></div>`);
    el!.setAttribute('public-key', 'gtpk_test');
    hook(el!, 'down').click();
    await until(() => el!.getAttribute('data-gt-state') === 'synced', 'synced');
    const key = sent[0]!.body.mutations[0]!.feedback.target.key;
    document.getElementById('elsewhere')!.prepend(el!); // moved: disconnected, connected again
    hook(el!, 'up').click();
    await until(() => sent.length === 2 && el!.getAttribute('data-gt-state') === 'synced', 're-vote after the move');
    expect(sent[1]!.body.mutations[0]!.feedback.target.key).toBe(key);
    expect(sent[1]!.body.mutations[0]!.id).toBe(sent[0]!.body.mutations[0]!.id);
  });

  it('429: stays pending and is retried (backoff), then synced', async () => {
    sent.length = 0;
    answerStatus = 429;
    const [el] = page(`<groundtruth-rating public-key="gtpk_test" target-key="msg-429"></groundtruth-rating>`);
    hook(el!, 'down').click();
    await until(() => sent.length === 1, 'first attempt');
    expect(el!.getAttribute('data-gt-state')).toBe('pending');
    answerStatus = 200;
    await until(() => el!.getAttribute('data-gt-state') === 'synced', 'retried after backoff');
    expect(sent).toHaveLength(2);
  });
});
