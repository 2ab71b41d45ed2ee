/**
 * The rating widget: a small inline bar (thumbs, optional stars, comment, state) and, on demand, a
 * comment/correction form. A pure component: it shows `status` and reports what the rater wants
 * through `onChange`; the controller saves it and passes the new status back. Test hooks
 * (data-gt=…) are the stable names of DESIGN.md.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { JSX } from 'preact';
import type { Correction, Rating } from '../../shared/schemas.ts';
import type { TargetStatus } from '../messages.ts';
import { LIMITS } from '../../shared/limits.ts';

/** What the widget shows: the state of this answer's feedback. */
export type WidgetStatus = Omit<TargetStatus, 'key'>;

/** What the rater wants: the whole new feedback (so nothing set earlier is lost), or its removal. */
export type WidgetChange =
  | { remove: true }
  | { remove?: undefined; rating: Rating; comment?: string; correction?: Correction };

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
}

const STATE_TEXT: Record<WidgetStatus['state'], string> = {
  none: '',
  pending: 'Saved · will sync',
  synced: 'Synced',
  rejected: 'Not accepted',
};

function ThumbIcon({ down }: { down?: boolean }) {
  return (
    <svg viewBox="0 0 24 24" aria-hidden="true" style={down ? { transform: 'scaleY(-1)' } : undefined}>
      <path d="M2 21h4V9H2v12zm20-11c0-1.1-.9-2-2-2h-6.3l1-4.6v-.3c0-.4-.2-.8-.4-1.1L13.2 1 6.6 7.6c-.4.4-.6.9-.6 1.4v10c0 1.1.9 2 2 2h9c.8 0 1.5-.5 1.8-1.2l3-7.1c.1-.2.2-.5.2-.7v-2z" />
    </svg>
  );
}

function CommentIcon() {
  return (
    <svg viewBox="0 0 24 24" aria-hidden="true">
      <path d="M20 2H4a2 2 0 0 0-2 2v18l4-4h14a2 2 0 0 0 2-2V4a2 2 0 0 0-2-2zm0 14H5.2L4 17.2V4h16v12zM6 9h12v2H6zm0-3h12v2H6zm0 6h8v2H6z" />
    </svg>
  );
}

/** Rating without one part; undefined if nothing is left. */
function without(rating: Rating | undefined, part: 'thumb' | 'stars'): Rating | undefined {
  if (!rating) return undefined;
  const rest: Rating = { ...rating };
  delete rest[part];
  return rest.thumb !== undefined || rest.stars !== undefined || rest.label !== undefined ? rest : undefined;
}

export function Widget({ status, starMode, onChange, openForm, autoFocus, onClose }: WidgetProps) {
  const rating = status.rating;
  const [formOpen, setFormOpen] = useState(Boolean(openForm));
  const [comment, setComment] = useState(status.comment ?? '');
  const [correction, setCorrection] = useState(status.correction?.output ?? '');
  const [hint, setHint] = useState('');
  const firstButton = useRef<HTMLButtonElement>(null);
  const commentBox = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    if (autoFocus) firstButton.current?.focus();
  }, []);
  useEffect(() => {
    if (formOpen) commentBox.current?.focus();
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
    }
    setHint('');
    setFormOpen(!formOpen);
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
    onChange(next);
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
