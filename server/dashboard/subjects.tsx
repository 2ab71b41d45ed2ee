/** @jsxImportSource hono/jsx */
/**
 * Knowledge per subject (a dataset, a DAG, a service): the index of subjects, and one subject's
 * counts, investigations, notes (with a form to add one), findings of its investigations, common
 * issues, owners, top rated findings, corrected categories, raters and activity.
 * The same data as GET /v1/subjects/{id}/knowledge.
 */
import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { ApiError } from '../lib/errors.ts';
import type { ActivityEntry } from '../subjects/activity.ts';
import { listSubjects, subjectKnowledge } from '../subjects/knowledge.ts';
import { addNote, NoteInput, SubjectId, NOTE_MAX_CHARS } from '../subjects/notes.ts';
import { IntervalBar } from './charts.tsx';
import type { DashEnv } from './env.ts';
import { excerpt, num, pct, qs, when } from './format.ts';
import { BASE, CsrfField, Empty, Notice } from './layout.tsx';
import { RatingBadge } from './parts.tsx';
import { render } from './render.tsx';
import { acceptsQuery } from './page-query.ts';

const subjectHref = (s: string) => `${BASE}/subjects/${encodeURIComponent(s)}`;

const ACTIVITY_WORDS: Record<ActivityEntry['type'], string> = {
  'feedback.created': 'rated',
  'feedback.updated': 'changed a rating',
  'feedback.deleted': 'deleted a rating',
  'note.added': 'added a note',
  trace: 'traced',
};

const Activity: FC<{ entries: ActivityEntry[] }> = ({ entries }) =>
  entries.length === 0 ? (
    <Empty>Nothing yet.</Empty>
  ) : (
    <ul class="feed" data-gt="activity">
      {entries.map((e) => (
        <li>
          <time>{when(e.at)}</time>
          <strong>{e.actor.name}</strong> {ACTIVITY_WORDS[e.type]}{' '}
          {e.traceType && <span class="pill">{e.traceType}</span>}{' '}
          {e.rating && <RatingBadge rating={e.rating} />}{' '}
          {e.feedbackId && e.type !== 'feedback.deleted' && <a href={`${BASE}/feedback/${encodeURIComponent(e.feedbackId)}`}>record</a>}
          {e.text && <div class="muted">{e.text}</div>}
        </li>
      ))}
    </ul>
  );

