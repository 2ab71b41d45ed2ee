/** @jsxImportSource hono/jsx */
/**
 * A queue's agreement in the dashboard (/dashboard/queues/:id/agreement, analysts and admins): per
 * criterion Krippendorff's α, percent agreement and Cohen's κ per pair of reviewers, each with the
 * items behind it and the note when they are few (server/queues/agreement.ts, the same figures as
 * GET /v1/queues/:id/agreement); the disputed items, worst first, each with its reviews and a form
 * to adjudicate it (a final rating with a reason: server/queues/adjudications.ts, audited as the
 * API's POST /v1/queues/:id/adjudications is).
 */
import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import type { z } from 'zod';
import { AGREEMENT_LIMITS, AdjudicationInput, type CriterionAgreement, type DisputedItem as DisputedItemSchema } from '../../shared/queue-agreement.ts';
import { describeZodError } from '../../shared/schemas.ts';
import { audit } from '../audit/http.ts';
import { clockNow } from '../lib/clock.ts';
import { ApiError } from '../lib/errors.ts';
import { adjudicate, AdjudicationError } from '../queues/adjudications.ts';
import { findQueue, queueAgreement } from '../queues/agreement.ts';
import { raterNames } from '../subjects/activity.ts';
import type { DashEnv } from './env.ts';
import { num, pct, when } from './format.ts';
import { CsrfField, Empty, Notice } from './layout.tsx';
import { acceptsQuery } from './page-query.ts';
import { RatingBadge } from './parts.tsx';
import { queueUrl, staffOnly } from './queues.tsx';
import { render } from './render.tsx';

type DisputedItem = z.infer<typeof DisputedItemSchema>;

const fig = (v: number | null, digits = 3) => (v === null ? '—' : v.toFixed(digits));

/** The adjudication form of one disputed item on one criterion: the rating in the part the figures use. */
const AdjudicateForm: FC<{ action: string; csrf: string; criterion: CriterionAgreement; item: DisputedItem }> = ({ action, csrf, criterion, item }) => (
  <form method="post" action={action} class="filters" data-gt="adjudicate-form">
    <CsrfField csrf={csrf} />
    <input type="hidden" name="targetKey" value={item.targetKey} />
    <input type="hidden" name="criterion" value={criterion.criterion} />
    <label>
      Final rating
      {criterion.rating === 'label' ? (
        <input type="text" name="label" required value={item.adjudication?.rating.label ?? ''} />
      ) : (
        <select name={criterion.rating === 'thumb' ? 'thumb' : 'stars'} required>
          {(criterion.rating === 'thumb' ? ['up', 'down'] : ['1', '2', '3', '4', '5']).map((v) => (
            <option value={v} selected={String(criterion.rating === 'thumb' ? item.adjudication?.rating.thumb : item.adjudication?.rating.stars) === v ? true : undefined}>
              {v}
            </option>
          ))}
        </select>
      )}
    </label>
    <label>
      Reason <input type="text" name="reason" required maxlength={AGREEMENT_LIMITS.reasonMaxChars} size={40} />
    </label>
    <button type="submit" data-gt="adjudicate">
      {item.adjudication ? 'Replace the adjudication' : 'Adjudicate'}
    </button>
  </form>
);

