// @vitest-environment happy-dom
import { render } from 'preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PopupSummary } from '../background/summary.ts';
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
    expect(send).toHaveBeenLastCalledWith({ type: 'sync-now' });
    expect($('pending-count')!.textContent).toBe('0');
    expect($('synced-count')!.textContent).toBe('7');
    expect($('sync-now')!.textContent).toBe('Sync now');
  });

  it('shows the background failure in words', async () => {
    const $ = show(<PopupApp send={async () => ({ failed: true, error: 'nope' })} openOptions={() => {}} refreshMs={60_000} />);
    await until(() => root.textContent!.includes('nope'));
    expect($('pending-count')).toBeNull();
  });
});
