/** @jsxImportSource hono/jsx */
/**
 * Review queues in the dashboard (issue 16, item 1; docs/api/queues.md): the list, the form that
 * makes a queue from the shared filter inputs (analysts), a queue's page — for a reviewer "N to
 * review" and "Review next", which claims through the store's claimNext and opens the claimed item
 * (queue-review.tsx); for an analyst the progress overall and per assignee and the link to the
 * agreement page (queue-agreement-page.tsx). Part of the rater area (rater-area.tsx): analysts-only
 * actions here check the role themselves. The store's functions (server/store/queues.ts) do the
 * work; these pages only read forms and draw. Keys (dashboard.js, listed on the page): n or j
 * review next, k back.
 */
import { Hono, type Context } from 'hono';
import type { FC } from 'hono/jsx';
import { FILTER_PARAMS, type FilterValues } from '../../shared/filters.ts';
import { QUEUE_LIMITS, QueueInput, QueuesQuery, type QueueSummary } from '../../shared/queues.ts';
import { describeZodError } from '../../shared/schemas.ts';
import { clockNow } from '../lib/clock.ts';
import { ApiError } from '../lib/errors.ts';
import { claimNext, createQueue, getQueue, listQueues, QueueCursorError, QueueInputError, QueueNotAssigneeError, type QueueViewer } from '../store/queues.ts';
import type { TokenInfo } from '../store/tokens.ts';
import { raterNames } from '../subjects/activity.ts';
import type { DashEnv } from './env.ts';
import { filterChoices } from './feedback-query.ts';
import { FilterInputs } from './filter-inputs.tsx';
import { num, pct, qs, when } from './format.ts';
import { BASE, CsrfField, Empty, Notice, RATER_HOME } from './layout.tsx';
import { acceptsQuery, parsePageQuery } from './page-query.ts';
import { render } from './render.tsx';

export const QUEUES = RATER_HOME;
export const queueUrl = (id: string) => `${QUEUES}/${encodeURIComponent(id)}`;
export const viewerOf = (auth: TokenInfo): QueueViewer => ({ workspaceId: auth.workspaceId, raterId: auth.raterId, role: auth.role });

/** The rater area holds these pages, but making and judging queues is for analysts and admins. */
export function staffOnly(c: Context<DashEnv>): void {
  if (c.get('auth').role === 'rater') throw new ApiError(403, 'forbidden', 'Making queues and reading their agreement is for analysts and admins.');
}

/** Keys of the queue pages (dashboard.js binds them; the pages list them). */
export const QUEUE_KEYS: [string, string][] = [
  ['n or j', 'review next: claim the next item of this queue (on an item: once it is saved)'],
  ['k', 'back to the queue (from a queue: to the list of queues)'],
  ['1 – 5', 'stars for the criterion being rated (then the next criterion)'],
  ['u / d', 'thumb up / thumb down for the criterion being rated'],
  ['s or Ctrl+Enter', 'submit the review and open the next item'],
  ['c', 'write a comment'],
  ['Esc', 'leave a field (then the keys work again)'],
];

export const Keys: FC = () => (
  <section data-gt="queue-keys">
    <h3>Keys</h3>
    <dl class="meta">
      {QUEUE_KEYS.map(([k, what]) => (
        <>
          <dt>
            <kbd>{k}</kbd>
          </dt>
          <dd>{what}</dd>
        </>
      ))}
    </dl>
  </section>
);

/** "Review next": a POST (it takes a lease), the form n / j submit. */
export const ReviewNext: FC<{ queueId: string; csrf: string; label?: string }> = ({ queueId, csrf, label = 'Review next (n)' }) => (
  <form method="post" action={`${queueUrl(queueId)}/claims`} data-key="next" class="inline">
    <CsrfField csrf={csrf} />
    <button type="submit" data-gt="review-next">
      {label}
    </button>
  </form>
);

