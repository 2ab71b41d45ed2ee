/** @jsxImportSource hono/jsx */
/** One box over prompts, answers, comments, corrections and notes (the same as GET /v1/search). */
import { Hono } from 'hono';
import { searchWorkspace } from '../search/index.ts';
import type { DashEnv } from './env.ts';
import { when } from './format.ts';
import { BASE, Empty } from './layout.tsx';
import { RatingBadge, Snippet, SubjectLink } from './parts.tsx';
import { render } from './render.tsx';
import { acceptsQuery } from './page-query.ts';

export const searchPage = new Hono<DashEnv>().get('/search', acceptsQuery('q'), async function search(c) {
  const q = (c.req.query('q') ?? '').slice(0, 500).trim();
  const auth = c.get('auth');
  const result = q ? await searchWorkspace(c.get('store').db, auth.workspaceId, q, { limit: 50, embeddings: c.get('embeddings') }) : undefined;
  return render(
    c,
    { title: 'Search', page: 'search', q },
    <>
      <form class="filters" method="get" action={`${BASE}/search`} role="search" aria-label="Search with filters">
        <label>
          Words (all must occur; "quote" a phrase)
          <input type="search" name="q" value={q} size={50} autofocus data-gt="search-input" />
        </label>
        <button type="submit">Search</button>
      </form>
      {result && (
        <p class="muted" data-gt="search-mode" data-mode={result.mode}>
          {result.mode === 'hybrid' ? 'Words and meaning (hybrid search).' : 'Words only (lexical search).'}
        </p>
      )}
      {result?.warnings.map((w) => (
        <p class="notice" role="status" data-gt="search-warning">
          {w}
        </p>
      ))}
      {result &&
        (result.hits.length === 0 ? (
          <Empty>Nothing matches.</Empty>
        ) : (
          <>
            <p class="muted">
              {result.hits.length} best matches, by relevance with a boost for recent and well-rated records.
            </p>
            <ol class="hits" data-gt="search-results">
              {result.hits.map((h) => (
                <li>
                  <div class="meta">
                    {h.source !== 'feedback' ? <span class="pill">{h.source === 'event' ? 'trace' : h.source}</span> : <RatingBadge rating={h.rating} />} · {when(h.at)}
                    {h.source === 'feedback' && h.ratings > 1 && <> · {h.ratings} ratings</>}
                    {h.model && <> · {h.model}</>} · <SubjectLink subject={h.subject} />
                    {h.matchedBy.includes('semantic') && <> · <span class="pill" title="found by meaning">{h.matchedBy.includes('lexical') ? 'words + meaning' : 'meaning'}</span></>}
                  </div>
                  <div>
                    <Snippet parts={h.snippet} />
                  </div>
                  <div>
                    {h.source === 'feedback' ? (
                      <a href={`${BASE}/feedback/${encodeURIComponent(h.id)}`}>Open record</a>
                    ) : (
                      h.subject && <a href={`${BASE}/subjects/${encodeURIComponent(h.subject)}`}>Open subject</a>
                    )}
                  </div>
                </li>
              ))}
            </ol>
          </>
        ))}
    </>,
  );
});
