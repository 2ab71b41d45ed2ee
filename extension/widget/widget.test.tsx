// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mountWidget, type MountedWidget } from './mount.ts';
import type { WidgetChange, WidgetProps, WidgetStatus } from './widget.tsx';

let mounted: MountedWidget[] = [];
afterEach(() => {
  for (const m of mounted) m.destroy();
  mounted = [];
});

function setup(status: WidgetStatus = { state: 'none' }, extra: Partial<WidgetProps> = {}) {
  const onChange = vi.fn<(change: WidgetChange) => void>();
  const props: WidgetProps = { status, starMode: false, onChange, ...extra };
  const widget = mountWidget(props, { theme: 'light' });
  mounted.push(widget);
  document.body.append(widget.host);
  const $ = (hook: string) => widget.host.shadowRoot!.querySelector<HTMLElement>(`[data-gt="${hook}"]`);
  const rerender = (next: Partial<WidgetProps>) => widget.update({ ...props, ...next });
  return { widget, onChange, $, rerender };
}

async function settle() {
  // Preact batches state updates through a microtask/debounce; let them run.
  await new Promise((r) => setTimeout(r, 0));
}

describe('widget', () => {
  it('is a groundtruth-widget with an open shadow root, its state on data-gt-state', () => {
    const { widget, $, rerender } = setup();
    expect(widget.host.tagName.toLowerCase()).toBe('groundtruth-widget');
    expect(widget.host.shadowRoot).not.toBeNull();
    expect(widget.host.getAttribute('data-gt-state')).toBe('none');
    expect($('up')).not.toBeNull();
    expect($('down')).not.toBeNull();
    expect($('comment')).not.toBeNull();
    expect($('star-1')).toBeNull();
    for (const state of ['pending', 'synced', 'rejected', 'none'] as const) {
      rerender({ status: { state } });
      expect(widget.host.getAttribute('data-gt-state')).toBe(state);
    }
  });

  it('resets inherited page styles at the shadow root', () => {
    const { widget } = setup();
    const css = widget.host.shadowRoot!.querySelector('style')!.textContent!;
    expect(css).toMatch(/:host\s*\{\s*all: initial;/);
  });

  it('thumbs send the new rating; clicking the active thumb undoes the vote', () => {
    const { $, onChange, rerender } = setup();
    $('down')!.click();
    expect(onChange).toHaveBeenLastCalledWith({ rating: { thumb: 'down' } });

    rerender({ status: { state: 'pending', rating: { thumb: 'down' } } });
    expect($('down')!.getAttribute('aria-pressed')).toBe('true');
    expect($('up')!.getAttribute('aria-pressed')).toBe('false');

    $('up')!.click();
    expect(onChange).toHaveBeenLastCalledWith({ rating: { thumb: 'up' } });

    rerender({ status: { state: 'synced', rating: { thumb: 'up' }, comment: 'kept' } });
    $('up')!.click();
    expect(onChange).toHaveBeenLastCalledWith({ remove: true });
  });

  it('a change of thumb keeps the saved comment and correction', () => {
    const { $, onChange } = setup({ state: 'synced', rating: { thumb: 'up' }, comment: 'ok', correction: { output: 'x' } });
    $('down')!.click();
    expect(onChange).toHaveBeenLastCalledWith({ rating: { thumb: 'down' }, comment: 'ok', correction: { output: 'x' } });
  });

  it('stars in star mode: set, change, undo one part while the thumb stays', () => {
    const { $, onChange, rerender } = setup({ state: 'none' }, { starMode: true });
    for (let n = 1; n <= 5; n++) expect($(`star-${n}`)).not.toBeNull();
    $('star-4')!.click();
    expect(onChange).toHaveBeenLastCalledWith({ rating: { stars: 4 } });
    rerender({ status: { state: 'pending', rating: { stars: 4, thumb: 'up' } } });
    expect($('star-4')!.getAttribute('aria-pressed')).toBe('true');
    $('star-4')!.click();
    expect(onChange).toHaveBeenLastCalledWith({ rating: { thumb: 'up' } });
    $('up')!.click();
    expect(onChange).toHaveBeenLastCalledWith({ rating: { stars: 4 } });
  });

  it('the comment form saves comment and correction with the current rating', async () => {
    const { $, onChange, rerender } = setup({ state: 'pending', rating: { thumb: 'down' } });
    expect($('comment-text')).toBeNull();
    $('comment')!.click();
    await settle();
    expect($('comment')!.getAttribute('aria-expanded')).toBe('true');
    const comment = $('comment-text') as HTMLTextAreaElement;
    const correction = $('correction-text') as HTMLTextAreaElement;
    comment.value = 'Wrong year.';
    comment.dispatchEvent(new Event('input', { bubbles: true }));
    correction.value = 'It was 1969.';
    correction.dispatchEvent(new Event('input', { bubbles: true }));
    await settle();
    $('save')!.click();
    await settle();
    expect(onChange).toHaveBeenLastCalledWith({
      rating: { thumb: 'down' },
      comment: 'Wrong year.',
      correction: { output: 'It was 1969.' },
    });
    expect($('comment-text')).toBeNull();
    // Opening again shows what was saved.
    rerender({ status: { state: 'pending', rating: { thumb: 'down' }, comment: 'Wrong year.', correction: { output: 'It was 1969.' } } });
    $('comment')!.click();
    await settle();
    expect(($('comment-text') as HTMLTextAreaElement).value).toBe('Wrong year.');
  });

  it('Escape closes the form without saving', async () => {
    const { $, onChange } = setup({ state: 'pending', rating: { thumb: 'up' } });
    $('comment')!.click();
    await settle();
    $('comment-text')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    await settle();
    expect($('comment-text')).toBeNull();
    expect(onChange).not.toHaveBeenCalled();
  });

  it('closing the form from inside it (Save, Escape) gives focus back to the comment button', async () => {
    const { widget, $ } = setup({ state: 'pending', rating: { thumb: 'up' } });
    const focused = () => widget.host.shadowRoot!.activeElement;
    $('comment')!.click();
    // The form focuses its comment box in an effect (after paint).
    await vi.waitFor(() => expect(focused()).toBe($('comment-text')));
    $('save')!.focus();
    $('save')!.click();
    await settle();
    expect($('comment-text')).toBeNull();
    expect(focused()).toBe($('comment'));

    $('comment')!.click();
    // The form focuses its comment box in an effect (after paint).
    await vi.waitFor(() => expect(focused()).toBe($('comment-text')));
    $('comment-text')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    await settle();
    expect(focused()).toBe($('comment'));
  });

  it('saving without any rating asks for one instead of sending', async () => {
    const { widget, $, onChange } = setup();
    $('comment')!.click();
    await settle();
    $('save')!.click();
    await settle();
    expect(onChange).not.toHaveBeenCalled();
    expect(widget.host.shadowRoot!.querySelector('[role="alert"]')!.textContent).toMatch(/thumbs up or down/);
  });

  it('shows the reason of a rejection', () => {
    const { widget } = setup({ state: 'rejected', rating: { thumb: 'up' }, error: 'target.key: must not be empty' });
    const status = widget.host.shadowRoot!.querySelector('[role="status"]')!;
    expect(status.textContent).toBe('Not accepted: target.key: must not be empty');
  });

  it('is made of labelled buttons (keyboard reachable)', () => {
    const { widget } = setup({ state: 'none' }, { starMode: true });
    const buttons = [...widget.host.shadowRoot!.querySelectorAll('button')];
    expect(buttons.length).toBe(8);
    for (const b of buttons) {
      expect(b.getAttribute('type')).toBe('button');
      expect(b.getAttribute('aria-label')).toBeTruthy();
    }
  });

  it('keeps key presses and clicks inside from reaching the page, from the first one on', () => {
    const { $ } = setup();
    const seen = vi.fn();
    document.addEventListener('click', seen);
    document.addEventListener('keydown', seen);
    // A pristine widget: its first click wakes it and is contained too.
    $('comment')!.click();
    $('comment')!.dispatchEvent(new FocusEvent('focusin', { bubbles: true, composed: true }));
    $('up')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'a', bubbles: true, composed: true }));
    document.removeEventListener('click', seen);
    document.removeEventListener('keydown', seen);
    expect(seen).not.toHaveBeenCalled();
  });

  it('destroy() removes the element', () => {
    const { widget } = setup();
    widget.destroy();
    expect(document.querySelector('groundtruth-widget')).toBeNull();
  });
});
