/**
 * A virtualised ChatGPT thread in the 2026-09 layout (../shared/fixtures/LAYOUTS-2026.md: turns
 * are div[data-turn-key] holding the user bubble and the answer unit; only a few turns are
 * mounted at a time, inside a column-reverse scroller), for the remount benchmark and the
 * end-to-end remount test. The page keeps every turn's HTML in `window.__thread` and mounts a
 * window of them with `window.__mount(first, count)`, as the site does when the rater scrolls.
 */

export const VIRTUAL_CONVERSATION = '68e0c2a1-0b7d-8322-9f3c-5d2a1b0c9e77';
export const VIRTUAL_URL = `https://chatgpt.com/c/${VIRTUAL_CONVERSATION}`;

/** Ids of turn `i`: the turn key (= the user message id) and the answer's message id. */
export function turnIds(i: number): { turnKey: string; answerId: string } {
  const n = String(i).padStart(4, '0');
  return { turnKey: `5f1c0000-0000-4000-8000-00000000${n}`, answerId: `a7d20000-0000-4000-8000-00000000${n}` };
}

function turnHtml(i: number): string {
  const { turnKey, answerId } = turnIds(i);
  return `<div data-turn-key="${turnKey}" data-content-search-turn-key="fallback-turn-${i % 6}" class="group/turn">
  <div class="flex justify-end"><div data-user-message-bubble="true" class="rounded-3xl"><div class="whitespace-pre-wrap">Question ${i}: how many retries before paging on-call?</div></div></div>
  <div data-chatgpt-search-message-ids="${answerId}" class="answer-unit">
    <h4 class="sr-only" data-conversation-role="assistant">ChatGPT said:</h4>
    <div data-chatgpt-selection-message-id="${answerId}"><div data-markdown-text-style="assistant-message"><p>Answer ${i}: retry three times with exponential backoff, then page the on-call engineer.</p><ul><li>first retry after 30 s</li><li>then 2 min, 8 min</li></ul></div></div>
    <div class="flex gap-1"><button aria-label="Copy">Copy</button><button aria-label="Good response">👍</button><button aria-label="Bad response">👎</button></div>
  </div>
</div>`;
}

/** The whole page: a sidebar decoy, the scroller, and `mounted` turns out of `turns` shown at first. */
export function virtualThreadPage(turns: number, mounted = 6): string {
  const all = Array.from({ length: turns }, (_, i) => turnHtml(i));
  const script = `
    window.__thread = ${JSON.stringify(all)};
    window.__mount = (first, count) => {
      const list = document.querySelector('[data-app-action-timeline-scroll] > .turns');
      list.replaceChildren();
      for (let i = first; i < Math.min(first + count, window.__thread.length); i++) {
        list.insertAdjacentHTML('beforeend', window.__thread[i]);
      }
    };
    window.__mount(${Math.max(0, turns - mounted)}, ${mounted});`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ChatGPT</title></head><body>
<nav data-app-action-sidebar-scroll="true"><a href="/c/other">Earlier chat</a><div class="whitespace-pre-wrap">sidebar text</div></nav>
<main><div data-app-action-timeline-scroll="true" style="display:flex;flex-direction:column-reverse;height:800px;overflow:auto"><div class="turns"></div></div>
<form><textarea aria-label="Message ChatGPT"></textarea><button data-testid="send-button">Send</button></form></main>
<script>${script}</script>
</body></html>`;
}
