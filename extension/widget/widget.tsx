/**
 * The rating widget: a small inline bar (thumbs, optional stars, comment, state) and, on demand, a
 * comment/correction form, with the extra criteria an admin published (criteria.tsx). A pure
 * component: it shows `status` and reports what the rater wants through `onChange`; the controller
 * saves it and passes the new status back. The bar rates criterion `overall`. Test hooks
 * (data-gt=…) are the stable names of DESIGN.md.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { JSX } from 'preact';
import type { Correction, Rating } from '../../shared/schemas.ts';
import type { TargetStatus } from '../messages.ts';
import { LIMITS } from '../../shared/limits.ts';
import { CriteriaFields, changedPicks, type CriterionPicks, type CriterionStatus, type WidgetCriterion } from './criteria.tsx';
import { CommentIcon, ThumbIcon } from './icons.tsx';

/** What the widget shows: the state of this answer's feedback. */
export type WidgetStatus = Omit<TargetStatus, 'key'>;

/**
 * What the rater wants: the whole new feedback (so nothing set earlier is lost), or its removal.
 * `criteria`: the extra criteria changed in the form, each a record of its own (null: removed).
 */
export type WidgetChange =
  | { remove: true }
  | { remove?: undefined; rating: Rating; comment?: string; correction?: Correction; criteria?: CriterionPicks };

export interface WidgetProps {
  status: WidgetStatus;
  /** Show 1–5 stars besides the thumbs. */
  starMode: boolean;
  onChange(change: WidgetChange): void;
  /** Open with the comment form shown (a text selection being rated). */
  openForm?: boolean;
  /** Focus the first button when mounted (keyboard users of the context menu). */
  autoFocus?: boolean;
  /** Shows a close button (a widget opened for a text selection). */
  onClose?(): void;
  /** Extra criteria of the detail form (published by an admin, to a server that takes them). */
  criteria?: readonly WidgetCriterion[];
  /** The saved state of each extra criterion's record, by name. */
  criteriaStatus?: Record<string, CriterionStatus | undefined>;
}

const STATE_TEXT: Record<WidgetStatus['state'], string> = {
  none: '',
  pending: 'Saved · will sync',
  synced: 'Synced',
  rejected: 'Not accepted',
};

/** Rating without one part; undefined if nothing is left. */
function without(rating: Rating | undefined, part: 'thumb' | 'stars'): Rating | undefined {
  if (!rating) return undefined;
  const rest: Rating = { ...rating };
  delete rest[part];
  return rest.thumb !== undefined || rest.stars !== undefined || rest.label !== undefined ? rest : undefined;
}

const NO_CRITERIA: readonly WidgetCriterion[] = [];
const NO_STATUSES: Record<string, CriterionStatus | undefined> = {};

