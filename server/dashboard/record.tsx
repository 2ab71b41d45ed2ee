/** @jsxImportSource hono/jsx */
/**
 * One feedback record: prompt, answer, the correction as a diff against the answer, comment,
 * context and history. Every string here came from a web page or a program: all of it is rendered
 * as text by hono/jsx, and only http(s) URLs become links.
 */
import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { ApiError } from '../lib/errors.ts';
import { getFeedbackRow, rowToFeedback } from '../store/feedback-read.ts';
import { raterNames } from '../subjects/activity.ts';
import { wordDiff } from './diff.ts';
import type { DashEnv } from './env.ts';
import { when } from './format.ts';
import { BASE, Empty } from './layout.tsx';
import { ExternalUrl, RatingBadge, SubjectLink } from './parts.tsx';
import { render } from './render.tsx';
import { acceptsQuery } from './page-query.ts';

const Diff: FC<{ before: string; after: string }> = ({ before, after }) => {
  const parts = wordDiff(before, after);
  if (!parts) {
    return <p class="muted">The texts are too long to compare here; the corrected text is shown in full below.</p>;
  }
  return (
    <pre class="text diff" data-gt="correction-diff">
      {parts.map((p) => (p.op === 'added' ? <ins>{p.text}</ins> : p.op === 'removed' ? <del>{p.text}</del> : p.text))}
    </pre>
  );
};

export const recordPage = new Hono<DashEnv>().get('/feedback/:id', acceptsQuery(), async function feedbackRecord(c) {
  const auth = c.get('auth');
  const db = c.get('store').db;
  const id = c.req.param('id');
  const row = id.length <= 100 ? await getFeedbackRow(db, { workspaceId: auth.workspaceId }, id) : undefined;
  if (!row || row.deleted || !row.record) throw new ApiError(404, 'not_found', 'There is no such feedback in this workspace (it may have been deleted).');
  const f = rowToFeedback(row);
  const t = f.target;
  const events = await db
    .selectFrom('feedback_events')
    .select(['id', 'op', 'at', 'actor_rater_id'])
    .where('workspace_id', '=', auth.workspaceId)
    .where('feedback_id', '=', id)
    .orderBy('id', 'desc')
    .limit(50)
    .execute();
  const names = await raterNames(db, auth.workspaceId, [f.raterId, ...events.map((e) => e.actor_rater_id)]);
  const fields = f.correction?.fields;

  return render(
    c,
    { title: 'Feedback record', page: 'feedback' },
    <>
      <p>
        <a href={`${BASE}/feedback`}>← All feedback</a>
      </p>
      <section class="panel">
        <dl class="meta">
          <dt>Rating</dt>
          <dd>
            <RatingBadge rating={f.rating} />
          </dd>
          <dt>Rater</dt>
          <dd>{names.get(f.raterId) ?? f.raterId}</dd>
          <dt>Model</dt>
          <dd>{t.model ?? '—'}</dd>
          <dt>Kind</dt>
          <dd>{t.kind}</dd>
          <dt>Site</dt>
          <dd>{t.site ?? '—'}</dd>
          <dt>Subject</dt>
          <dd>
            <SubjectLink subject={t.subject} />
          </dd>
          {t.intent && (
            <>
              <dt>Intent</dt>
              <dd>{t.intent}</dd>
            </>
          )}
          {t.project && (
            <>
              <dt>Project</dt>
              <dd>{t.project}</dd>
            </>
          )}
          <dt>Page</dt>
          <dd>
            <ExternalUrl url={t.url} />
          </dd>
          <dt>Target key</dt>
          <dd>
            <code>{t.key}</code>
          </dd>
          <dt>Created</dt>
          <dd>{when(f.createdAt)}</dd>
          <dt>Received</dt>
          <dd>{when(f.receivedAt)}</dd>
          {f.tags && f.tags.length > 0 && (
            <>
              <dt>Tags</dt>
              <dd>
                {f.tags.map((tag) => (
                  <>
                    <span class="pill">{tag}</span>{' '}
                  </>
                ))}
              </dd>
            </>
          )}
        </dl>
      </section>

      {t.messages && t.messages.length > 0 && (
        <section class="panel">
          <h2>Earlier turns</h2>
          {t.messages.map((m) => (
            <div>
              <h3>{m.role}</h3>
              <pre class="text">{m.content}</pre>
            </div>
          ))}
        </section>
      )}
      <section class="panel">
        <h2>Prompt</h2>
        {t.prompt ? <pre class="text" data-gt="prompt">{t.prompt}</pre> : <Empty>No prompt was recorded.</Empty>}
        <h2>Answer</h2>
        {t.output ? <pre class="text" data-gt="answer">{t.output}</pre> : t.quote ? <pre class="text">{t.quote.exact}</pre> : <Empty>No answer text was recorded.</Empty>}
      </section>
      {f.correction && (
        <section class="panel">
          <h2>Correction</h2>
          {f.correction.output != null && (t.output ?? t.quote?.exact) != null && <Diff before={t.output ?? t.quote!.exact} after={f.correction.output} />}
          {f.correction.output != null && (
            <details open={(t.output ?? t.quote?.exact) == null ? true : undefined}>
              <summary>Corrected text</summary>
              <pre class="text">{f.correction.output}</pre>
            </details>
          )}
          {fields && Object.keys(fields).length > 0 && (
            <>
              <h3>Corrected fields</h3>
              <dl class="meta">
                {Object.entries(fields).map(([k, v]) => (
                  <>
                    <dt>{k}</dt>
                    <dd>{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
                  </>
                ))}
              </dl>
            </>
          )}
        </section>
      )}
      <section class="panel">
        <h2>Comment</h2>
        {f.comment ? <pre class="text" data-gt="comment">{f.comment}</pre> : <Empty>No comment.</Empty>}
      </section>
      {t.alternatives && t.alternatives.length > 0 && (
        <section class="panel">
          <h2>Other versions of the answer</h2>
          {t.alternatives.map((a) => (
            <pre class="text">{a}</pre>
          ))}
        </section>
      )}
      {t.context && (
        <section class="panel">
          <h2>Context</h2>
          <pre class="text" data-gt="context">{JSON.stringify(t.context, null, 2)}</pre>
        </section>
      )}
      <section class="panel">
        <h2>History</h2>
        <ul class="feed">
          {events.map((e) => (
            <li>
              <time>{when(e.at)}</time> {e.op} by {names.get(e.actor_rater_id) ?? e.actor_rater_id}
            </li>
          ))}
        </ul>
      </section>
    </>,
  );
});
