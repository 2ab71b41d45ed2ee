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
import { FeedbackTable } from './feedback-table.tsx';
import { qs } from './format.ts';
import { BASE, Empty } from './layout.tsx';
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
        <FeedbackTable items={page.items} raterNames={names} recordHref={(f) => `${BASE}/feedback/${encodeURIComponent(f.id)}`} />
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
