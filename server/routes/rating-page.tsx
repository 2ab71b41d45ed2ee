/** @jsxImportSource hono/jsx */
/**
 * The pages of a rating link (`/r/<secret>`, issue 17): the rating form, the thank-you page and
 * the error page. Everything shown of the target (prompt, output, model, …) is untrusted text: it
 * is only ever a text child, escaped by hono/jsx, never an attribute value taken as a URL, and the
 * Content-Security-Policy allows no script at all and only this one stylesheet (by its hash), so
 * even markup that slipped through could not run. The form works without JavaScript.
 */
import { createHash } from 'node:crypto';
import type { Child, FC } from 'hono/jsx';
import { raw } from 'hono/html';
import type { AllowedRatings } from '../../shared/feedback-links.ts';
import type { Rating, Target } from '../../shared/schemas.ts';
import { LIMITS } from '../../shared/limits.ts';

const STYLE = `
:root { color-scheme: light dark; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK JP", sans-serif; }
body { margin: 0; background: Canvas; color: CanvasText; }
main { max-width: 44rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
h1 { font-size: 1.4rem; margin: .2rem 0 1rem; }
h2 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
.meta { color: GrayText; font-size: .9rem; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; border: 1px solid GrayText; border-radius: 8px; padding: .7rem .9rem; max-height: 28rem; overflow: auto; }
fieldset { border: 1px solid GrayText; border-radius: 8px; margin: 1rem 0; padding: .6rem .9rem; }
legend { font-weight: 600; padding: 0 .3rem; }
.choices { display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; }
.choices label { display: inline-flex; align-items: center; gap: .35rem; padding: .3rem 0; }
input[type=radio] { width: 1.2rem; height: 1.2rem; }
label.block { display: block; font-weight: 600; margin: 1rem 0 .3rem; }
textarea, select { width: 100%; font: inherit; padding: .45rem; border-radius: 6px; border: 1px solid GrayText; box-sizing: border-box; }
button { font: inherit; font-weight: 600; margin-top: 1.2rem; padding: .6rem 1.4rem; border-radius: 8px; border: 0; background: #2856c9; color: #fff; cursor: pointer; }
button:focus-visible, input:focus-visible, textarea:focus-visible, select:focus-visible { outline: 3px solid #7aa2ff; outline-offset: 2px; }
.notice { border-left: 4px solid #2856c9; padding: .4rem .8rem; }
.error { border-left-color: #c2412d; }
`;

/** The one style this page has, allowed by its hash: no 'unsafe-inline' (CSP Level 2 hash source). */
const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

/** No script at all; the stylesheet above only; forms post here only; never framed. */
export const RATING_PAGE_CSP = {
  defaultSrc: ["'none'"],
  styleSrc: [STYLE_HASH],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
};

const Page: FC<{ title: string; children?: Child }> = ({ title, children }) => (
  <>
    {raw('<!doctype html>')}
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <meta name="robots" content="noindex, nofollow" />
        <title>{`${title} · Groundtruth`}</title>
        <style>{raw(STYLE)}</style>
      </head>
      <body>
        <main>{children}</main>
      </body>
    </html>
  </>
);

const when = (iso: string) => iso.replace('T', ' ').replace(/:\d\d\.\d+Z$|:\d\dZ$/, ' UTC');

export interface RatingPageProps {
  action: string;
  target: Target;
  criterion: string;
  allowed: AllowedRatings | null;
  expiresAt: string;
  reusable: boolean;
  /** This browser's current rating through the link (a reusable link), if any. */
  previous?: Rating;
}

const THUMB_TEXT = { up: '👍 Good', down: '👎 Bad' } as const;

function describeRating(r: Rating): string {
  return [r.thumb && THUMB_TEXT[r.thumb], r.stars !== undefined && `${r.stars} of 5 stars`, r.label && `“${r.label}”`].filter(Boolean).join(', ');
}