export const subjectPages = new Hono<DashEnv>()
  .get('/subjects', acceptsQuery(), async function subjectIndex(c) {
    const auth = c.get('auth');
    const subjects = await listSubjects(c.get('store').db, auth.workspaceId);
    return render(
      c,
      { title: 'Subjects', page: 'subjects' },
      <>
        <p class="muted">Datasets, DAGs and services that rated AI output or investigation traces were about (the subject).</p>
        {subjects.length === 0 ? (
          <Empty>No rated output or trace names a subject yet.</Empty>
        ) : (
          <table class="data">
            <thead>
              <tr>
                <th>Subject</th>
                <th class="n">Ratings</th>
                <th class="n">Up</th>
                <th class="n">Down</th>
                <th class="n">Investigations</th>
                <th>Last activity</th>
              </tr>
            </thead>
            <tbody>
              {subjects.map((s) => (
                <tr>
                  <td>
                    <a href={subjectHref(s.subject)}>{s.subject}</a>
                  </td>
                  <td class="n">{num(s.total)}</td>
                  <td class="n up">{num(s.up)}</td>
                  <td class="n down">{num(s.down)}</td>
                  <td class="n">{num(s.investigations)}</td>
                  <td>{when(s.lastAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </>,
    );
  })
  .get('/subjects/:id', acceptsQuery('note'), async function subjectPage(c) {
    const parsed = SubjectId.safeParse(c.req.param('id'));
    if (!parsed.success) throw new ApiError(404, 'not_found', 'That is not a subject name.');
    const subject = parsed.data;
    const auth = c.get('auth');
    const k = await subjectKnowledge(c.get('store').db, auth.workspaceId, subject);
    // A fixed message, never text from the URL.
    const error = c.req.query('note') === 'invalid' ? `A note needs some text, at most ${NOTE_MAX_CHARS} characters.` : undefined;
    return render(
      c,
      { title: `Subject: ${subject}`, page: 'subjects' },
      <>
        <p>
          <a href={`${BASE}/subjects`}>← All subjects</a> · <a href={`${BASE}/feedback${qs({ subject })}`}>its feedback</a> ·{' '}
          <span class="muted">
            as JSON: <code>{`GET /v1/subjects/${encodeURIComponent(subject)}/knowledge`}</code>
          </span>
        </p>
        <div class="cards">
          <div class="card">
            <div class="label">Ratings</div>
            <div class="value">{num(k.counts.total)}</div>
            <div class="delta">{num(k.counts.targets)} outputs rated</div>
          </div>
          <div class="card">
            <div class="label">Thumbs up</div>
            <div class="value up">{num(k.counts.up)}</div>
            <div class="delta">{pct(k.shareUp)} of thumbs</div>
          </div>
          <div class="card">
            <div class="label">Thumbs down</div>
            <div class="value down">{num(k.counts.down)}</div>
            <div class="delta">{k.wilson ? `95 % interval for up: ${pct(k.wilson.low)}–${pct(k.wilson.high)}` : 'no thumbs yet'}</div>
          </div>
          <div class="card">
            <div class="label">Stars</div>
            <div class="value">{k.counts.starsMean == null ? '—' : num(k.counts.starsMean, 1)}</div>
            <div class="delta">{num(k.counts.starsN)} star ratings</div>
          </div>
          <div class="card">
            <div class="label">Investigations</div>
            <div class="value" data-gt="investigations">{num(k.investigationCount)}</div>
            <div class="delta">{k.lastInvestigationAt ? `last ${when(k.lastInvestigationAt)}` : 'no trace yet'}</div>
          </div>
          <div class="card">
            <div class="label">Last activity</div>
            <div class="value small">{k.lastActivityAt ? k.lastActivityAt.slice(0, 10) : '—'}</div>
            <div class="delta">{when(k.lastActivityAt)}</div>
          </div>
        </div>

        <div class="grid2">
          <section class="panel">
            <h2>Notes (known quirks)</h2>
            {error && <Notice kind="error">{error}</Notice>}
            {k.notes.length === 0 ? (
              <Empty>No notes yet. Known quirks, caveats and fixes belong here.</Empty>
            ) : (
              k.notes.map((n) => (
                <div class="note" data-gt="note">
                  <div class="by">
                    {n.author.name} · {when(n.createdAt)}
                  </div>
                  <p>{n.body}</p>
                </div>
              ))
            )}
            <form method="post" action={`${subjectHref(subject)}/notes`} class="stack">
              <CsrfField csrf={c.get('session').csrf} />
              <label>
                Add a note
                <textarea name="body" maxlength={NOTE_MAX_CHARS} required placeholder="e.g. the orders table lags by one day on Mondays" />
              </label>
              <button type="submit" data-gt="add-note">
                Add note
              </button>
            </form>
          </section>
          <section class="panel">
            <h2>Recent activity</h2>
            <Activity entries={k.recentActivity} />
          </section>
        </div>

        <section class="panel">
          <h2>Findings of investigations</h2>
          <p class="muted">Root causes, observations and recommendations that traces concluded, by feedback score (unrated in the middle).</p>
          {k.findings.length === 0 ? (
            <Empty>No investigation of this subject has concluded yet.</Empty>
          ) : (
            <table class="data" data-gt="findings">
              <thead>
                <tr>
                  <th>Finding</th>
                  <th>Type</th>
                  <th class="n">Confidence</th>
                  <th class="n">Feedback</th>
                  <th class="n">Up / down</th>
                  <th>When</th>
                </tr>
              </thead>
              <tbody>
                {k.findings.map((f) => (
                  <tr>
                    <td>
                      <a href={`${BASE}/feedback${qs({ subject })}`}>{excerpt(f.summary, 160)}</a>
                    </td>
                    <td>{f.findingType}</td>
                    <td class="n">{f.confidence == null ? '—' : pct(f.confidence)}</td>
                    <td class="n">{f.feedbackScore == null ? '—' : pct(f.feedbackScore)}</td>
                    <td class="n">{`${f.up} / ${f.down}`}</td>
                    <td>{when(f.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>

        <div class="grid2">
          <section class="panel">
            <h2>Common issues</h2>
            {k.commonIssues.length === 0 ? (
              <Empty>No investigation names its issue type yet.</Empty>
            ) : (
              <table class="data" data-gt="common-issues">
                <tbody>
                  {k.commonIssues.map((i) => (
                    <tr>
                      <td>{i.issue}</td>
                      <td class="n">{num(i.count)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section class="panel">
            <h2>Owners</h2>
            <p class="muted">The people most often involved in its investigations.</p>
            {k.owners.length === 0 ? (
              <Empty>No trace names a user yet.</Empty>
            ) : (
              <table class="data" data-gt="owners">
                <tbody>
                  {k.owners.map((o) => (
                    <tr>
                      <td>{o.actorId}</td>
                      <td class="n">{num(o.events)}</td>
                      <td>{when(o.lastAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </div>

        <section class="panel">
          <h2>Top findings</h2>
          <p class="muted">Rated outputs about this subject, ranked by the lower bound of the 95 % interval of their thumbs up.</p>
          {k.topFindings.length === 0 ? (
            <Empty>No output about this subject has thumbs yet.</Empty>
          ) : (
            <table class="data">
              <thead>
                <tr>
                  <th>Output</th>
                  <th>Kind</th>
                  <th class="n">n</th>
                  <th class="n">Up</th>
                  <th>95 % interval</th>
                </tr>
              </thead>
              <tbody>
                {k.topFindings.map((f) => (
                  <tr class={f.thin ? 'thin' : undefined}>
                    <td>
                      <a href={`${BASE}/feedback/${encodeURIComponent(f.feedbackId)}`}>{excerpt(f.excerpt, 160) || f.targetKey}</a>
                    </td>
                    <td>{f.kind}</td>
                    <td class="n">{num(f.n)}</td>
                    <td class="n">{`${f.up}/${f.up + f.down}`}</td>
                    <td>
                      <IntervalBar share={f.up + f.down ? f.up / (f.up + f.down) : null} low={f.wilson.low} high={f.wilson.high} thin={f.thin} label={`${pct(f.wilson.low)} to ${pct(f.wilson.high)}`} />{' '}
                      {f.thin && <span class="flag">thin data</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>

        <div class="grid2">
          <section class="panel">
            <h2>Most corrected categories</h2>
            {k.mostCorrectedCategories.length === 0 ? (
              <Empty>No corrections of a category yet.</Empty>
            ) : (
              <table class="data">
                <thead>
                  <tr>
                    <th>The AI said</th>
                    <th class="n">Corrected</th>
                    <th>People said</th>
                  </tr>
                </thead>
                <tbody>
                  {k.mostCorrectedCategories.map((cat) => (
                    <tr>
                      <td>{cat.category ?? <span class="muted">(no category)</span>}</td>
                      <td class="n">{num(cat.corrections)}</td>
                      <td>{cat.correctedTo.map((t) => `${t.category} (${t.count})`).join(', ')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section class="panel">
            <h2>Most active raters</h2>
            {k.mostActiveRaters.length === 0 ? (
              <Empty>Nobody has rated this subject yet.</Empty>
            ) : (
              <table class="data">
                <tbody>
                  {k.mostActiveRaters.map((r) => (
                    <tr>
                      <td>{r.name}</td>
                      <td class="n">{num(r.count)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </div>
      </>,
    );
  })
  .post('/subjects/:id/notes', async function addSubjectNote(c) {
    const parsed = SubjectId.safeParse(c.req.param('id'));
    if (!parsed.success) throw new ApiError(404, 'not_found', 'That is not a subject name.');
    const body = await c.req.parseBody();
    const input = NoteInput.safeParse({ body: typeof body.body === 'string' ? body.body : '' });
    if (!input.success) {
      return c.redirect(`${subjectHref(parsed.data)}?note=invalid`, 303);
    }
    await addNote(c.get('store').db, c.get('auth'), parsed.data, input.data);
    return c.redirect(subjectHref(parsed.data), 303);
  });
