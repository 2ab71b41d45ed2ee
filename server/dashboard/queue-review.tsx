/** @jsxImportSource hono/jsx */
/**
 * A claimed item of a review queue (/dashboard/queues/:id/items/:position): what is reviewed, a
 * rating per criterion of the queue (1–5 stars or a thumb), a comment, and "submit", which writes
 * one ordinary feedback record per criterion carrying `queueId` through the store's one write path
 * (applyMutations, as the API and review-item.tsx do) and claims the next item (claimNext). A
 * registered item is drawn by review-item.tsx's ItemView; a target taken from feedback by
 * TargetView here.
 *
 * Blind review (server/queues/blind.ts): the page asks itemFor/getItem+itemFor whether the item is
 * blind for whoever is signed in, so a rater who has not submitted it in a blind queue sees no
 * prediction; once submitted, the same page shows it beside their own ratings.
 *
 * Who sees the page: a reviewer who holds or held a claim on the item; analysts and admins any item
 * of the queue, read-only unless they claimed it. Keys: see queues.tsx QUEUE_KEYS.
 */
import { Hono, type Context } from 'hono';
import type { FC } from 'hono/jsx';
import { ANALYSIS_FIELDS } from '../../shared/analysis.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { ItemPrediction } from '../../shared/items.ts';
import { LIMITS } from '../../shared/limits.ts';
import type { QueueItem } from '../../shared/queues.ts';
import { FeedbackInput, type Feedback, type Rating, type Target } from '../../shared/schemas.ts';
import { clockNow } from '../lib/clock.ts';
import { ApiError } from '../lib/errors.ts';
import { itemFor } from '../queues/blind.ts';
import { applyMutations } from '../store/feedback.ts';
import { rowToFeedback } from '../store/feedback-read.ts';
import { getItem } from '../store/items.ts';
import { withQueueTables } from '../store/queue-tables.ts';
import { claimNext, criteriaOf, maySee, queueItemOf, queueRow } from '../store/queues.ts';
import type { DashEnv } from './env.ts';
import { num, when } from './format.ts';
import { CsrfField, Notice } from './layout.tsx';
import { acceptsQuery } from './page-query.ts';
import { ExternalUrl, RatingBadge, SubjectLink } from './parts.tsx';
import { render } from './render.tsx';
import { ItemView } from './review-item.tsx';
import { Keys, queueUrl, ReviewNext, viewerOf } from './queues.tsx';

const STARS = ['1', '2', '3', '4', '5'] as const;

/** A form value of a criterion's rating → the rating. */
function ratingOf(v: unknown): Rating | undefined {
  if (typeof v !== 'string') return undefined;
  if ((STARS as readonly string[]).includes(v)) return { stars: Number(v) };
  if (v === 'up' || v === 'down') return { thumb: v };
  return undefined;
}

const itemUrl = (queueId: string, position: number) => `${queueUrl(queueId)}/items/${position}`;

/** A target taken from feedback: where, what was asked and answered; the AI's verdict unless blinded. */
const TargetView: FC<{ target: Target; prediction?: ItemPrediction; blinded?: boolean; rater: boolean }> = ({ target, prediction, blinded, rater }) => (
  <section data-gt="review-context">
    {/* Heading for the outline (its parts are h3; axe heading-order). */}
    <h2 class="visually-hidden">The item</h2>
    <dl class="meta">
      <dt>Kind · model</dt>
      <dd>{`${target.kind} · ${target.model ?? 'unknown model'}`}</dd>
      <dt>Site</dt>
      <dd>{target.site ?? '—'}</dd>
      <dt>Subject</dt>
      {/* The subject's page is for analysts: a rater sees its name. */}
      <dd>{rater ? (target.subject ?? '—') : <SubjectLink subject={target.subject} />}</dd>
      <dt>Page</dt>
      <dd>
        <ExternalUrl url={target.url} />
      </dd>
    </dl>
    <h3>Prompt</h3>
    {target.prompt ? <pre class="text" data-gt="target-prompt">{target.prompt}</pre> : <p class="muted">(no prompt)</p>}
    <h3>Answer</h3>
    {target.output !== undefined ? (
      <pre class="text" data-gt="target-output">{target.output}</pre>
    ) : target.quote ? (
      <pre class="text" data-gt="target-output">{target.quote.exact}</pre>
    ) : (
      <p class="muted">(no answer text)</p>
    )}
    {blinded && (
      <p class="muted" data-gt="blinded">
        Blind review: the AI's verdict on this item is shown after you submit your review.
      </p>
    )}
    {prediction && (
      <>
        <h3>AI's verdict</h3>
        <dl class="meta" data-gt="prediction">
          {ANALYSIS_FIELDS.filter((f) => prediction[f.name] !== undefined).map((f) => (
            <>
              <dt>{f.label}</dt>
              <dd>{f.type === 'number' ? num(prediction[f.name] as number, 2) : String(prediction[f.name])}</dd>
            </>
          ))}
        </dl>
      </>
    )}
  </section>
);

