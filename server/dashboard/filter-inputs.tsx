/** @jsxImportSource hono/jsx */
/**
 * The form fields of the filters of every list (shared/filters.ts), one per parameter and drawn
 * from its definition — a date for a time bound, a choice for an enum or a flag, a number, or text
 * with suggestions — so a filter added to the field description appears on the feedback browser
 * and the export page without either changing.
 */
import type { FC } from 'hono/jsx';
import { FILTER_DEFS, FILTER_PARAMS, type FilterParam, type FilterValues } from '../../shared/filters.ts';

/** `conversationId` → "Conversation id". */
function label(param: FilterParam): string {
  const def = FILTER_DEFS.get(param)!;
  const words = (def.op === 'min' || def.op === 'max') && def.type === 'int' ? def.column : param;
  const text = words.replace(/_/g, ' ').replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
  const base = text.charAt(0).toUpperCase() + text.slice(1);
  if (def.type === 'int' && def.op === 'min') return `${base} ≥`;
  if (def.type === 'int' && def.op === 'max') return `${base} ≤`;
  if (def.op === 'before') return `${base} (exclusive)`;
  return base;
}

/** A bound at a UTC midnight shows in a date field; any other instant as text. */
function dateValue(v: string | undefined): { type: 'date' | 'text'; value: string } {
  if (!v) return { type: 'date', value: '' };
  return v.endsWith('T00:00:00.000Z') ? { type: 'date', value: v.slice(0, 10) } : { type: 'text', value: v };
}

/** `omit`: filters the page fixes itself (the rater's own ratings fix `rater`). */
export const FilterInputs: FC<{ values: FilterValues; suggestions?: Partial<Record<FilterParam, string[]>>; omit?: FilterParam[] }> = ({ values, suggestions = {}, omit = [] }) => {
  const sel = (a: unknown, b: unknown) => (a === b ? true : undefined);
  return (
    <>
      {FILTER_PARAMS.filter((param) => !omit.includes(param)).map((param) => {
        const def = FILTER_DEFS.get(param)!;
        const v = values[param] as string | number | boolean | undefined;
        if (def.type === 'datetime') {
          const d = dateValue(v as string | undefined);
          return (
            <label>
              {label(param)} <input type={d.type} name={param} value={d.value} />
            </label>
          );
        }
        if (def.type === 'enum' || def.type === 'boolean') {
          const options = def.type === 'boolean' ? [['true', 'yes'], ['false', 'no']] : (def.values ?? []).map((o) => [o, o]);
          return (
            <label>
              {label(param)}
              <select name={param}>
                <option value="">any</option>
                {options.map(([value, text]) => (
                  <option value={value} selected={sel(v === undefined ? undefined : String(v), value)}>
                    {text}
                  </option>
                ))}
              </select>
            </label>
          );
        }
        if (def.type === 'int') {
          return (
            <label>
              {label(param)} <input type="number" step="1" name={param} value={v === undefined ? '' : String(v)} size={3} />
            </label>
          );
        }
        const list = suggestions[param];
        return (
          <label>
            {label(param)} <input type="text" name={param} value={(v as string | undefined) ?? ''} size={12} list={list?.length ? `gt-${param}-choices` : undefined} />
            {list?.length ? (
              <datalist id={`gt-${param}-choices`}>
                {list.map((o) => (
                  <option value={o} />
                ))}
              </datalist>
            ) : null}
          </label>
        );
      })}
    </>
  );
};
