/**
 * Search without an index: every term must occur (case-insensitively) in the stored text. This is
 * the PostgreSQL fallback until that backend gets a tsvector index (see the ADR); it also runs on
 * SQLite, which is how its tests run. It scans at most SCAN_LIMIT newest rows of each kind, so on a
 * large store it finds recent text only — fine for a fallback, not for the default.
 */
import { sql, SqliteAdapter, type Kysely, type RawBuilder } from 'kysely';
import type { FeedbackInput } from '../../shared/schemas.ts';
import { withDashboardTables } from '../store/dashboard-schema.ts';
import type { DB } from '../store/schema.ts';
import { feedbackTexts, type SearchBackend, type SearchHit } from './backend.ts';
import { parseQuery, snippetOf, type SearchTerm } from './query.ts';
import { boostedScore, qualityOf } from './rank.ts';

export const SCAN_LIMIT = 2000;

function likePattern(term: string): string {
  return `%${term.replace(/[!%_]/g, (ch) => `!${ch}`)}%`;
}

function contains(db: Kysely<DB>, column: string, term: SearchTerm): RawBuilder<boolean> {
  const op = db.getExecutor().adapter instanceof SqliteAdapter ? sql.raw('LIKE') : sql.raw('ILIKE');
  return sql<boolean>`${sql.ref(column)} ${op} ${likePattern(term.text)} ESCAPE '!'`;
}

/** Occurrences of every term in a text, weighted; 0 when a term is missing. */
function relevanceOf(fields: [string, number][], terms: SearchTerm[]): number {
  let total = 0;
  for (const term of terms) {
    const needle = term.text.toLowerCase();
    let found = 0;
    for (const [text, weight] of fields) {
      const lower = text.toLowerCase();
      for (let i = lower.indexOf(needle); i >= 0; i = lower.indexOf(needle, i + needle.length)) found += weight;
    }
    if (found === 0) return 0;
    total += found;
  }
  return total;
}

export const likeSearch: SearchBackend = {
  name: 'like',
  async indexFeedback() {
    /* nothing to keep: the scan reads the records themselves */
  },
  async indexNote() {
    /* idem */
  },
  async search(db, workspaceId, q, opts) {
    const terms = parseQuery(q);
    if (terms.length === 0) return [];
    const now = opts.now ?? Date.now();
    const hits: SearchHit[] = [];

    let fq = db
      .selectFrom('feedback')
      .select(['id', 'subject', 'model', 'created_at', 'thumb', 'stars', 'record'])
      .where('workspace_id', '=', workspaceId)
      .where('deleted', '=', 0);
    if (opts.subject !== undefined) fq = fq.where('subject', '=', opts.subject);
    for (const t of terms) fq = fq.where(contains(db, 'record', t));
    for (const row of await fq.orderBy('created_at', 'desc').limit(SCAN_LIMIT).execute()) {
      if (!row.record) continue;
      const texts = feedbackTexts(JSON.parse(row.record) as FeedbackInput);
      const fields: [string, number][] = [[texts.prompt, 1], [texts.answer, 1], [texts.comment, 2], [texts.correction, 2]];
      const relevance = relevanceOf(fields, terms);
      if (relevance === 0) continue; // the term was in a JSON key or an unsearched field
      const best = fields.find(([text]) => relevanceOf([[text, 1]], terms.slice(0, 1)) > 0)?.[0] ?? texts.prompt;
      const quality = qualityOf(row);
      hits.push({
        source: 'feedback', id: row.id, subject: row.subject, model: row.model, at: row.created_at, quality, relevance,
        score: boostedScore(relevance, row.created_at, quality, now), snippet: snippetOf(best, terms),
      });
    }

    const ddb = withDashboardTables(db);
    let nq = ddb.selectFrom('subject_notes').selectAll().where('workspace_id', '=', workspaceId);
    if (opts.subject !== undefined) nq = nq.where('subject', '=', opts.subject);
    for (const t of terms) nq = nq.where(contains(db, 'body', t));
    for (const note of await nq.orderBy('created_at', 'desc').limit(SCAN_LIMIT).execute()) {
      const relevance = relevanceOf([[note.body, 2]], terms);
      if (relevance === 0) continue;
      hits.push({
        source: 'note', id: note.id, subject: note.subject, model: null, at: note.created_at, quality: null, relevance,
        score: boostedScore(relevance, note.created_at, null, now), snippet: snippetOf(note.body, terms),
      });
    }
    return hits.sort((a, b) => b.score - a.score).slice(0, opts.limit);
  },
};