const Progress: FC<{ queue: QueueSummary }> = ({ queue }) => {
  const p = queue.progress;
  return (
    <span class="nowrap">
      <progress value={p.reviewsDone} max={Math.max(1, p.reviewsNeeded)} />{' '}
      {`${num(p.reviewsDone)} of ${num(p.reviewsNeeded)} reviews · ${num(p.itemsComplete)} of ${num(p.items)} items complete`}
    </span>
  );
};

const Due: FC<{ due: string | null }> = ({ due }) => {
  if (!due) return <span class="muted">no due date</span>;
  const late = Date.parse(due) < clockNow().getTime();
  return (
    <span>
      {when(due)} {late && <span class="flag">overdue</span>}
    </span>
  );
};

const Criteria: FC<{ queue: QueueSummary }> = ({ queue }) => (
  <>
    {queue.criteria.map((c) => (
      <>
        <span class="pill">{c}</span>{' '}
      </>
    ))}
  </>
);

// ---- The list ----

const RaterList: FC<{ items: QueueSummary[]; csrf: string }> = ({ items, csrf }) => (
  <table class="data" data-gt="queues-table">
    <thead>
      <tr>
        <th>Queue</th>
        <th class="n">To review</th>
        <th>Due</th>
        <th>Criteria</th>
        <th>
          <span class="visually-hidden">Actions</span>
        </th>
      </tr>
    </thead>
    <tbody>
      {items.map((q) => (
        <tr data-id={q.id}>
          <td>
            <a href={queueUrl(q.id)}>{q.name}</a> {q.blind && <span class="pill">blind</span>} {q.completedAt && <span class="pill">complete</span>}
          </td>
          <td class="n" data-gt="to-review">{`${num(q.toReview)} to review`}</td>
          <td>
            <Due due={q.due} />
          </td>
          <td>
            <Criteria queue={q} />
          </td>
          <td>{q.toReview > 0 && <ReviewNext queueId={q.id} csrf={csrf} label="Review next" />}</td>
        </tr>
      ))}
    </tbody>
  </table>
);

const AnalystList: FC<{ items: QueueSummary[] }> = ({ items }) => (
  <table class="data" data-gt="queues-table">
    <thead>
      <tr>
        <th>Queue</th>
        <th>Progress</th>
        <th class="n">Reviewers per item</th>
        <th>Assignees</th>
        <th>Due</th>
        <th>Created</th>
      </tr>
    </thead>
    <tbody>
      {items.map((q) => (
        <tr data-id={q.id}>
          <td>
            <a href={queueUrl(q.id)}>{q.name}</a> {q.blind && <span class="pill">blind</span>} {q.completedAt && <span class="pill">complete</span>}
          </td>
          <td>
            <Progress queue={q} />
          </td>
          <td class="n">{num(q.reviewersPerItem)}</td>
          <td>{q.assignees ? num(q.assignees.length) : <span class="muted">any rater</span>}</td>
          <td>
            <Due due={q.due} />
          </td>
          <td class="nowrap">{when(q.createdAt)}</td>
        </tr>
      ))}
    </tbody>
  </table>
);

// ---- The form ----

/** What the form holds, as typed (so a refused form comes back filled in). */
export interface QueueFormValues {
  name?: string;
  filter?: FilterValues & { days?: string };
  itemKeys?: string;
  reviewersPerItem?: string;
  blind?: boolean;
  criteria?: string;
  assignees?: string[];
  due?: string;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** The form's fields → QueueInput (validated by the API's schema), or the form's values and the reason. */
