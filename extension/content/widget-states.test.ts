// @vitest-environment happy-dom
/** WidgetStates against a port whose answers the test releases in any order. */
import { describe, expect, it } from 'vitest';
import type { Message } from '../messages.ts';
import type { MountedWidget } from '../widget/mount.ts';
import type { WidgetProps } from '../widget/widget.tsx';
import type { ContentPort } from './controller.ts';
import { WidgetStates, type Rated } from './widget-states.ts';

function setup() {
  const pending: { message: Message; answer(value: unknown): void }[] = [];
  const port: ContentPort = {
    send: (message) => new Promise((resolve) => pending.push({ message, answer: resolve })),
    listen: () => () => {},
  };
  const shown: WidgetProps[] = [];
  const widget: MountedWidget = { host: document.createElement('div'), update: (props) => void shown.push(props), setTheme() {}, destroy() {} };
  const rated: Rated = { key: 'chatgpt:msg-1', widget, target: () => ({ kind: 'chat_response', key: 'chatgpt:msg-1', site: 'chatgpt', prompt: 'p', output: 'o' }) };
  const states = new WidgetStates({ port, signal: new AbortController().signal, starMode: () => false });
  states.track(rated);
  return { states, rated, pending, shown };
}

describe('WidgetStates', () => {
  it("shows the answer of the row's latest change, whichever answer comes last", async () => {
    const { states, rated, pending, shown } = setup();
    const save = states.rate(rated, { rating: { thumb: 'down' }, comment: 'Wrong table.' });
    const undo = states.rate(rated, { remove: true });
    expect(pending.map((p) => (p.message as { draft: { remove?: boolean } }).draft.remove ?? false)).toEqual([false, true]);
    expect(states.status('chatgpt:msg-1')).toEqual({ state: 'none' }); // the undo, shown at once
    pending[1]!.answer({ key: 'chatgpt:msg-1', state: 'none' });
    await undo;
    pending[0]!.answer({ key: 'chatgpt:msg-1', state: 'pending', rating: { thumb: 'down' }, comment: 'Wrong table.' });
    await save;
    expect(states.status('chatgpt:msg-1')).toEqual({ state: 'none' });
    expect(shown.at(-1)!.status).toEqual({ state: 'none' });
  });

  it('shows each answer when the changes do not overlap', async () => {
    const { states, rated, pending } = setup();
    const first = states.rate(rated, { rating: { thumb: 'up' } });
    pending[0]!.answer({ key: 'chatgpt:msg-1', state: 'synced', rating: { thumb: 'up' } });
    await first;
    expect(states.status('chatgpt:msg-1')).toEqual({ state: 'synced', rating: { thumb: 'up' } });
    const second = states.rate(rated, { rating: { thumb: 'down' } });
    pending[1]!.answer({ key: 'chatgpt:msg-1', state: 'pending', rating: { thumb: 'down' } });
    await second;
    expect(states.status('chatgpt:msg-1')).toEqual({ state: 'pending', rating: { thumb: 'down' } });
  });
});
