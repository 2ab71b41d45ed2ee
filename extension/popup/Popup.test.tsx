// @vitest-environment happy-dom
import { render } from 'preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PopupSummary } from '../background/summary.ts';
import type { ToReview } from '../background/to-review.ts';
import { PopupApp, PopupView } from './Popup.tsx';

const NOW = Date.parse('2026-02-01T10:00:00Z');
const base: PopupSummary = {
  counts: { pending: 2, synced: 5, rejected: 1 },
  lastSync: null,
  serverUrl: 'http://127.0.0.1:8787',
  hasToken: true,
  recent: [
    { key: 'a', state: 'rejected', op: 'upsert', error: 'this record belongs to another rater', rating: { thumb: 'down' }, snippet: '<img src=x onerror=alert(1)>', site: 'chatgpt.com', updatedAt: '2026-02-01T09:59:00Z' },
    { key: 'b', state: 'pending', op: 'upsert', rating: { stars: 4 }, snippet: 'Four stars', updatedAt: '2026-02-01T09:58:00Z' },
  ],
  packs: null,
};

let root: HTMLElement;
afterEach(() => {
  render(null, root);
  root.remove();
});
function show(node: preact.ComponentChild) {
  root = document.createElement('div');
  document.body.append(root);
  render(node, root);
  return (hook: string) => root.querySelector<HTMLElement>(`[data-gt="${hook}"]`);
}
const tick = () => new Promise((r) => setTimeout(r, 0));
async function until(check: () => boolean) {
  for (let i = 0; i < 50; i++) {
    if (check()) return;
    await tick();
  }
  throw new Error('condition not reached');
}

