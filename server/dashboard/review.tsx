/** @jsxImportSource hono/jsx */
/**
 * The review queue: AI outputs that programs registered (POST /v1/items) and nobody in the
 * workspace has rated yet, filtered as GET /v1/items is (shared/items.ts), each with a form to rate
 * it right here (thumbs, stars, comment, correction of the text and of the predicted fields) and a
 * link to its own page (review-item.tsx: every analysis field, keyboard driven). A rating is ordinary feedback with
 * `target.key` = the item's target key, so the item leaves the queue and counts everywhere else.
 */
import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { type Item } from '../../shared/items.ts';
import type { FeedbackInput } from '../../shared/schemas.ts';
import { LIMITS } from '../../shared/limits.ts';
import { clockNow } from '../lib/clock.ts';
import { ApiError } from '../lib/errors.ts';
import { applyMutations } from '../store/feedback.ts';
import { decodeCursor } from '../store/cursor.ts';
import { withItemTables } from '../store/items-tables.ts';
import { listItems, rowToItem } from '../store/items.ts';
import type { DashEnv } from './env.ts';
import { num, qs, when } from './format.ts';
import { BASE, CsrfField, Empty, Notice } from './layout.tsx';
import { SubjectLink } from './parts.tsx';
import { render } from './render.tsx';
import { parsePageQuery } from './page-query.ts';
import { itemFeedback } from './item-feedback.ts';
import { ItemFilterInputs } from './item-filter-inputs.tsx';
import { reviewItemPages } from './review-item.tsx';
import { filterParams, queueFilters, ReviewQueueQuery, storeFilters } from './review-query.ts';

const PAGE = 20;
const CONTEXT_KEYS = ['dag_id', 'task_id', 'run_id', 'error_message', 'log_context'] as const;

const ItemCard: FC<{ item: Item; csrf: string; open: string }> = ({ item, csrf, open }) => {
  const ctx = (item.context ?? {}) as Record<string, unknown>;
  const others = Object.entries(ctx).filter(([k]) => !(CONTEXT_KEYS as readonly string[]).includes(k));
  const p = item.prediction;
  return (
    <article class="review-item" data-gt="review-item" data-key={item.key}>
      {/* The card's heading, for the outline and heading navigation (its Input/AI output are h3). */}
      <h2 class="visually-hidden">{`Item ${item.key}`}</h2>
      <div class="muted">
        <span class="pill">{item.kind}</span> {item.state === 'awaiting_analysis' && <span class="pill">awaiting analysis</span>}{' '}
        {item.model ?? 'unknown model'} · <SubjectLink subject={item.subject} /> · {when(item.createdAt)} ·{' '}
        <a href={open} data-gt="review-open">
          Review →
        </a>
      </div>
      {(ctx.dag_id || ctx.task_id || ctx.run_id) && (
        <p class="muted">{['dag_id', 'task_id', 'run_id'].filter((k) => ctx[k]).map((k) => `${k}: ${String(ctx[k])}`).join(' · ')}</p>
      )}
      {item.input && (
        <>
          <h3>Input</h3>
          <pre class="text">{item.input}</pre>
        </>
      )}
      {typeof ctx.error_message === 'string' && (
        <>
          <h3>Error message</h3>
          <pre class="text">{ctx.error_message}</pre>
        </>
      )}
      {typeof ctx.log_context === 'string' && (
        <details>
          <summary>Log context</summary>
          <pre class="text">{ctx.log_context}</pre>
        </details>
      )}
      <h3>AI output</h3>
      {item.output !== undefined ? <pre class="text" data-gt="review-output">{item.output}</pre> : <p class="muted">No analysis yet.</p>}
      {p && (
        <dl class="meta">
          {p.extractedError !== undefined && (
            <>
              <dt>Extracted error</dt>
              <dd>{p.extractedError}</dd>
            </>
          )}
          {p.category !== undefined && (
            <>
              <dt>Predicted category</dt>
              <dd>{p.category}</dd>
            </>
          )}
          {p.severity !== undefined && (
            <>
              <dt>Severity</dt>
              <dd>{p.severity}</dd>
            </>
          )}
          {p.confidence !== undefined && (
            <>
              <dt>Confidence</dt>
              <dd>{num(p.confidence, 2)}</dd>
            </>
          )}
          {p.reasoning !== undefined && (
            <>
              <dt>Reasoning</dt>
              <dd>{p.reasoning}</dd>
            </>
          )}
        </dl>
      )}
      {others.length > 0 && (
        <details>
          <summary>More context</summary>
          <pre class="text">{JSON.stringify(Object.fromEntries(others), null, 2)}</pre>
        </details>
      )}
      <form method="post" action={`${BASE}/review/${encodeURIComponent(item.id)}`}>
        <CsrfField csrf={csrf} />
        <div class="rate">
          <fieldset>
            <legend class="visually-hidden">Thumb</legend>
            <label class="choice">
              <input type="radio" name="thumb" value="up" data-gt="review-up" /> ▲ up
            </label>
            <label class="choice">
              <input type="radio" name="thumb" value="down" data-gt="review-down" /> ▼ down
            </label>
          </fieldset>
          <fieldset>
            <legend class="visually-hidden">Stars</legend>
            {[1, 2, 3, 4, 5].map((s) => (
              <label class="choice" title={`${s} of 5`}>
                <input type="radio" name="stars" value={String(s)} /> {`${s}★`}
              </label>
            ))}
          </fieldset>
        </div>
        <details>
          <summary>Comment and correction</summary>
          <div class="stack">
            <label>
              Comment <textarea name="comment" maxlength={LIMITS.commentMaxChars} data-gt="review-comment" />
            </label>
            <label>
              Corrected output <textarea name="correction" placeholder="What the output should have said" />
            </label>
            <div class="filters">
              <label>
                Correct category <input type="text" name="category" placeholder={p?.category ?? ''} maxlength={256} />
              </label>
              <label>
                Correct severity <input type="text" name="severity" placeholder={p?.severity ?? ''} maxlength={256} />
              </label>
            </div>
          </div>
        </details>
        <p>
          <button type="submit" data-gt="review-save">
            Save rating
          </button>
        </p>
      </form>
    </article>
  );
};

