/**
 * The extra criteria of the widget's detail form (docs/decisions/0030-criteria.md): an admin
 * publishes them in the extension config (`criteria: [{name, label, scale, hint?}]`); the bar keeps
 * rating `overall`, and the form shows a thumb pair or 1–5 stars per extra criterion. A pure
 * component: it shows the ratings it is given and reports each pick; the widget keeps them until
 * Save, when each changed criterion becomes a record of its own (same target, `criterion` set).
 *
 * Test hooks: `[data-gt="criterion-<name>"]` around each, inside it `[data-gt="criterion-<name>-up"]`,
 * `…-down` (thumbs) or `…-star-1` … `…-star-5` (stars).
 */
import type { Rating } from '../../shared/schemas.ts';
import type { WidgetState } from '../messages.ts';
import { ThumbIcon } from './icons.tsx';

/** A published criterion as the widget shows it (PublishedCriterion in shared/extension-config.ts). */
export interface WidgetCriterion {
  name: string;
  label: string;
  scale: 'thumbs' | 'stars';
  hint?: string;
}

/** The state of one criterion's record, as the outbox reports it. */
export interface CriterionStatus {
  state: WidgetState;
  error?: string;
  rating?: Rating;
}

/** The picks in the form: a criterion's new rating, or null for "no rating any more". */
export type CriterionPicks = Record<string, Rating | null>;

/** The rating after clicking `part = value`: clicking what is already chosen takes it away. */
export function pick(current: Rating | null | undefined, part: 'thumb' | 'stars', value: 'up' | 'down' | number): Rating | null {
  const next: Rating = { ...(current ?? {}) };
  if (next[part] === value) delete next[part];
  else (next as Record<string, unknown>)[part] = value;
  return next.thumb !== undefined || next.stars !== undefined || next.label !== undefined ? next : null;
}

/** The criteria whose pick differs from what is saved: name → new rating (null: remove it). */
export function changedPicks(criteria: readonly WidgetCriterion[], picks: CriterionPicks, saved: Record<string, CriterionStatus | undefined>): CriterionPicks {
  const out: CriterionPicks = {};
  for (const { name } of criteria) {
    if (!(name in picks)) continue;
    const before = saved[name]?.rating ?? null;
    const after = picks[name] ?? null;
    if (JSON.stringify(before) !== JSON.stringify(after)) out[name] = after;
  }
  return out;
}

interface FieldsProps {
  criteria: readonly WidgetCriterion[];
  /** The rating each criterion shows now (the pick, else the saved one). */
  ratings: Record<string, Rating | null | undefined>;
  statuses: Record<string, CriterionStatus | undefined>;
  onPick(name: string, rating: Rating | null): void;
}

export function CriteriaFields({ criteria, ratings, statuses, onPick }: FieldsProps) {
  return (
    <>
      {criteria.map((c) => {
        const rating = ratings[c.name] ?? undefined;
        const status = statuses[c.name];
        const hook = `criterion-${c.name}`;
        return (
          <div key={c.name} class="criterion" role="group" aria-label={c.label} data-gt={hook} title={c.hint}>
            <span class="criterion-label">{c.label}</span>
            {c.scale === 'stars' ? (
              <span class="stars">
                {[1, 2, 3, 4, 5].map((n) => (
                  <button
                    key={n}
                    type="button"
                    data-gt={`${hook}-star-${n}`}
                    class={rating?.stars !== undefined && n <= rating.stars ? 'on' : undefined}
                    aria-pressed={rating?.stars === n}
                    aria-label={`${c.label}: ${n === 1 ? '1 star' : `${n} stars`}`}
                    onClick={() => onPick(c.name, pick(rating, 'stars', n))}
                  >
                    {rating?.stars !== undefined && n <= rating.stars ? '★' : '☆'}
                  </button>
                ))}
              </span>
            ) : (
              <span>
                {(['up', 'down'] as const).map((thumb) => (
                  <button
                    key={thumb}
                    type="button"
                    data-gt={`${hook}-${thumb}`}
                    aria-pressed={rating?.thumb === thumb}
                    aria-label={`${c.label}: ${thumb === 'up' ? 'yes' : 'no'}`}
                    onClick={() => onPick(c.name, pick(rating, 'thumb', thumb))}
                  >
                    <ThumbIcon down={thumb === 'down'} />
                  </button>
                ))}
              </span>
            )}
            {status?.state === 'rejected' && (
              <span class="status rejected" role="alert">
                {status.error ? `Not accepted: ${status.error}` : 'Not accepted'}
              </span>
            )}
          </div>
        );
      })}
    </>
  );
}