export function queueInputOf(body: Record<string, string | File | (string | File)[]>): { values: QueueFormValues } & ({ input: QueueInput } | { error: string }) {
  const all = (k: string) => {
    const v = body[k];
    return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim());
  };
  const filter: Record<string, string> = {};
  for (const p of [...FILTER_PARAMS, 'days']) {
    const v = str(body[p])?.trim();
    if (v) filter[p] = v;
  }
  const itemKeys = (str(body.itemKeys) ?? '').split(/\r?\n/).map((k) => k.trim()).filter(Boolean);
  const due = str(body.due)?.trim();
  const values: QueueFormValues = {
    name: str(body.name),
    filter: filter as QueueFormValues['filter'],
    itemKeys: str(body.itemKeys),
    reviewersPerItem: str(body.reviewersPerItem),
    blind: body.blind === 'on' || body.blind === 'true',
    criteria: str(body.criteria),
    assignees: all('assignees'),
    due,
  };
  const criteria = (values.criteria ?? '').split(/[,\s]+/).filter(Boolean);
  const raw = {
    name: values.name?.trim() ?? '',
    ...(itemKeys.length ? { itemKeys } : {}),
    // With item keys and no filter field, the items are those keys; else the filter (empty: all live feedback).
    ...(itemKeys.length && Object.keys(filter).length === 0 ? {} : { filter }),
    reviewersPerItem: values.reviewersPerItem?.trim() ? Number(values.reviewersPerItem) : 1,
    blind: values.blind,
    ...(criteria.length ? { criteria } : {}),
    ...(values.assignees!.length ? { assignees: values.assignees } : {}),
    // A due date is the end of that day, UTC.
    ...(due ? { due: /^\d{4}-\d{2}-\d{2}$/.test(due) ? `${due}T23:59:59Z` : due } : {}),
  };
  const parsed = QueueInput.safeParse(raw);
  return parsed.success ? { values, input: parsed.data } : { values, error: describeZodError(parsed.error) };
}

/** The workspace's raters (live rater tokens), for the assignee boxes. */
async function workspaceRaters(c: Context<DashEnv>): Promise<{ raterId: string; name: string }[]> {
  const rows = await c
    .get('store')
    .db.selectFrom('tokens')
    .select(['rater_id', 'name'])
    .where('workspace_id', '=', c.get('auth').workspaceId)
    .where('role', '=', 'rater')
    .where('revoked_at', 'is', null)
    .orderBy('name')
    .orderBy('rater_id')
    .limit(QUEUE_LIMITS.assigneesMax)
    .execute();
  const seen = new Map<string, string>();
  for (const r of rows) if (!seen.has(r.rater_id)) seen.set(r.rater_id, r.name);
  return [...seen].map(([raterId, name]) => ({ raterId, name }));
}

async function queueForm(c: Context<DashEnv>, values: QueueFormValues = {}, error?: string) {
  const [raters, choices] = await Promise.all([workspaceRaters(c), filterChoices(c.get('store').db, c.get('auth').workspaceId)]);
  const picked = new Set(values.assignees ?? []);
  return render(
    c,
    { title: 'New review queue', page: 'queues' },
    <>
      {error && <Notice kind="error">{`Not made: ${error}`}</Notice>}
      <form method="post" action={QUEUES} class="stack" data-gt="queue-form">
        <CsrfField csrf={c.get('session').csrf} />
        <label>
          Name <input type="text" name="name" required maxlength={QUEUE_LIMITS.nameMaxChars} value={values.name ?? ''} />
        </label>
        <h2>Items</h2>
        <p class="muted">
          The distinct answers of the live feedback matching these filters (none: all of it), fixed now. Or list registered items by key below
          and leave the filters empty.
        </p>
        <div class="filters" data-gt="queue-filter">
          <FilterInputs values={(values.filter ?? {}) as FilterValues} suggestions={{ model: choices.models, site: choices.sites }} />
          <label>
            Last N days <input type="number" name="days" min="1" step="1" size={4} value={values.filter?.days ?? ''} />
          </label>
        </div>
        <label>
          Or registered item keys, one per line
          <textarea name="itemKeys" rows={3}>
            {values.itemKeys ?? ''}
          </textarea>
        </label>
        <h2>Review</h2>
        <label>
          Reviewers per item
          <input type="number" name="reviewersPerItem" min="1" max={QUEUE_LIMITS.reviewersPerItemMax} step="1" value={values.reviewersPerItem ?? '1'} />
        </label>
        <label class="choice">
          <input type="checkbox" name="blind" checked={values.blind ? true : undefined} /> Blind: reviewers see the AI's verdict only after they submit
        </label>
        <label>
          Criteria (comma separated)
          <input type="text" name="criteria" value={values.criteria ?? 'overall'} placeholder="overall, correctness" />
        </label>
        <fieldset data-gt="assignees">
          <legend>Assignees (none ticked: any rater of the workspace)</legend>
          {raters.length === 0 && <Empty>No rater tokens in this workspace yet.</Empty>}
          {raters.map((r) => (
            <label class="choice">
              <input type="checkbox" name="assignees" value={r.raterId} checked={picked.has(r.raterId) ? true : undefined} /> {r.name}{' '}
              <small class="muted">{r.raterId}</small>
            </label>
          ))}
        </fieldset>
        <label>
          Due (end of that day, UTC) <input type="date" name="due" value={values.due ?? ''} />
        </label>
        <button type="submit" data-gt="queue-create">
          Make the queue
        </button>
      </form>
    </>,
    error ? 422 : 200,
  );
}