export function Widget({ status, starMode, onChange, openForm, autoFocus, onClose, criteria = NO_CRITERIA, criteriaStatus = NO_STATUSES }: WidgetProps) {
  const rating = status.rating;
  const [formOpen, setFormOpen] = useState(Boolean(openForm));
  const [comment, setComment] = useState(status.comment ?? '');
  const [correction, setCorrection] = useState(status.correction?.output ?? '');
  const [hint, setHint] = useState('');
  const [picks, setPicks] = useState<CriterionPicks>({});
  const firstButton = useRef<HTMLButtonElement>(null);
  const commentButton = useRef<HTMLButtonElement>(null);
  const commentBox = useRef<HTMLTextAreaElement>(null);
  /** The form closed with focus inside it: focus goes back to its button once the form is gone. */
  const refocus = useRef(false);

  useEffect(() => {
    if (autoFocus) firstButton.current?.focus();
  }, []);
  useEffect(() => {
    if (formOpen) commentBox.current?.focus();
  }, [formOpen]);
  useLayoutEffect(() => {
    if (!formOpen && refocus.current) commentButton.current?.focus();
    refocus.current = false;
  }, [formOpen]);

  /** The feedback kept besides the rating: what is saved already. */
  const extras = () => ({
    ...(status.comment ? { comment: status.comment } : {}),
    ...(status.correction ? { correction: status.correction } : {}),
  });

  const change = (next: Rating | undefined) => {
    setHint('');
    // Nothing rated any more: undo the vote (a delete), comment and correction go with it.
    onChange(next ? { rating: next, ...extras() } : { remove: true });
  };

  const clickThumb = (thumb: 'up' | 'down') =>
    change(rating?.thumb === thumb ? without(rating, 'thumb') : { ...rating, thumb });
  const clickStar = (stars: number) =>
    change(rating?.stars === stars ? without(rating, 'stars') : { ...rating, stars });

  const toggleForm = () => {
    if (!formOpen) {
      setComment(status.comment ?? '');
      setCorrection(status.correction?.output ?? '');
      setPicks({});
    }
    setHint('');
    setFormOpen(!formOpen);
    if (formOpen) returnFocus();
  };

  /**
   * The form is closing (Save, Cancel, Escape) with focus inside it: give focus back to the
   * button that opened it, so a keyboard user goes on from there and not from the top of the page
   * (the focused control is about to leave the DOM). WAI-ARIA APG, disclosure pattern.
   */
  const returnFocus = () => {
    const root = commentButton.current?.getRootNode() as ShadowRoot | Document | undefined;
    refocus.current = Boolean(root?.activeElement?.closest('form'));
  };

  const save = (event: JSX.TargetedEvent<HTMLFormElement, Event>) => {
    event.preventDefault();
    if (!rating) {
      setHint(starMode ? 'Choose thumbs or stars first.' : 'Choose thumbs up or down first.');
      return;
    }
    const text = comment.trim();
    const corrected = correction.trim();
    const fields = status.correction?.fields;
    const next: WidgetChange = { rating };
    if (text) next.comment = text.slice(0, LIMITS.commentMaxChars);
    if (corrected || fields) next.correction = { ...(corrected ? { output: corrected } : {}), ...(fields ? { fields } : {}) };
    const changed = changedPicks(criteria, picks, criteriaStatus);
    if (Object.keys(changed).length) next.criteria = changed;
    onChange(next);
    returnFocus();
    setFormOpen(false);
  };

  const stateText = STATE_TEXT[status.state];
  const rejected = status.state === 'rejected';
  return (
    <div>
      <div class="bar" role="group" aria-label="Rate this answer (Groundtruth)">
        <button
          ref={firstButton}
          type="button"
          data-gt="up"
          aria-pressed={rating?.thumb === 'up'}
          aria-label="Good answer"
          title="Good answer"
          onClick={() => clickThumb('up')}
        >
          <ThumbIcon />
        </button>
        <button
          type="button"
          data-gt="down"
          aria-pressed={rating?.thumb === 'down'}
          aria-label="Bad answer"
          title="Bad answer"
          onClick={() => clickThumb('down')}
        >
          <ThumbIcon down />
        </button>
        {starMode && (
          <span class="stars" role="group" aria-label="Stars">
            {[1, 2, 3, 4, 5].map((n) => (
              <button
                key={n}
                type="button"
                data-gt={`star-${n}`}
                class={rating?.stars !== undefined && n <= rating.stars ? 'on' : undefined}
                aria-pressed={rating?.stars === n}
                aria-label={n === 1 ? '1 star' : `${n} stars`}
                title={n === 1 ? '1 star' : `${n} stars`}
                onClick={() => clickStar(n)}
              >
                {rating?.stars !== undefined && n <= rating.stars ? '★' : '☆'}
              </button>
            ))}
          </span>
        )}
        <button
          type="button"
          ref={commentButton}
          data-gt="comment"
          class={status.comment || status.correction ? 'on' : undefined}
          aria-expanded={formOpen}
          aria-label="Comment or correct this answer"
          title="Comment or correct"
          onClick={toggleForm}
        >
          <CommentIcon />
        </button>
        {stateText && (
          <span class={rejected ? 'status rejected' : 'status'} role="status" title={status.error ?? stateText}>
            {rejected && status.error ? `${stateText}: ${status.error}` : stateText}
          </span>
        )}
        {onClose && (
          <button type="button" aria-label="Close" title="Close" onClick={onClose}>
            ×
          </button>
        )}
      </div>
      {formOpen && (
        <form onSubmit={save} onKeyDown={(e) => e.key === 'Escape' && toggleForm()}>
          <label>
            Comment
            <textarea
              ref={commentBox}
              data-gt="comment-text"
              maxLength={LIMITS.commentMaxChars}
              value={comment}
              onInput={(e) => setComment(e.currentTarget.value)}
            />
          </label>
          <label>
            Corrected answer
            <textarea
              data-gt="correction-text"
              rows={4}
              value={correction}
              onInput={(e) => setCorrection(e.currentTarget.value)}
            />
          </label>
          {criteria.length > 0 && (
            <CriteriaFields
              criteria={criteria}
              ratings={Object.fromEntries(criteria.map((c) => [c.name, c.name in picks ? picks[c.name] : criteriaStatus[c.name]?.rating]))}
              statuses={criteriaStatus}
              onPick={(name, picked) => {
                setHint('');
                // Functional: two picks before a render must both be kept.
                setPicks((current) => ({ ...current, [name]: picked }));
              }}
            />
          )}
          <div class="actions">
            {hint && (
              <span class="hint" role="alert">
                {hint}
              </span>
            )}
            <button type="button" onClick={toggleForm}>
              Cancel
            </button>
            <button type="submit" class="primary" data-gt="save">
              Save
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
