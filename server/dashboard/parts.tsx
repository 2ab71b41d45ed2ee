/** @jsxImportSource hono/jsx */
/** Small pieces several pages share. */
import type { FC } from 'hono/jsx';
import type { Rating } from '../../shared/schemas.ts';
import type { SnippetPart } from '../search/index.ts';
import { BASE } from './layout.tsx';

export const RatingBadge: FC<{ rating?: Partial<Rating> | null }> = ({ rating }) => {
  if (!rating) return <span class="muted">—</span>;
  return (
    <span class="rating">
      {rating.thumb === 'up' && (
        <span class="up" title="thumbs up">
          ▲ up
        </span>
      )}
      {rating.thumb === 'down' && (
        <span class="down" title="thumbs down">
          ▼ down
        </span>
      )}
      {rating.stars != null && <span title={`${rating.stars} of 5 stars`}>{` ${'★'.repeat(rating.stars)}${'☆'.repeat(5 - rating.stars)}`}</span>}
      {rating.label && <span class="pill">{rating.label}</span>}
    </span>
  );
};

/** Matching words in <mark>, from parts the search produced (never from HTML). */
export const Snippet: FC<{ parts: SnippetPart[] }> = ({ parts }) => (
  <span class="snippet">{parts.map((p) => (p.match ? <mark>{p.text}</mark> : p.text))}</span>
);

export const SubjectLink: FC<{ subject: string | null | undefined }> = ({ subject }) =>
  subject ? <a href={`${BASE}/subjects/${encodeURIComponent(subject)}`}>{subject}</a> : <span class="muted">—</span>;

/** Only http(s) links from page-sourced URLs become links; anything else is shown as text. */
export const ExternalUrl: FC<{ url: string | undefined }> = ({ url }) => {
  if (!url) return <span class="muted">—</span>;
  let ok = false;
  try {
    ok = ['http:', 'https:'].includes(new URL(url).protocol);
  } catch {
    ok = false;
  }
  return ok ? (
    <a href={url} rel="noopener noreferrer nofollow" target="_blank">
      {url}
    </a>
  ) : (
    <span>{url}</span>
  );
};
