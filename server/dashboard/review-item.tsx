/** @jsxImportSource hono/jsx */
/**
 * A page per item of the review queue (/dashboard/review/items/:id), as DAGnostics' review-daily
 * goes through errors one by one (seed 000): the error context, the AI analysis, every analysis
 * field editable as a correction (shared/analysis.ts: category and severity chosen from the known
 * values, confidence, reasoning, extracted error), a 1–5 rating and a comment. Saving writes one
 * feedback record through the store's one write path (applyMutations, as the API does) and opens
 * the next item of the queue, with the queue's filters kept. Keys (dashboard.js, listed on the
 * page): 1–5 rate, s or Ctrl+Enter save, n or j next, k previous, e edit the analysis, c comment.
 *
 * Blind review: the page itself asks whether the item is blind for whoever is signed in
 * (server/queues/blind.ts), so it holds whichever part of the dashboard lets a rater here: a rater
 * who has not submitted the item in its blind queue sees no prediction (the fields start empty and
 * the page says it is shown after they submit), and their saved review carries none either.
 */
import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { ANALYSIS_FIELDS } from '../../shared/analysis.ts';
import type { Item } from '../../shared/items.ts';
import { LIMITS } from '../../shared/limits.ts';
import { ApiError } from '../lib/errors.ts';
import { clockNow } from '../lib/clock.ts';
import { itemFor } from '../queues/blind.ts';
import { applyMutations } from '../store/feedback.ts';
import { getItem, neighbourItems } from '../store/items.ts';
import type { DashEnv } from './env.ts';
import { correctedAnalysis, itemFeedback } from './item-feedback.ts';
import { num, qs, when } from './format.ts';
import { BASE, CsrfField, Notice } from './layout.tsx';
import { parsePageQuery } from './page-query.ts';
import { SubjectLink } from './parts.tsx';
import { render } from './render.tsx';
import { filterParams, queueFilters, ReviewItemQuery, storeFilters, type QueueFilterValues } from './review-query.ts';

const SHOWN_CONTEXT = ['dag_id', 'task_id', 'run_id', 'error_message', 'log_context'];

export const KEYS: [string, string][] = [
  ['1 – 5', 'rate the analysis (stars)'],
  ['s or Ctrl+Enter', 'save and open the next item'],
  ['n or j', 'next item without saving'],
  ['k', 'previous item'],
  ['e', 'edit the analysis (first field)'],
  ['c', 'write a comment'],
  ['Esc', 'leave a field (then the keys work again)'],
];

const itemUrl = (id: string, keep: Record<string, string>, extra: Record<string, string> = {}) =>
  `${BASE}/review/items/${encodeURIComponent(id)}${qs({ ...keep, ...extra })}`;

/** The editable analysis: one field per ANALYSIS_FIELDS entry, prefilled with the prediction. */
const AnalysisFields: FC<{ item: Item }> = ({ item }) => {
  const p = item.prediction ?? {};
  return (
    <div class="stack" data-gt="analysis-fields">
      {ANALYSIS_FIELDS.map((f, i) => {
        const v = p[f.name];
        const id = `gt-field-${f.name}`;
        if (f.type === 'choice') {
          const known = f.known as readonly string[];
          const current = typeof v === 'string' ? v : '';
          return (
            <label for={id}>
              {f.label}
              <select id={id} name={f.name} data-gt={`field-${f.name}`} data-first={i === 0 ? '1' : undefined}>
                <option value="">—</option>
                {current && !known.includes(current) && (
                  <option value={current} selected>
                    {`${current} (as predicted)`}
                  </option>
                )}
                {known.map((o) => (
                  <option value={o} selected={o === current ? true : undefined}>
                    {o}
                  </option>
                ))}
              </select>
            </label>
          );
        }
        if (f.type === 'number') {
          return (
            <label for={id}>
              {f.label}
              <input id={id} type="number" name={f.name} min="0" max="1" step="0.01" value={v === undefined ? '' : String(v)} data-gt={`field-${f.name}`} data-first={i === 0 ? '1' : undefined} />
            </label>
          );
        }
        return (
          <label for={id}>
            {f.label}
            <textarea id={id} name={f.name} rows={f.name === 'reasoning' ? 4 : 2} maxlength={LIMITS.textMaxChars} data-gt={`field-${f.name}`} data-first={i === 0 ? '1' : undefined}>
              {typeof v === 'string' ? v : ''}
            </textarea>
          </label>
        );
      })}
    </div>
  );
};

