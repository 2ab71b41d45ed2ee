/** @jsxImportSource hono/jsx */
/**
 * The feedback browser: /dashboard/feedback with the filters of every list (shared/filters.ts) and
 * "lowest rated first". An unknown query parameter is a 400 page naming it (page-query.ts).
 */
import { Hono } from 'hono';
import { filterQuery, pickFilters } from '../../shared/filters.ts';
import { raterNames } from '../subjects/activity.ts';
import type { DashEnv } from './env.ts';
import { browseFeedback, BrowserQuery, filterChoices } from './feedback-query.ts';
import { FilterInputs } from './filter-inputs.tsx';
import { parsePageQuery } from './page-query.ts';
import { excerpt, qs, when } from './format.ts';
import { BASE, Empty } from './layout.tsx';
import { RatingBadge, SubjectLink } from './parts.tsx';
import { render } from './render.tsx';

export const feedbackPages = new Hono<DashEnv>().get('/feedback', async function feedbackBrowser(c) {
  const q = parsePageQuery(c, BrowserQuery);
  const auth = c.get('auth');
  const db = c.get('store').db;
  const [page, choices] = await Promise.all([browseFeedback(db, auth.workspaceId, q), filterChoices(db, auth.workspaceId)]);
  const names = await raterNames(db, auth.workspaceId, page.items.map((f) => f.raterId));
  const kept = { ...filterQuery(pickFilters(q)), sort: q.sort };
  const nextHref =
    page.nextCursor != null ? `${BASE}/feedback${qs({ ...kept, cursor: page.nextCursor })}` : page.nextPage != null ? `${BASE}/feedback${qs({ ...kept, page: page.nextPage })}` : null;
  const sel = (a: unknown, b: unknown) => (a === b ? true : undefined);

  return render(
    c,
    { title: 'Feedback', page: 'feedback' },
    <>
      <form class="filters" method="get" action={`${BASE}/feedback`}>
        <FilterInputs values={pickFilters(q)} suggestions={{ model: choices.models, site: choices.sites }} />
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