export function RatingPage(p: RatingPageProps) {
  const thumbs = p.allowed ? p.allowed.thumb : (['up', 'down'] as const);
  const stars = p.allowed ? p.allowed.stars : { min: 1, max: 5 };
  const labels = p.allowed?.labels;
  const t = p.target;
  const meta = [t.model && `Model: ${t.model}`, p.criterion !== 'overall' && `Judging: ${p.criterion}`, `Open until ${when(p.expiresAt)}`].filter(Boolean).join(' · ');
  return (
    <Page title="Rate this answer">
      <h1>Rate this answer</h1>
      <p class="meta">{meta}</p>
      {p.previous && (
        <p class="notice" role="status">
          You rated this {describeRating(p.previous)}. Sending again replaces your rating.
        </p>
      )}
      {t.prompt !== undefined && (
        <section aria-labelledby="gt-prompt">
          <h2 id="gt-prompt">Question</h2>
          <div class="text">{t.prompt}</div>
        </section>
      )}
      {t.output !== undefined ? (
        <section aria-labelledby="gt-output">
          <h2 id="gt-output">Answer</h2>
          <div class="text">{t.output}</div>
        </section>
      ) : (
        <p class="notice">The answer's text is not shown here.</p>
      )}
      <form method="post" action={p.action}>
        {thumbs && (
          <fieldset>
            <legend>Was this answer good?</legend>
            <div class="choices">
              {thumbs.map((v) => (
                <label>
                  <input type="radio" name="thumb" value={v} checked={p.previous?.thumb === v} /> {THUMB_TEXT[v]}
                </label>
              ))}
            </div>
          </fieldset>
        )}
        {stars && (
          <fieldset>
            <legend>How many stars?</legend>
            <div class="choices">
              {Array.from({ length: stars.max - stars.min + 1 }, (_, i) => stars.min + i).map((n) => (
                <label>
                  <input type="radio" name="stars" value={String(n)} checked={p.previous?.stars === n} /> {`${n} ${n === 1 ? 'star' : 'stars'}`}
                </label>
              ))}
            </div>
          </fieldset>
        )}
        {labels && (
          <>
            <label class="block" for="gt-label">
              Category
            </label>
            <select id="gt-label" name="label">
              <option value="">(none)</option>
              {labels.map((l) => (
                <option value={l} selected={p.previous?.label === l}>
                  {l}
                </option>
              ))}
            </select>
          </>
        )}
        <label class="block" for="gt-comment">
          Comment (optional)
        </label>
        <textarea id="gt-comment" name="comment" rows={3} maxlength={LIMITS.commentMaxChars}></textarea>
        <label class="block" for="gt-correction">
          A better answer (optional)
        </label>
        <textarea id="gt-correction" name="correction" rows={5}></textarea>
        <button type="submit">Send rating</button>
      </form>
      <p class="meta">{p.reusable ? 'You can change your rating until the link expires.' : 'This link takes one rating.'}</p>
    </Page>
  );
}

export function ThankYouPage({ rating, again }: { rating: Rating; again?: string }) {
  return (
    <Page title="Thank you">
      <h1>Thank you</h1>
      <p class="notice" role="status">
        Your rating ({describeRating(rating)}) was saved.
      </p>
      {again && (
        <p>
          <a href={again}>Change your rating</a>
        </p>
      )}
    </Page>
  );
}

const ERROR_TITLES: Record<string, string> = {
  not_found: 'Link not found',
  link_expired: 'This link has expired',
  link_revoked: 'This link was withdrawn',
  link_used: 'This link was already used',
  rate_limited: 'Too many requests',
};

export function LinkErrorPage({ code, message, back }: { code: string; message: string; back?: string }) {
  const title = ERROR_TITLES[code] ?? 'The rating was not saved';
  return (
    <Page title={title}>
      <h1>{title}</h1>
      <p class="notice error" role="alert">
        {message}
      </p>
      {back && (
        <p>
          <a href={back}>Back to the rating page</a>
        </p>
      )}
    </Page>
  );
}