// ---- Pages ----

export const queuePages = new Hono<DashEnv>()
  .get('/queues', async function queuesList(c) {
    const q = parsePageQuery(c, QueuesQuery);
    const auth = c.get('auth');
    const rater = auth.role === 'rater';
    let page;
    try {
      page = await listQueues(c.get('store').db, viewerOf(auth), q, clockNow());
    } catch (err) {
      if (err instanceof QueueCursorError) throw new ApiError(422, 'validation_failed', err.message);
      throw err;
    }
    return render(
      c,
      { title: rater ? 'Your queues' : 'Review queues', page: 'queues' },
      <>
        {!rater && (
          <p>
            <a class="button" href={`${QUEUES}/new`} data-gt="new-queue">
              New queue
            </a>
          </p>
        )}
        {page.items.length === 0 ? (
          <Empty>{rater ? 'No queue has items for you to review.' : 'No review queues yet.'}</Empty>
        ) : rater ? (
          <RaterList items={page.items} csrf={c.get('session').csrf} />
        ) : (
          <AnalystList items={page.items} />
        )}
        {page.nextCursor && (
          <div class="pager">
            <a class="button secondary" href={`${QUEUES}${qs({ status: q.status, cursor: page.nextCursor })}`} data-gt="next-page">
              Next page →
            </a>
          </div>
        )}
      </>,
    );
  })
  .get('/queues/new', acceptsQuery(), async function newQueue(c) {
    staffOnly(c);
    return queueForm(c);
  })
  .post('/queues', async function makeQueue(c) {
    staffOnly(c);
    const auth = c.get('auth');
    const parsed = queueInputOf(await c.req.parseBody({ all: true }));
    if ('error' in parsed) return queueForm(c, parsed.values, parsed.error);
    try {
      const queue = await createQueue(c.get('store').db, { workspaceId: auth.workspaceId, createdBy: auth.raterId, input: parsed.input }, clockNow(), viewerOf(auth));
      return c.redirect(`${queueUrl(queue.id)}?made=1`, 303);
    } catch (err) {
      if (err instanceof QueueInputError) return queueForm(c, parsed.values, err.message);
      throw err;
    }
  })
  .get('/queues/:id', acceptsQuery('made', 'done'), async function queuePage(c) {
    const auth = c.get('auth');
    const db = c.get('store').db;
    const queue = await getQueue(db, viewerOf(auth), c.req.param('id'), clockNow());
    if (!queue) throw new ApiError(404, 'not_found', 'There is no such queue, or it is not one you review in.');
    const rater = auth.role === 'rater';
    const names = await raterNames(db, auth.workspaceId, queue.perAssignee.map((p) => p.raterId));
    const csrf = c.get('session').csrf;
    return render(
      c,
      { title: queue.name, page: 'queues' },
      <div data-gt="queue-page">
        {c.req.query('made') === '1' && <Notice kind="ok">{`Queue made: ${num(queue.progress.items)} items.`}</Notice>}
        {c.req.query('done') === '1' && <Notice kind="ok">Nothing is left for you to review in this queue. Thank you.</Notice>}
        <nav class="pager" aria-label="Queue">
          <a class="button secondary" href={QUEUES} data-key="back">
            ← Queues (k)
          </a>
          {queue.toReview > 0 && <ReviewNext queueId={queue.id} csrf={csrf} />}
        </nav>
        <dl class="meta">
          {rater && (
            <>
              <dt>To review</dt>
              <dd data-gt="to-review">{`${num(queue.toReview)} to review`}</dd>
              <dt>You reviewed</dt>
              <dd>{num(queue.perAssignee[0]?.done ?? 0)}</dd>
            </>
          )}
          <dt>Due</dt>
          <dd>
            <Due due={queue.due} />
          </dd>
          <dt>Criteria</dt>
          <dd>
            <Criteria queue={queue} />
          </dd>
          <dt>Reviewers per item</dt>
          <dd>{num(queue.reviewersPerItem)}</dd>
          <dt>Blind</dt>
          <dd>{queue.blind ? "yes: the AI's verdict is shown to a reviewer after they submit" : 'no'}</dd>
          {!rater && (
            <>
              <dt>Progress</dt>
              <dd data-gt="queue-progress">
                <Progress queue={queue} /> {`(${pct(queue.progress.reviewsNeeded ? queue.progress.reviewsDone / queue.progress.reviewsNeeded : 0)})`}
              </dd>
              <dt>Made from</dt>
              <dd>
                <code>{queue.filter ? JSON.stringify(queue.filter) : `${num(queue.itemKeys?.length ?? 0)} registered items`}</code>
              </dd>
              <dt>Created</dt>
              <dd>{when(queue.createdAt)}</dd>
              <dt>Complete</dt>
              <dd>{queue.completedAt ? when(queue.completedAt) : 'not yet'}</dd>
            </>
          )}
        </dl>
        {!rater && (
          <>
            <h2>Per assignee</h2>
            {queue.perAssignee.length === 0 ? (
              <Empty>No one has claimed an item yet.</Empty>
            ) : (
              <table class="data" data-gt="per-assignee">
                <thead>
                  <tr>
                    <th>Reviewer</th>
                    <th class="n">Reviewed</th>
                    <th class="n">Holding now</th>
                  </tr>
                </thead>
                <tbody>
                  {queue.perAssignee.map((p) => (
                    <tr data-rater={p.raterId}>
                      <td>
                        {names.get(p.raterId) ?? p.raterId} <small class="muted">{p.raterId}</small>
                      </td>
                      <td class="n">{num(p.done)}</td>
                      <td class="n">{num(p.claimed)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <p>
              <a href={`${queueUrl(queue.id)}/agreement`} data-gt="agreement-link">
                Agreement and disputed items →
              </a>
            </p>
          </>
        )}
        <Keys />
      </div>,
    );
  })
  .post('/queues/:id/claims', async function reviewNext(c) {
    const auth = c.get('auth');
    const id = c.req.param('id');
    let outcome;
    try {
      outcome = await claimNext(c.get('store').db, viewerOf(auth), id, clockNow());
    } catch (err) {
      if (err instanceof QueueNotAssigneeError) throw new ApiError(403, 'not_an_assignee', err.message);
      throw err;
    }
    if (!outcome) throw new ApiError(404, 'not_found', 'There is no such queue, or it is not one you review in.');
    if ('none' in outcome) return c.redirect(`${queueUrl(id)}?done=1`, 303);
    return c.redirect(`${queueUrl(id)}/items/${outcome.claim.item.position}`, 303);
  });
