// @vitest-environment happy-dom
/**
 * The detail form's extra criteria (docs/decisions/0030-criteria.md): published criteria show as a
 * thumb pair or stars in the form, the bar keeps rating `overall` with the hooks of DESIGN.md, and
 * Save reports only the criteria that changed (null: taken back), beside the overall rating.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mountWidget, type MountedWidget } from './mount.ts';
import type { WidgetChange, WidgetProps, WidgetStatus } from './widget.tsx';
import type { WidgetCriterion } from './criteria.tsx';

const CRITERIA: WidgetCriterion[] = [
  { name: 'correctness', label: 'Correct?', scale: 'thumbs', hint: 'Facts and code that hold up' },
  { name: 'task_quality', label: 'Task quality', scale: 'stars' },
];

let mounted: MountedWidget[] = [];
afterEach(() => {
  for (const m of mounted) m.destroy();
  mounted = [];
});

function setup(status: WidgetStatus = { state: 'synced', rating: { thumb: 'up' } }, extra: Partial<WidgetProps> = {}) {
  const onChange = vi.fn<(change: WidgetChange) => void>();
  const props: WidgetProps = { status, starMode: false, onChange, criteria: CRITERIA, ...extra };
  const widget = mountWidget(props, { theme: 'light' });
  mounted.push(widget);
  document.body.append(widget.host);
  const $ = (hook: string) => widget.host.shadowRoot!.querySelector<HTMLElement>(`[data-gt="${hook}"]`);
  const rerender = (next: Partial<WidgetProps>) => widget.update({ ...props, ...next });
  return { widget, onChange, $, rerender };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

async function openForm($: (hook: string) => HTMLElement | null) {
  $('comment')!.click();
  await settle();
}

describe('widget criteria', () => {
  it('shows them only in the detail form; the bar and its hooks stay as they are', async () => {
    const { $ } = setup({ state: 'none' });
    for (const hook of ['up', 'down', 'comment']) expect($(hook)).not.toBeNull();
    expect($('criterion-correctness')).toBeNull();
    await openForm($);
    for (const hook of ['comment-text', 'correction-text', 'save']) expect($(hook)).not.toBeNull();
    expect($('criterion-correctness-up')).not.toBeNull();
    expect($('criterion-correctness-down')).not.toBeNull();
    expect($('criterion-correctness')!.getAttribute('title')).toBe('Facts and code that hold up');
    for (let n = 1; n <= 5; n++) expect($(`criterion-task_quality-star-${n}`)).not.toBeNull();
    expect($('criterion-task_quality-up')).toBeNull();
  });

  it('saves the criteria picked in the form with the overall rating, each by name', async () => {
    const { $, onChange } = setup();
    await openForm($);
    $('criterion-correctness-down')!.click();
    $('criterion-task_quality-star-4')!.click();
    await settle();
    expect($('criterion-correctness-down')!.getAttribute('aria-pressed')).toBe('true');
    expect($('criterion-task_quality-star-4')!.getAttribute('aria-pressed')).toBe('true');
    // Nothing is sent before Save.
    expect(onChange).not.toHaveBeenCalled();
    $('save')!.click();
    await settle();
    expect(onChange).toHaveBeenLastCalledWith({
      rating: { thumb: 'up' },
      criteria: { correctness: { thumb: 'down' }, task_quality: { stars: 4 } },
    });
  });

  it('shows what is saved, sends only what changed, and null for a rating taken back', async () => {
    const { $, onChange } = setup(undefined, {
      criteriaStatus: { correctness: { state: 'synced', rating: { thumb: 'up' } }, task_quality: { state: 'synced', rating: { stars: 2 } } },
    });
    await openForm($);
    expect($('criterion-correctness-up')!.getAttribute('aria-pressed')).toBe('true');
    expect($('criterion-task_quality-star-2')!.getAttribute('aria-pressed')).toBe('true');
    // Clicking the chosen thumb takes it back; stars stay as saved.
    $('criterion-correctness-up')!.click();
    await settle();
    $('save')!.click();
    await settle();
    expect(onChange).toHaveBeenLastCalledWith({ rating: { thumb: 'up' }, criteria: { correctness: null } });
    // Saving again with nothing changed in the form sends no criteria at all.
    await openForm($);
    $('save')!.click();
    await settle();
    expect(onChange).toHaveBeenLastCalledWith({ rating: { thumb: 'up' } });
  });

  it('asks for the overall rating first, and shows why a criterion was not accepted', async () => {
    const { widget, $, onChange, rerender } = setup({ state: 'none' });
    await openForm($);
    $('criterion-correctness-up')!.click();
    await settle();
    $('save')!.click();
    await settle();
    expect(onChange).not.toHaveBeenCalled();
    expect(widget.host.shadowRoot!.querySelector('.hint')!.textContent).toMatch(/thumbs up or down/);
    rerender({ status: { state: 'synced', rating: { thumb: 'up' } }, criteriaStatus: { correctness: { state: 'rejected', rating: { thumb: 'up' }, error: 'criterion: too long' } } });
    await settle();
    expect($('criterion-correctness')!.querySelector('[role="alert"]')!.textContent).toBe('Not accepted: criterion: too long');
  });

  it('is made of labelled buttons in the form too', async () => {
    const { widget, $ } = setup();
    await openForm($);
    for (const b of widget.host.shadowRoot!.querySelectorAll('[data-gt^="criterion-"] button')) {
      expect(b.getAttribute('type')).toBe('button');
      expect(b.getAttribute('aria-label')).toMatch(/^(Correct\?|Task quality): /);
    }
  });
});