describe('popup', () => {
  it('shows the counts, the recent ratings with their state and reason, page text as text', () => {
    const $ = show(<PopupView summary={base} syncing={false} now={NOW} onSyncNow={() => {}} onOpenOptions={() => {}} />);
    expect($('pending-count')!.textContent).toBe('2');
    expect($('synced-count')!.textContent).toBe('5');
    expect($('rejected-count')!.textContent).toBe('1');
    expect($('last-sync')!.textContent).toBe('Not synced yet.');
    const items = root.querySelectorAll('[data-gt="recent-item"]');
    expect(items).toHaveLength(2);
    expect(items[0]!.getAttribute('data-gt-state')).toBe('rejected');
    expect(items[0]!.textContent).toContain('Reason: this record belongs to another rater');
    expect(items[0]!.querySelector('img')).toBeNull();
    expect(items[1]!.textContent).toContain('★★★★☆');
  });

  it('says which selector pack is in use, and which it could not use', () => {
    const $ = show(<PopupView summary={{ ...base, packs: { version: 7, sites: ['chatgpt', 'claude'], ignored: ['grok'] } }} syncing={false} now={NOW} onSyncNow={() => {}} onOpenOptions={() => {}} />);
    expect($('packs')!.textContent).toBe('Selector pack v7 in use for chatgpt, claude. Not usable by this version: grok.');
    render(null, root);
    root.remove();
    const $$ = show(<PopupView summary={base} syncing={false} now={NOW} onSyncNow={() => {}} onOpenOptions={() => {}} />);
    expect($$('packs')).toBeNull();
  });

  it('says when the last sync was, or what went wrong and when it tries again', () => {
    let $ = show(
      <PopupView summary={{ ...base, lastSync: { at: NOW - 120_000, ok: true, sent: 3, synced: 3, rejected: 0 } }} syncing={false} now={NOW} onSyncNow={() => {}} onOpenOptions={() => {}} />,
    );
    expect($('last-sync')!.textContent).toBe('Last sync 2 minutes ago (3 sent).');
    render(null, root);
    root.remove();
    $ = show(
      <PopupView
        summary={{
          ...base,
          hasToken: false,
          lastSync: { at: NOW - 10_000, ok: false, kind: 'unreachable', error: 'Cannot reach the server at http://127.0.0.1:8787. Is it running, and is the address right?', sent: 0, synced: 0, rejected: 0, nextAttemptAt: NOW + 30_000 },
        }}
        syncing={false}
        now={NOW}
        onSyncNow={() => {}}
        onOpenOptions={() => {}}
      />,
    );
    expect($('sync-error')!.textContent).toMatch(/^Cannot reach the server/);
    expect($('last-sync')!.textContent).toContain('Next try in 30 seconds.');
    expect(root.textContent).toContain('No token yet.');
  });

  it('Sync now asks the background and shows the answer', async () => {
    const after: PopupSummary = { ...base, counts: { pending: 0, synced: 7, rejected: 1 }, lastSync: { at: Date.now(), ok: true, sent: 2, synced: 2, rejected: 0 } };
    const send = vi.fn(async (m: { type: string }) => (m.type === 'sync-now' ? after : base));
    const $ = show(<PopupApp send={send} openOptions={() => {}} refreshMs={60_000} />);
    await until(() => $('pending-count') !== null);
    expect($('pending-count')!.textContent).toBe('2');
    $('sync-now')!.click();
    await until(() => $('pending-count')!.textContent === '0');
    expect(send).toHaveBeenCalledWith({ type: 'sync-now' });
    expect($('pending-count')!.textContent).toBe('0');
    expect($('synced-count')!.textContent).toBe('7');
    expect($('sync-now')!.textContent).toBe('Sync now');
  });

  it('"N to review": the sum over the queues, one queue as the link, several each linked; page text as text', () => {
    const one: ToReview = { total: 3, queues: [{ id: 'q1', name: 'Daily errors', toReview: 3, url: 'http://127.0.0.1:8787/dashboard/queues/q1' }] };
    let $ = show(<PopupView summary={base} toReview={one} syncing={false} now={NOW} onSyncNow={() => {}} onOpenOptions={() => {}} />);
    expect($('to-review')!.textContent).toBe('3 to review');
    expect($('to-review')!.getAttribute('href')).toBe('http://127.0.0.1:8787/dashboard/queues/q1');
    expect($('to-review')!.getAttribute('target')).toBe('_blank');
    render(null, root);
    root.remove();
    const two: ToReview = {
      total: 5,
      queues: [
        { id: 'q1', name: 'Daily errors', toReview: 3, url: 'http://gt.example/dashboard/queues/q1' },
        { id: 'q 2', name: '<img src=x onerror=alert(1)>', toReview: 2, url: 'http://gt.example/dashboard/queues/q%202' },
      ],
    };
    $ = show(<PopupView summary={base} toReview={two} syncing={false} now={NOW} onSyncNow={() => {}} onOpenOptions={() => {}} />);
    expect($('to-review')!.textContent).toBe('5 to review');
    const links = [...root.querySelectorAll<HTMLAnchorElement>('[data-gt="to-review-queue"]')];
    expect(links.map((a) => [a.textContent, a.getAttribute('href')])).toEqual([
      ['Daily errors (3)', 'http://gt.example/dashboard/queues/q1'],
      ['<img src=x onerror=alert(1)> (2)', 'http://gt.example/dashboard/queues/q%202'],
    ]);
    expect(root.querySelector('img')).toBeNull();
  });

  it('no "to review" line at 0, or without an answer (a server without queues, offline)', () => {
    for (const toReview of [{ total: 0, queues: [] }, null, undefined]) {
      const $ = show(<PopupView summary={base} toReview={toReview} syncing={false} now={NOW} onSyncNow={() => {}} onOpenOptions={() => {}} />);
      expect($('to-review')).toBeNull();
      render(null, root);
      root.remove();
    }
    root = document.createElement('div');
  });

  it('PopupApp asks the background for the queues when it opens and after Sync now, not at every refresh', async () => {
    let total = 2;
    const answer = (): ToReview => ({ total, queues: [{ id: 'q1', name: 'Q', toReview: total, url: 'http://s/dashboard/queues/q1' }] });
    const send = vi.fn(async (m: { type: string }) => (m.type === 'get-to-review' ? answer() : base));
    const $ = show(<PopupApp send={send} openOptions={() => {}} refreshMs={5} toReviewRefreshMs={60_000} />);
    await until(() => $('to-review')?.textContent === '2 to review');
    await until(() => send.mock.calls.filter(([m]) => m.type === 'get-summary').length >= 3);
    expect(send.mock.calls.filter(([m]) => m.type === 'get-to-review')).toHaveLength(1);
    total = 0;
    $('sync-now')!.click();
    await until(() => $('to-review') === null);
    expect(send.mock.calls.filter(([m]) => m.type === 'get-to-review')).toHaveLength(2);
  });

  it('PopupApp shows no line when the background does not know the message (an older background)', async () => {
    const send = vi.fn(async (m: { type: string }) => (m.type === 'get-to-review' ? { error: 'Not a Groundtruth message' } : base));
    const $ = show(<PopupApp send={send} openOptions={() => {}} refreshMs={60_000} />);
    await until(() => $('pending-count') !== null && send.mock.calls.some(([m]) => m.type === 'get-to-review'));
    await tick();
    expect($('to-review')).toBeNull();
    expect(root.textContent).not.toContain('Not a Groundtruth message');
  });

  it('shows the background failure in words', async () => {
    const $ = show(<PopupApp send={async () => ({ failed: true, error: 'nope' })} openOptions={() => {}} refreshMs={60_000} />);
    await until(() => root.textContent!.includes('nope'));
    expect($('pending-count')).toBeNull();
  });
});