export const queueAgreementPages = new Hono<DashEnv>()
  .get('/queues/:id/agreement', acceptsQuery('adjudicated'), async function agreementPage(c) {
    staffOnly(c);
    const auth = c.get('auth');
    const db = c.get('store').db;
    const queue = await findQueue(db, auth.workspaceId, c.req.param('id'));
    if (!queue) throw new ApiError(404, 'not_found', 'There is no such queue in this workspace.');
    const agreement = await queueAgreement(db, queue);
    const raters = new Set<string>();
    for (const cr of agreement.criteria) {
      for (const p of cr.pairs) p.raters.forEach((r) => raters.add(r));
      for (const d of cr.disputed) d.reviews.forEach((r) => raters.add(r.raterId));
    }
    const names = await raterNames(db, auth.workspaceId, [...raters]);
    const name = (id: string) => names.get(id) ?? id;
    const csrf = c.get('session').csrf;
    const action = `${queueUrl(queue.id)}/adjudications`;
    return render(
      c,
      { title: 'Agreement', page: 'queues' },
      <div data-gt="agreement-page">
        {c.req.query('adjudicated') === '1' && <Notice kind="ok">Adjudicated.</Notice>}
        <p>
          <a href={queueUrl(queue.id)} data-key="back">
            ← The queue
          </a>{' '}
          <span class="muted">{`${num(agreement.items)} items; figures over items with at least ${agreement.thresholds.minReviewsPerItem} reviews.`}</span>
        </p>
        <table class="data" data-gt="agreement-summary">
          <thead>
            <tr>
              <th>Criterion</th>
              <th>Rating</th>
              <th class="n">Krippendorff's α</th>
              <th class="n">Percent agreement</th>
              <th class="n">Items</th>
              <th class="n">Reviewers</th>
              <th class="n">Disputed</th>
              <th>Note</th>
            </tr>
          </thead>
          <tbody>
            {agreement.criteria.map((cr) => (
              <tr data-criterion={cr.criterion}>
                <td>{cr.criterion}</td>
                <td>{cr.rating ? `${cr.rating} (${cr.alpha.metric})` : '—'}</td>
                <td class="n" data-gt="alpha">{fig(cr.alpha.value)}</td>
                <td class="n">{pct(cr.percentAgreement.value, 1)}</td>
                <td class="n">{num(cr.alpha.items)}</td>
                <td class="n">{num(cr.raters)}</td>
                <td class="n">{`${num(cr.disputedTotal)} (${num(cr.adjudicated)} adjudicated)`}</td>
                <td class="muted">{cr.alpha.note ?? cr.percentAgreement.note ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {agreement.criteria.map((cr) => (
          <section class="panel" data-gt="criterion-agreement" data-criterion={cr.criterion}>
            <h2>{cr.criterion}</h2>
            <h3>Pairs of reviewers (Cohen's κ)</h3>
            {cr.pairs.length === 0 ? (
              <Empty>No two reviewers share an item yet.</Empty>
            ) : (
              <table class="data" data-gt="pairs">
                <thead>
                  <tr>
                    <th>Reviewers</th>
                    <th class="n">κ</th>
                    <th class="n">Percent agreement</th>
                    <th class="n">Shared items</th>
                    <th>Note</th>
                  </tr>
                </thead>
                <tbody>
                  {cr.pairs.map((p) => (
                    <tr>
                      <td>{`${name(p.raters[0])} · ${name(p.raters[1])}`}</td>
                      <td class="n">{fig(p.kappa)}</td>
                      <td class="n">{pct(p.percentAgreement, 1)}</td>
                      <td class="n">{num(p.items)}</td>
                      <td class="muted">{p.note ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <h3>{`Disputed items (${num(cr.disputedTotal)}), worst first`}</h3>
            {cr.disputed.length === 0 ? (
              <Empty>The reviewers agree on every item so far.</Empty>
            ) : (
              <table class="data" data-gt="disputed">
                <thead>
                  <tr>
                    <th>Item</th>
                    <th class="n">Disagreement</th>
                    <th>Reviews</th>
                    <th>Adjudication</th>
                  </tr>
                </thead>
                <tbody>
                  {cr.disputed.map((d) => (
                    <tr data-target={d.targetKey}>
                      <td>
                        <a href={`${queueUrl(queue.id)}/items/${d.position}`}>{`#${d.position + 1}`}</a> <small class="muted">{d.targetKey}</small>
                      </td>
                      <td class="n">{pct(d.disagreement)}</td>
                      <td>
                        {d.reviews.map((r) => (
                          <div>
                            {name(r.raterId)}: <RatingBadge rating={r.rating} />
                          </div>
                        ))}
                      </td>
                      <td>
                        {d.adjudication && (
                          <div data-gt="adjudication">
                            <RatingBadge rating={d.adjudication.rating} /> <span>{d.adjudication.reason}</span>{' '}
                            <small class="muted">{`${name(d.adjudication.by)}, ${when(d.adjudication.at)}`}</small>
                          </div>
                        )}
                        <AdjudicateForm action={action} csrf={csrf} criterion={cr} item={d} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        ))}
      </div>,
    );
  })
  .post('/queues/:id/adjudications', async function adjudicateItem(c) {
    staffOnly(c);
    const auth = c.get('auth');
    const db = c.get('store').db;
    const queue = await findQueue(db, auth.workspaceId, c.req.param('id'));
    if (!queue) throw new ApiError(404, 'not_found', 'There is no such queue in this workspace.');
    const form = await c.req.parseBody();
    const s = (k: string) => (typeof form[k] === 'string' && (form[k] as string).trim() !== '' ? (form[k] as string).trim() : undefined);
    const parsed = AdjudicationInput.safeParse({
      targetKey: s('targetKey'),
      criterion: s('criterion'),
      rating: { ...(s('thumb') ? { thumb: s('thumb') } : {}), ...(s('stars') ? { stars: Number(s('stars')) } : {}), ...(s('label') ? { label: s('label') } : {}) },
      reason: s('reason') ?? '',
    });
    if (!parsed.success) throw new ApiError(422, 'validation_failed', `Not adjudicated: ${describeZodError(parsed.error)}`);
    try {
      const result = await adjudicate(db, queue, parsed.data, auth.raterId, clockNow());
      await audit(c, 'queue.adjudicated', { type: 'queue', id: queue.id }, {
        targetKey: parsed.data.targetKey,
        criterion: parsed.data.criterion,
        rating: parsed.data.rating,
        replaced: result.replaced !== null,
      });
    } catch (err) {
      if (err instanceof AdjudicationError) throw new ApiError(422, err.code, `Not adjudicated: ${err.message}`);
      throw err;
    }
    return c.redirect(`${queueUrl(queue.id)}/agreement?adjudicated=1`, 303);
  });