const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** The feedback record for a rating given on the queue page. */
export function reviewFeedback(item: Item, form: Record<string, unknown>, now = new Date()): FeedbackInput | string {
  const thumb = form.thumb === 'up' || form.thumb === 'down' ? form.thumb : undefined;
  const stars = typeof form.stars === 'string' && /^[1-5]$/.test(form.stars) ? Number(form.stars) : undefined;
  if (!thumb && !stars) return 'Pick thumbs up or down, or a number of stars.';
  const fields = Object.fromEntries(
    (['category', 'severity'] as const).flatMap((k) => (str(form[k]) ? [[k, str(form[k])!]] : [])),
  );
  const correctionOutput = str(form.correction);
  return itemFeedback(
    item,
    {
      rating: { ...(thumb ? { thumb } : {}), ...(stars ? { stars } : {}) },
      comment: str(form.comment),
      ...(correctionOutput || Object.keys(fields).length
        ? { correction: { ...(correctionOutput ? { output: correctionOutput } : {}), ...(Object.keys(fields).length ? { fields } : {}) } }
        : {}),
    },
    now,
  );
}

export const reviewPages = new Hono<DashEnv>()
  .get('/review', async function reviewQueue(c) {
    const auth = c.get('auth');
    const q = parsePageQuery(c, ReviewQueueQuery);
    const filters = queueFilters(q);
    const page = await listItems(c.get('store').db, auth.workspaceId, {
      ...storeFilters(filters),
      limit: PAGE,
      cursor: q.cursor && decodeCursor(q.cursor) ? q.cursor : undefined,
    });
    const keep = filterParams(filters);
    const saved = q.saved === '1';
    const failed = q.error === 'rating';
    return render(
      c,
      { title: 'Review queue', page: 'review' },
      <>
        {saved && <Notice kind="ok">Saved. The item left the queue.</Notice>}
        {q.saved === 'done' && <Notice kind="ok">Saved. That was the last item of the queue with these filters.</Notice>}
        {failed && <Notice kind="error">Not saved: pick thumbs up or down, or a number of stars.</Notice>}
        <p class="muted">AI outputs and errors that programs registered for review and nobody in this workspace has rated yet, newest first (by the time they happened).</p>
        <form class="filters" method="get" action={`${BASE}/review`} data-gt="review-filters">
          <ItemFilterInputs values={filters} />
          <button type="submit">Filter</button>
          {Object.keys(keep).length > 0 && (
            <a class="button secondary" href={`${BASE}/review`}>
              Clear
            </a>
          )}
        </form>
        {page.items[0] && (
          <p>
            <a class="button" data-gt="review-start" href={`${BASE}/review/items/${encodeURIComponent(page.items[0].id)}${qs(keep)}`}>
              Review one by one (keyboard) →
            </a>
          </p>
        )}
        {page.items.length === 0 ? (
          <Empty>{Object.keys(keep).length ? 'No unrated item matches these filters.' : 'The queue is empty: every registered output has a rating.'}</Empty>
        ) : (
          page.items.map((item) => <ItemCard item={item} csrf={c.get('session').csrf} open={`${BASE}/review/items/${encodeURIComponent(item.id)}${qs(keep)}`} />)
        )}
        {page.nextCursor && (
          <div class="pager">
            <a class="button secondary" href={`${BASE}/review${qs({ ...keep, cursor: page.nextCursor })}`}>
              More →
            </a>
          </div>
        )}
      </>,
    );
  })
  .post('/review/:id', async function rateItem(c) {
    const auth = c.get('auth');
    const db = c.get('store').db;
    const row = await withItemTables(db)
      .selectFrom('items')
      .selectAll()
      .where('workspace_id', '=', auth.workspaceId)
      .where('id', '=', c.req.param('id'))
      .executeTakeFirst();
    if (!row) throw new ApiError(404, 'not_found', 'There is no such item in this workspace.');
    const record = reviewFeedback(rowToItem(row), await c.req.parseBody(), clockNow());
    if (typeof record === 'string') {
      if (record.startsWith('Pick')) return c.redirect(`${BASE}/review?error=rating`, 303);
      throw new ApiError(422, 'validation_failed', record);
    }
    const [result] = await applyMutations(db, { ...auth, tokenId: auth.id, clientId: 'dashboard' }, [
      { id: record.id, op: 'upsert', updatedAt: record.updatedAt, feedback: record },
    ]);
    if (result?.status === 'rejected') throw new ApiError(422, 'validation_failed', `Not saved: ${result.error}`);
    return c.redirect(`${BASE}/review?saved=1`, 303);
  })
  .route('/', reviewItemPages);
