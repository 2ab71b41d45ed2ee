/** @jsxImportSource hono/jsx */
/**
 * A rater's own ratings (/dashboard/my-ratings, the rater area): the feedback browser's list and
 * filters (feedback-query.ts, feedback-table.tsx) with `rater` fixed to the signed-in rater, so no
 * one reads another's ratings here. Rows do not link to the record page (analysts only).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { filterQuery, pickFilters, refuseConflicts } from '../../shared/filters.ts';
import type { DashEnv } from './env.ts';
import { browseFeedback, BrowserQuery } from './feedback-query.ts';
import { FeedbackTable } from './feedback-table.tsx';
import { FilterInputs } from './filter-inputs.tsx';
import { qs } from './format.ts';
import { BASE, Empty } from './layout.tsx';
import { parsePageQuery } from './page-query.ts';
import { render } from './render.tsx';

const { rater: _rater, ...mine } = BrowserQuery.shape;
/** The feedback browser's query without `rater` (the page fixes it): `?rater=` is an unknown parameter here. */
const MyRatingsQuery = z.object(mine).superRefine(refuseConflicts);

export const myRatingsPage = new Hono<DashEnv>().get('/my-ratings', async function myRatings(c) {
  const q = parsePageQuery(c, MyRatingsQuery);
  const auth = c.get('auth');
  const page = await browseFeedback(c.get('store').db, auth.workspaceId, { ...q, rater: auth.raterId });
  const kept = { ...filterQuery(pickFilters(q)), sort: q.sort };
  const nextHref =
    page.nextCursor != null
      ? `${BASE}/my-ratings${qs({ ...kept, cursor: page.nextCursor })}`
      : page.nextPage != null
        ? `${BASE}/my-ratings${qs({ ...kept, page: page.nextPage })}`
        : null;
  const sel = (a: unknown, b: unknown) => (a === b ? true : undefined);
  return render(
    c,
    { title: 'My ratings', page: 'my-ratings' },
    <>
      <form class="filters" method="get" action={`${BASE}/my-ratings`}>
        <FilterInputs values={pickFilters(q)} omit={['rater']} />
        <label>
          Order
          <select name="sort">
            <option value="newest" selected={sel(q.sort, 'newest')}>
              newest first
            </option>
            <option value="lowest" selected={sel(q.sort, 'lowest')}>
              lowest rated first
            </option>
          </select>
        </label>
        <button type="submit">Apply</button>
        <a class="button secondary" href={`${BASE}/my-ratings`}>
          Clear
        </a>
      </form>
      {page.items.length === 0 ? <Empty>You have no ratings matching these filters.</Empty> : <FeedbackTable items={page.items} criteria plainSubjects />}
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
