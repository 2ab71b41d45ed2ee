/** @jsxImportSource hono/jsx */
/**
 * The review queue: AI outputs that programs registered (POST /v1/items) and nobody in the
 * workspace has rated yet, each with a form to rate it right here (thumbs, stars, comment,
 * correction of the text and of the predicted fields). A rating is ordinary feedback with
 * `target.key` = the item's target key, so the item leaves the queue and counts everywhere else.
 */
import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { uuidv7 } from '../../shared/ids.ts';
import { type Item } from '../../shared/items.ts';
import { FeedbackInput } from '../../shared/schemas.ts';
import { LIMITS } from '../../shared/limits.ts';
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
import { acceptsQuery } from './page-query.ts';

const PAGE = 20;
const CONTEXT_KEYS = ['dag_id', 'task_id', 'run_id', 'error_message', 'log_context'] as const;

const ItemCard: FC<{ item: Item; csrf: string }> = ({ item, csrf }) => {
  const ctx = (item.context ?? {}) as Record<string, unknown>;
  const others = Object.entries(ctx).filter(([k]) => !(CONTEXT_KEYS as readonly string[]).includes(k));
  const p = item.prediction;
  return (
    <article class="review-item" data-gt="review-item" data-key={item.key}>
      <div class="muted">
        <span class="pill">{item.kind}</span> {item.model ?? 'unknown model'} · <SubjectLink subject={item.subject} /> · registered {when(item.createdAt)}
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
      <pre class="text" data-gt="review-output">{item.output}</pre>
      {p && (
        <dl class="meta">
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

/** The feedback record for a rating given on the review page. */
export function reviewFeedback(item: Item, form: Record<string, unknown>, now = new Date()): FeedbackInput | string {
  const thumb = form.thumb === 'up' || form.thumb === 'down' ? form.thumb : undefined;
  const stars = typeof form.stars === 'string' && /^[1-5]$/.test(form.stars) ? Number(form.stars) : undefined;
  if (!thumb && !stars) return 'Pick thumbs up or down, or a number of stars.';
  const fields = Object.fromEntries(
    (['category', 'severity'] as const).flatMap((k) => (str(form[k]) ? [[k, str(form[k])!]] : [])),
  );
  const correctionOutput = str(form.correction);
  const at = now.toISOString();
  // The item's context travels with the rating (what the AI said included), trimmed to the
  // feedback limit if the logs are long.
  let context: Record<string, unknown> | undefined = { ...(item.context ?? {}), ...(item.prediction ? { prediction: item.prediction } : {}) };
  for (const drop of ['log_context', 'error_message']) {
    if (JSON.stringify(context).length <= LIMITS.contextMaxBytes) break;
    delete context[drop];
  }
  if (JSON.stringify(context).length > LIMITS.contextMaxBytes) context = item.prediction ? { prediction: item.prediction } : undefined;
  if (context && Object.keys(context).length === 0) context = undefined;
  const parsed = FeedbackInput.safeParse({
    id: uuidv7(now.getTime()),
    target: {
      kind: item.kind,
      key: item.targetKey,
      ...(item.subject ? { subject: item.subject } : {}),
      ...(item.model ? { model: item.model } : {}),
      ...(item.intent ? { intent: item.intent } : {}),
      ...(item.project ? { project: item.project } : {}),
      ...(item.url ? { url: item.url } : {}),
      ...(item.input ? { prompt: item.input } : {}),
      output: item.output,
      ...(context ? { context } : {}),
    },
    rating: { ...(thumb ? { thumb } : {}), ...(stars ? { stars } : {}) },
    ...(str(form.comment) ? { comment: str(form.comment) } : {}),
    ...(correctionOutput || Object.keys(fields).length
      ? { correction: { ...(correctionOutput ? { output: correctionOutput } : {}), ...(Object.keys(fields).length ? { fields } : {}) } }
      : {}),
    createdAt: at,
    updatedAt: at,
  });
  return parsed.success ? parsed.data : `Not saved: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`;
}

export const reviewPages = new Hono<DashEnv>()
  .get('/review', acceptsQuery('cursor', 'saved', 'error'), async function reviewQueue(c) {
    const auth = c.get('auth');
    const cursor = c.req.query('cursor');
    const page = await listItems(c.get('store').db, auth.workspaceId, {
      unrated: true,
      limit: PAGE,
      cursor: cursor && decodeCursor(cursor) ? cursor : undefined,
    });
    const saved = c.req.query('saved') === '1';
    const failed = c.req.query('error') === 'rating';
    return render(
      c,
      { title: 'Review queue', page: 'review' },
      <>
        {saved && <Notice kind="ok">Saved. The item left the queue.</Notice>}
        {failed && <Notice kind="error">Not saved: pick thumbs up or down, or a number of stars.</Notice>}
        <p class="muted">AI outputs that programs registered for review and nobody in this workspace has rated yet, newest first.</p>
        {page.items.length === 0 ? (
          <Empty>The queue is empty: every registered output has a rating.</Empty>
        ) : (
          page.items.map((item) => <ItemCard item={item} csrf={c.get('session').csrf} />)
        )}
        {page.nextCursor && (
          <div class="pager">
            <a class="button secondary" href={`${BASE}/review${qs({ cursor: page.nextCursor })}`}>
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
    const record = reviewFeedback(rowToItem(row), await c.req.parseBody());
    if (typeof record === 'string') {
      if (record.startsWith('Pick')) return c.redirect(`${BASE}/review?error=rating`, 303);
      throw new ApiError(422, 'validation_failed', record);
    }
    const [result] = await applyMutations(db, { ...auth, tokenId: auth.id, clientId: 'dashboard' }, [
      { id: record.id, op: 'upsert', updatedAt: record.updatedAt, feedback: record },
    ]);
    if (result?.status === 'rejected') throw new ApiError(422, 'validation_failed', `Not saved: ${result.error}`);
    return c.redirect(`${BASE}/review?saved=1`, 303);
  });
