/** @jsxImportSource hono/jsx */
/**
 * The review queue's filter form fields, one per parameter of the item filters (shared/items.ts,
 * ITEM_FILTER_SHAPE). The Record below is keyed by that schema's parameters, so a filter added
 * there does not compile until it has a field here. `unrated` is not a field: the queue is the
 * unrated items by definition (an item page opens any item by its id).
 */
import type { FC } from 'hono/jsx';
import { ERROR_CATEGORIES } from '../../shared/analysis.ts';
import { ITEM_FILTER_PARAMS, type ItemFilterParam, type ItemFilterValues } from '../../shared/items.ts';
import { TargetKind } from '../../shared/schemas.ts';

type Input = { label: string; type: 'date' | 'number' | 'instant' | 'text' | 'choice' | 'flag'; options?: readonly string[]; hint?: string } | null;

export const ITEM_FILTER_INPUTS: Record<ItemFilterParam, Input> = {
  date: { label: 'Day (UTC)', type: 'date' },
  days: { label: 'Last N days', type: 'number' },
  since: { label: 'Since', type: 'instant', hint: '2026-02-01 or an ISO time' },
  until: { label: 'Until (exclusive)', type: 'instant', hint: '2026-02-08 or an ISO time' },
  subject: { label: 'Subject (DAG)', type: 'text' },
  task: { label: 'Task', type: 'text' },
  category: { label: 'Category', type: 'text', options: ERROR_CATEGORIES },
  model: { label: 'Model', type: 'text' },
  kind: { label: 'Kind', type: 'choice', options: TargetKind.options },
  hasAnalysis: { label: 'Has analysis', type: 'flag' },
  unrated: null,
};

/** A bound at a UTC midnight shows as its date. */
const instantValue = (v: unknown) => (typeof v === 'string' && v.endsWith('T00:00:00.000Z') ? v.slice(0, 10) : typeof v === 'string' ? v : '');

export const ItemFilterInputs: FC<{ values: Partial<ItemFilterValues> }> = ({ values }) => (
  <>
    {ITEM_FILTER_PARAMS.map((param) => {
      const input = ITEM_FILTER_INPUTS[param];
      if (!input) return null;
      const v = values[param];
      switch (input.type) {
        case 'date':
          return (
            <label>
              {input.label} <input type="date" name={param} value={typeof v === 'string' ? v : ''} />
            </label>
          );
        case 'number':
          return (
            <label>
              {input.label} <input type="number" min="1" step="1" size={3} name={param} value={v === undefined ? '' : String(v)} />
            </label>
          );
        case 'instant':
          return (
            <label>
              {input.label} <input type="text" size={12} name={param} value={instantValue(v)} placeholder={input.hint} />
            </label>
          );
        case 'choice':
          return (
            <label>
              {input.label}
              <select name={param}>
                <option value="">any</option>
                {(input.options ?? []).map((o) => (
                  <option value={o} selected={v === o ? true : undefined}>
                    {o}
                  </option>
                ))}
              </select>
            </label>
          );
        case 'flag':
          return (
            <label>
              {input.label}
              <select name={param}>
                <option value="">any</option>
                <option value="1" selected={v === true ? true : undefined}>
                  yes
                </option>
                <option value="0" selected={v === false ? true : undefined}>
                  no (awaiting)
                </option>
              </select>
            </label>
          );
        case 'text':
          return (
            <label>
              {input.label} <input type="text" size={12} name={param} value={typeof v === 'string' ? v : ''} list={input.options ? `gt-item-${param}` : undefined} />
              {input.options ? (
                <datalist id={`gt-item-${param}`}>
                  {input.options.map((o) => (
                    <option value={o} />
                  ))}
                </datalist>
              ) : null}
            </label>
          );
      }
    })}
  </>
);