export const ItemView: FC<{ item: Item }> = ({ item }) => {
  const ctx = (item.context ?? {}) as Record<string, unknown>;
  const others = Object.entries(ctx).filter(([k]) => !SHOWN_CONTEXT.includes(k));
  const p = item.prediction;
  return (
    <section data-gt="review-context">
      {/* Heading for the outline (its parts are h3; axe heading-order). */}
      <h2 class="visually-hidden">The item</h2>
      <dl class="meta">
        <dt>State</dt>
        <dd data-gt="item-state">{item.state === 'ready' ? 'analysed' : 'awaiting analysis'}</dd>
        <dt>When</dt>
        <dd>{when(item.createdAt)}</dd>
        <dt>Subject</dt>
        <dd>
          <SubjectLink subject={item.subject} />
        </dd>
        {['dag_id', 'task_id', 'run_id'].filter((k) => ctx[k] !== undefined).map((k) => (
          <>
            <dt>{k}</dt>
            <dd>{String(ctx[k])}</dd>
          </>
        ))}
        <dt>Kind · model</dt>
        <dd>{`${item.kind} · ${item.model ?? 'unknown model'}`}</dd>
      </dl>
      {typeof ctx.error_message === 'string' && (
        <>
          <h3>Error message</h3>
          <pre class="text" data-gt="error-message">{ctx.error_message}</pre>
        </>
      )}
      {item.input && (
        <>
          <h3>Input</h3>
          <pre class="text">{item.input}</pre>
        </>
      )}
      {typeof ctx.log_context === 'string' && (
        <details open>
          <summary>Log context</summary>
          <pre class="text">{ctx.log_context}</pre>
        </details>
      )}
      {others.length > 0 && (
        <details>
          <summary>More context</summary>
          <pre class="text">{JSON.stringify(Object.fromEntries(others), null, 2)}</pre>
        </details>
      )}
      <h2>AI analysis</h2>
      {item.blinded && (
        <p class="muted" data-gt="blinded">
          Blind review: the AI's predicted analysis is shown after you submit your review of this item. Enter the analysis as you see it.
        </p>
      )}
      {item.state === 'awaiting_analysis' && !item.blinded && <p class="muted">No analysis has arrived for this item yet; what you enter below is the analysis.</p>}
      {item.output !== undefined && <pre class="text" data-gt="review-output">{item.output}</pre>}
      {p && (
        <dl class="meta" data-gt="prediction">
          {ANALYSIS_FIELDS.filter((f) => p[f.name] !== undefined).map((f) => (
            <>
              <dt>{f.label}</dt>
              <dd>{f.type === 'number' ? num(p[f.name] as number, 2) : String(p[f.name])}</dd>
            </>
          ))}
        </dl>
      )}
    </section>
  );
};

/** Where saving or "next" goes: the next unrated item of the queue after this one, else its first. */
async function nextOfQueue(db: Parameters<typeof neighbourItems>[0], workspaceId: string, filters: QueueFilterValues, item: Item, skip: string): Promise<string | undefined> {
  const f = storeFilters(filters);
  const { next } = await neighbourItems(db, workspaceId, f, item);
  if (next) return next;
  // Wrap around: the newest of the queue, unless it is this very item.
  const { next: first } = await neighbourItems(db, workspaceId, f, { createdAt: '9999-12-31T23:59:59.999Z', id: '' });
  return first && first !== skip ? first : undefined;
}

