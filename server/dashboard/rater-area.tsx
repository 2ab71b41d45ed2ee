/**
 * The rater area (DESIGN, "Who uses the dashboard"): the pages a rater reaches — their queues and
 * the items to review (queues.tsx, queue-review.tsx), their own ratings (my-ratings.tsx), and
 * "Connect a browser" (connect-browser.tsx: a one-time code, and their browsers with revoke).
 * index.ts mounts it before the analysts-only gate; everything after that gate is 403 for a rater
 * (server/dashboard/rater-area.test.ts walks the routes). Analysts and admins use the same pages,
 * and the queue pages only they may use (the form, agreement) check the role themselves.
 */
import { Hono } from 'hono';
import type { DashEnv } from './env.ts';
import { connectBrowserPage } from './connect-browser.tsx';
import { myRatingsPage } from './my-ratings.tsx';
import { queueAgreementPages } from './queue-agreement-page.tsx';
import { queueReviewPages } from './queue-review.tsx';
import { queuePages } from './queues.tsx';

export const raterArea = new Hono<DashEnv>()
  .route('/', queuePages)
  .route('/', queueReviewPages)
  .route('/', queueAgreementPages)
  .route('/', myRatingsPage)
  .route('/', connectBrowserPage);
