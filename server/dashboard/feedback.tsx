/** @jsxImportSource hono/jsx */
/** The feedback browser: /dashboard/feedback with the API's filters and "lowest rated first". */
import { Hono } from 'hono';
import { TARGET_KINDS } from '../../shared/schemas.ts';
import { raterNames } from '../subjects/activity.ts';
import type { DashEnv } from './env.ts';
import { browseFeedback, BrowserQuery, filterChoices } from './feedback-query.ts';
import { excerpt, qs, when } from './format.ts';
import { BASE, Empty } from './layout.tsx';
import { RatingBadge, SubjectLink } from './parts.tsx';
import { render } from './render.tsx';

export const feedbackPages = new Hono<DashEnv>().get('/feedback', async function feedbackBrowser(c) {
  const q = BrowserQuery.parse(c.req.query());
  const auth = c.get('auth');
  const db = c.get('store').db;
  const [page, choices] = await Promise.all([browseFeedback(db, auth.workspaceId, q), filterChoices(db, auth.workspaceId)]);
  const names = await raterNames(db, auth.workspaceId, page.items.map((f) => f.raterId));
  const { cursor: _c, page: _p, ...kept } = q;
  const nextHref =
    page.nextCursor != null ? `${BASE}/feedback${qs({ ...kept, cursor: page.nextCursor })}` : page.nextPage != null ? `${BASE}/feedback${qs({ ...kept, page: page.nextPage })}` : null;
  const sel = (a: unknown, b: unknown) => (a === b ? true : undefined);

  return render(
    c,
    { title: 'Feedback', page: 'feedback' },
    <>
      <form class="filters" method="get" action={`${BASE}/feedback`}>
        <label>
          Since <input type="date" name="since" value={q.since ?? ''} />
        </label>
        <label>
          Until <input type="date" name="until" value={q.until ?? ''} />
        </label>
        <label>
          Model
          <select name="model">
            <option value="">any</option>
            {choices.models.map((m) => (
              <option value={m} selected={sel(q.model, m)}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <label>
          Site
          <select name="site">
            <option value="">any</option>
            {choices.sites.map((s) => (
              <option value={s} selected={sel(q.site, s)}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Kind
          <select name="kind">
            <option value="">any</option>
            {TARGET_KINDS.map((k) => (
              <option value={k} selected={sel(q.kind, k)}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <label>
          Thumb
          <select name="thumb">
            <option value="">any</option>
            <option value="up" selected={sel(q.thumb, 'up')}>
              up
            </option>
            <option value="down" selected={sel(q.thumb, 'down')}>
              down
            </option>
          </select>
        </label>
        <label>
          Stars ≥
          <select name="minStars">
            <option value="">any</option>
            {[1, 2, 3, 4, 5].map((s) => (
              <option value={String(s)} selected={sel(q.minStars, s)}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Stars ≤
          <select name="maxStars">
            <option value="">any</option>
            {[1, 2, 3, 4, 5].map((s) => (
              <option value={String(s)} selected={sel(q.maxStars, s)}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Rater id <input type="text" name="rater" value={q.rater ?? ''} size={14} />
        </label>
        <label>
          Subject <input type="text" name="subject" value={q.subject ?? ''} size={14} />
        </label>
        <label>
          Order
          <select name="sort" data-gt="sort">
            <option value="newest" selected={sel(q.sort, 'newest')}>
              newest first
            </option>
            <option value="lowest" selected={sel(q.sort, 'lowest')}>
              lowest rated first
            </option>
          </select>
        </label>
        <button type="submit">Apply</button>
        <a class="button secondary" href={`${BASE}/feedback`}>
          Clear
        </a>
      </form>
      {page.items.length === 0 ? (
        <Empty>No feedback matches these filters.</Empty>
      ) : (
        <table class="data" data-gt="feedback-table">
          <thead>
            <tr>
              <th>When</th>
              <th>Rating</th>
              <th>Model</th>
              <th>Where</th>
              <th>Subject</th>
              <th>Prompt / answer</th>
              <th>Comment</th>
              <th>Rater</th>
            </tr>
          </thead>
          <tbody>
            {page.items.map((f) => (
              <tr data-id={f.id}>
                <td class="nowrap">
                  <a href={`${BASE}/feedback/${encodeURIComponent(f.id)}`}>{when(f.createdAt)}</a>
                </td>
                <td class="nowrap">
                  <RatingBadge rating={f.rating} />
                  {f.correction && (
                    <>
                      {' '}
                      <span class="pill">corrected</span>
                    </>
                  )}
                </td>
                <td>{f.target.model ?? '—'}</td>
                <td>
                  {f.target.site ?? '—'} <span class="muted">{f.target.kind}</span>
                </td>
                <td>
                  <SubjectLink subject={f.target.subject} />
                </td>
                <td>
                  <div>{excerpt(f.target.prompt, 90) || <span class="muted">(no prompt)</span>}</div>
                  <div class="muted">{excerpt(f.target.output ?? f.target.quote?.exact, 110)}</div>
                </td>
                <td>{excerpt(f.comment, 120)}</td>
                <td>{names.get(f.raterId) ?? f.raterId}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {nextHref && (
        <div class="pager">
          <a class="button secondary" href={nextHref} data-gt="next-page">
            Next page →
          </a>
        </div>
      )}
    </>,
  );
});