interface Loaded {
  queue: NonNullable<Awaited<ReturnType<typeof queueRow>>>;
  criteria: string[];
  /** As stored (the verdict included): the review's target comes from here. */
  item: QueueItem;
  /** As the viewer may see it (blind: no verdict). */
  shown: QueueItem & { blinded?: true };
  claim: { lease_expires_at: string; submitted_at: string | null } | undefined;
}

async function load(c: Context<DashEnv>): Promise<Loaded> {
  const auth = c.get('auth');
  const db = c.get('store').db;
  const position = /^\d{1,9}$/.test(c.req.param('position') ?? '') ? Number(c.req.param('position')) : -1;
  const queue = await queueRow(db, auth.workspaceId, c.req.param('id') ?? '');
  if (!queue || !maySee(viewerOf(auth), queue)) throw new ApiError(404, 'not_found', 'There is no such queue, or it is not one you review in.');
  const t = withQueueTables(db);
  const row = await t
    .selectFrom('queue_items')
    .select(['queue_id', 'position', 'target_key', 'item_id', 'target'])
    .where('workspace_id', '=', auth.workspaceId)
    .where('queue_id', '=', queue.id)
    .where('position', '=', position)
    .executeTakeFirst();
  if (!row) throw new ApiError(404, 'not_found', 'This queue has no such item.');
  const claim = await t
    .selectFrom('queue_claims')
    .select(['lease_expires_at', 'submitted_at'])
    .where('workspace_id', '=', auth.workspaceId)
    .where('queue_id', '=', queue.id)
    .where('target_key', '=', row.target_key)
    .where('rater_id', '=', auth.raterId)
    .executeTakeFirst();
  if (!claim && auth.role === 'rater') throw new ApiError(403, 'forbidden', 'You have not been given this item: "Review next" on the queue gives you one.');
  const item = queueItemOf(row);
  return { queue, criteria: criteriaOf(queue), item, shown: await itemFor(db, viewerOf(auth), item), claim };
}

/** The viewer's own live ratings of this item in this queue. */
async function ownReviews(c: Context<DashEnv>, queueId: string, targetKey: string): Promise<Feedback[]> {
  const auth = c.get('auth');
  const rows = await c
    .get('store')
    .db.selectFrom('feedback')
    .selectAll()
    .where('workspace_id', '=', auth.workspaceId)
    .where('rater_id', '=', auth.raterId)
    .where('queue_id', '=', queueId)
    .where('target_key', '=', targetKey)
    .where('deleted', '=', 0)
    .orderBy('criterion')
    .execute();
  return rows.map(rowToFeedback);
}

const ReviewForm: FC<{ action: string; csrf: string; criteria: string[]; leaseExpiresAt: string }> = ({ action, csrf, criteria, leaseExpiresAt }) => (
  <form method="post" class="stack" action={action} data-gt="queue-review-form">
    <CsrfField csrf={csrf} />
    <h2>Your review</h2>
    <p class="muted">{`This item is yours until ${when(leaseExpiresAt)}; after that it goes back to the queue.`}</p>
    {criteria.map((criterion) => (
      <fieldset class="rate" data-criterion={criterion}>
        <legend>{criterion}</legend>
        {STARS.map((s) => (
          <label class="choice" title={`${s} of 5`}>
            <input type="radio" name={`rating.${criterion}`} value={s} data-gt={`star-${s}`} /> {`${s}★`}
          </label>
        ))}
        <label class="choice" title="thumb up (u)">
          <input type="radio" name={`rating.${criterion}`} value="up" data-gt="thumb-up" /> ▲ up
        </label>
        <label class="choice" title="thumb down (d)">
          <input type="radio" name={`rating.${criterion}`} value="down" data-gt="thumb-down" /> ▼ down
        </label>
      </fieldset>
    ))}
    <label>
      Comment <textarea name="comment" maxlength={LIMITS.commentMaxChars} data-gt="review-comment" />
    </label>
    <button type="submit" data-gt="review-submit">
      Submit (s)
    </button>
  </form>
);

