/** @jsxImportSource hono/jsx */
/**
 * The table of feedback records the feedback browser shows, shared with the rater's own ratings
 * (my-ratings.tsx). `recordHref` says where a row's date links to (the record page, which only
 * analysts reach); without it the date is plain text, as the subjects are with `plainSubjects`.
 */
import type { FC } from 'hono/jsx';
import type { Feedback } from '../../shared/schemas.ts';
import { excerpt, when } from './format.ts';
import { RatingBadge, SubjectLink } from './parts.tsx';

export const FeedbackTable: FC<{
  items: Feedback[];
  raterNames?: Map<string, string>;
  recordHref?: (f: Feedback) => string;
  /** Show the criterion column (the rater's own ratings). */
  criteria?: boolean;
  /** Subjects as text, not links to their pages (which only analysts reach). */
  plainSubjects?: boolean;
}> = ({ items, raterNames, recordHref, criteria, plainSubjects }) => (
  <table class="data" data-gt="feedback-table">
    <thead>
      <tr>
        <th>When</th>
        <th>Rating</th>
        {criteria && <th>Criterion</th>}
        <th>Model</th>
        <th>Where</th>
        <th>Subject</th>
        <th>Prompt / answer</th>
        <th>Comment</th>
        {raterNames && <th>Rater</th>}
      </tr>
    </thead>
    <tbody>
      {items.map((f) => (
        <tr data-id={f.id}>
          <td class="nowrap">{recordHref ? <a href={recordHref(f)}>{when(f.createdAt)}</a> : when(f.createdAt)}</td>
          <td class="nowrap">
            <RatingBadge rating={f.rating} />
            {f.correction && (
              <>
                {' '}
                <span class="pill">corrected</span>
              </>
            )}
          </td>
          {criteria && <td>{f.criterion ?? 'overall'}</td>}
          <td>{f.target.model ?? '—'}</td>
          <td>
            {f.target.site ?? '—'} <span class="muted">{f.target.kind}</span>
          </td>
          <td>{plainSubjects ? (f.target.subject ?? '—') : <SubjectLink subject={f.target.subject} />}</td>
          <td>
            <div>{excerpt(f.target.prompt, 90) || <span class="muted">(no prompt)</span>}</div>
            <div class="muted">{excerpt(f.target.output ?? f.target.quote?.exact, 110)}</div>
          </td>
          <td>{excerpt(f.comment, 120)}</td>
          {raterNames && <td>{raterNames.get(f.raterId) ?? f.raterId}</td>}
        </tr>
      ))}
    </tbody>
  </table>
);