export const reviewItemPages = new Hono<DashEnv>()
  .get('/review/items/:id', async function reviewItem(c) {
    const q = parsePageQuery(c, ReviewItemQuery);
    const filters = queueFilters(q);
    const keep = filterParams(filters);
    const auth = c.get('auth');
    const db = c.get('store').db;
    const stored = await getItem(db, auth.workspaceId, c.req.param('id'));
    if (!stored) throw new ApiError(404, 'not_found', 'There is no such item in this workspace.');
    const item = await itemFor(db, auth, stored);
    const { previous, next } = await neighbourItems(db, auth.workspaceId, storeFilters(navigable(filters, auth.role)), item);
    const title = typeof item.context?.task_id === 'string' ? `Review: ${item.context.task_id}` : 'Review an item';
    return render(
      c,
      { title, page: 'review' },
      <div data-gt="review-page">
        {q.saved === '1' && <Notice kind="ok">Saved. This is the next item of the queue.</Notice>}
        {q.error === 'rating' && <Notice kind="error">Not saved: give the analysis 1 to 5 stars (keys 1–5).</Notice>}
        <nav class="pager" aria-label="Queue">
          <a class="button secondary" href={`${BASE}/review${qs(keep)}`}>
            ← Queue
          </a>
          {previous && (
            <a class="button secondary" href={itemUrl(previous, keep)} data-gt="review-prev">
              ← Previous (k)
            </a>
          )}
          {next && (
            <a class="button secondary" href={itemUrl(next, keep)} data-gt="review-next">
              Next (n) →
            </a>
          )}
        </nav>
        <ItemView item={item} />
        <form method="post" class="stack" action={itemUrl(item.id, keep)} data-gt="review-form">
          <CsrfField csrf={c.get('session').csrf} />
          <h2>Your review</h2>
          <fieldset class="rate">
            <legend>Rating of the analysis (1–5)</legend>
            {[1, 2, 3, 4, 5].map((s) => (
              <label class="choice" title={`${s} of 5`}>
                <input type="radio" name="stars" value={String(s)} data-gt={`star-${s}`} /> {`${s}★`}
              </label>
            ))}
          </fieldset>
          <h3>Correct the analysis</h3>
          <p class="muted">Change what is wrong and leave what is right: the saved correction is the whole analysis as you leave it.</p>
          <AnalysisFields item={item} />
          <label for="gt-comment">
            Comment <textarea id="gt-comment" name="comment" maxlength={LIMITS.commentMaxChars} data-gt="review-comment" />
          </label>
          <button type="submit" data-gt="review-save">
            Save (s)
          </button>
        </form>
        <section data-gt="review-keys">
          <h3>Keys</h3>
          <dl class="meta">
            {KEYS.map(([k, what]) => (
              <>
                <dt>
                  <kbd>{k}</kbd>
                </dt>
                <dd>{what}</dd>
              </>
            ))}
          </dl>
        </section>
      </div>,
    );
  })
  .post('/review/items/:id', async function saveReview(c) {
    const auth = c.get('auth');
    const db = c.get('store').db;
    // The queue's filters ride in the action's query string (for where to go next); a bad one is dropped.
    const parsed = ReviewItemQuery.safeParse(c.req.query());
    const filters = parsed.success && !storeFiltersConflict(queueFilters(parsed.data)) ? queueFilters(parsed.data) : {};
    const keep = filterParams(filters);
    const stored = await getItem(db, auth.workspaceId, c.req.param('id'));
    if (!stored) throw new ApiError(404, 'not_found', 'There is no such item in this workspace.');
    // Blind for this reviewer: the review is their own analysis, and carries no prediction in its target.
    const item = await itemFor(db, auth, stored);
    const form = await c.req.parseBody();
    const stars = typeof form.stars === 'string' && /^[1-5]$/.test(form.stars) ? Number(form.stars) : undefined;
    if (!stars) return c.redirect(itemUrl(item.id, keep, { error: 'rating' }), 303);
    const corrected = correctedAnalysis(item.prediction, form);
    if (typeof corrected === 'string') throw new ApiError(422, 'validation_failed', `Not saved: ${corrected}`);
    const comment = typeof form.comment === 'string' && form.comment.trim() ? form.comment.trim() : undefined;
    const now = clockNow();
    const record = itemFeedback(
      item,
      { rating: { stars }, comment, ...(corrected.changed.length ? { correction: { fields: corrected.analysis } } : {}) },
      now,
    );
    if (typeof record === 'string') throw new ApiError(422, 'validation_failed', record);
    const [result] = await applyMutations(db, { ...auth, tokenId: auth.id, clientId: 'dashboard' }, [
      { id: record.id, op: 'upsert', updatedAt: record.updatedAt, feedback: record },
    ], now);
    if (result?.status === 'rejected') throw new ApiError(422, 'validation_failed', `Not saved: ${result.error}`);
    const next = await nextOfQueue(db, auth.workspaceId, navigable(filters, auth.role), item, item.id);
    return c.redirect(next ? itemUrl(next, keep, { saved: '1' }) : `${BASE}/review${qs({ ...keep, saved: 'done' })}`, 303);
  });

/** A rater moves through the queue without the predicted-category filter: its order would tell a blind item's category. */
function navigable(f: QueueFilterValues, role: string): QueueFilterValues {
  if (role !== 'rater' || f.category === undefined) return f;
  const { category: _c, ...rest } = f;
  return rest;
}

function storeFiltersConflict(f: QueueFilterValues): boolean {
  try {
    storeFilters(f);
    return false;
  } catch {
    return true;
  }
}