export const queueReviewPages = new Hono<DashEnv>()
  .get('/queues/:id/items/:position', acceptsQuery('saved', 'error'), async function queueItemPage(c) {
    const auth = c.get('auth');
    const { queue, criteria, item, shown, claim } = await load(c);
    const csrf = c.get('session').csrf;
    const now = clockNow();
    const submitted = claim?.submitted_at != null;
    const held = claim && !submitted && Date.parse(claim.lease_expires_at) > now.getTime();
    const mine = submitted ? await ownReviews(c, queue.id, item.targetKey) : [];
    const saved = c.req.query('saved');
    const registered = item.itemId ? await getItem(c.get('store').db, auth.workspaceId, item.itemId) : undefined;
    return render(
      c,
      { title: `${queue.name} · item ${item.position + 1}`, page: 'queues' },
      <div data-gt="queue-item-page">
        {saved !== undefined && /^\d+$/.test(saved) && (
          <Notice kind="ok">
            Submitted. This is your next item.{' '}
            <a href={itemUrl(queue.id, Number(saved))} data-gt="last-reviewed">
              {queue.blind ? "See the item you just reviewed, with the AI's verdict" : 'See the item you just reviewed'}
            </a>
          </Notice>
        )}
        {c.req.query('error') === 'rating' && <Notice kind="error">{`Not submitted: rate every criterion (${criteria.join(', ')}).`}</Notice>}
        {c.req.query('error') === 'lease' && <Notice kind="error">Not submitted: your hold on this item ended. Review next gives you an item again.</Notice>}
        <nav class="pager" aria-label="Queue">
          <a class="button secondary" href={queueUrl(queue.id)} data-key="back">
            ← Queue (k)
          </a>
          {!held && <ReviewNext queueId={queue.id} csrf={csrf} />}
        </nav>
        {registered ? (
          <ItemView item={await itemFor(c.get('store').db, viewerOf(auth), registered)} />
        ) : (
          <TargetView target={shown.target} prediction={shown.prediction} blinded={shown.blinded} rater={auth.role === 'rater'} />
        )}
        {held && <ReviewForm action={itemUrl(queue.id, item.position)} csrf={csrf} criteria={criteria} leaseExpiresAt={claim.lease_expires_at} />}
        {submitted && (
          <section data-gt="own-review">
            <h2>You reviewed this item</h2>
            <dl class="meta">
              {mine.map((f) => (
                <>
                  <dt>{f.criterion ?? 'overall'}</dt>
                  <dd>
                    <RatingBadge rating={f.rating} /> {f.comment && <span class="muted">{f.comment}</span>}
                  </dd>
                </>
              ))}
            </dl>
          </section>
        )}
        {claim && !submitted && !held && <Notice>{`Your hold on this item ended at ${when(claim.lease_expires_at)}.`}</Notice>}
        {!claim && <p class="muted">You have not claimed this item; this is how reviewers see it.</p>}
        <Keys />
      </div>,
    );
  })
  .post('/queues/:id/items/:position', async function submitReview(c) {
    const auth = c.get('auth');
    const db = c.get('store').db;
    const { queue, criteria, item, claim } = await load(c);
    const now = clockNow();
    const here = itemUrl(queue.id, item.position);
    if (!claim || (claim.submitted_at === null && Date.parse(claim.lease_expires_at) <= now.getTime())) return c.redirect(`${here}?error=lease`, 303);
    const form = await c.req.parseBody();
    const ratings = criteria.map((criterion) => ({ criterion, rating: ratingOf(form[`rating.${criterion}`]) }));
    if (ratings.some((r) => !r.rating)) return c.redirect(`${here}?error=rating`, 303);
    const comment = typeof form.comment === 'string' && form.comment.trim() ? form.comment.trim() : undefined;
    const at = now.toISOString();
    const records: FeedbackInput[] = [];
    for (const [i, r] of ratings.entries()) {
      // The stored snapshot's target: the key is the queue item's, and it carries no verdict (store/queues.ts).
      const parsed = FeedbackInput.safeParse({
        id: uuidv7(now.getTime()),
        target: item.target,
        rating: r.rating,
        criterion: r.criterion,
        queueId: queue.id,
        ...(comment && i === 0 ? { comment } : {}),
        createdAt: at,
        updatedAt: at,
      });
      if (!parsed.success) throw new ApiError(422, 'validation_failed', `Not submitted: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
      records.push(parsed.data);
    }
    const results = await applyMutations(
      db,
      { ...auth, tokenId: auth.id, clientId: 'dashboard' },
      records.map((f) => ({ id: f.id, op: 'upsert' as const, updatedAt: f.updatedAt, feedback: f })),
      now,
    );
    const refused = results.find((r) => r.status === 'rejected');
    if (refused) throw new ApiError(422, 'validation_failed', `Not submitted: ${refused.error}`);
    const next = await claimNext(db, viewerOf(auth), queue.id, clockNow());
    if (!next || 'none' in next) return c.redirect(`${queueUrl(queue.id)}?done=1`, 303);
    return c.redirect(`${itemUrl(queue.id, next.claim.item.position)}?saved=${item.position}`, 303);
  });
