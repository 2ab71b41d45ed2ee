/**
 * PostgreSQL full-text search. The index (search_index, migration 0180) holds one row per
 * searchable thing — a feedback record, a subject note, a trace event — with its text by field and
 * a stored, generated tsvector (english configuration: lower case, Snowball stemmer, weight A for
 * what people wrote — comment, correction, note — and B for prompt and answer) under a GIN index.
 * It is written in the same transaction as the records it describes; hard deletes leave it by
 * trigger. Queries: every term the person typed (query.ts parseQuery) goes to phraseto_tsquery as a
 * bound parameter, so nothing typed reaches the tsquery parser as syntax; the normalised lexemes
 * PostgreSQL hands back are combined with `&`, and a word's last lexeme gets `:*` (prefix match) as
 * FTS5 does — for its stem and, unlike FTS5, for the word as typed (see the ADR). Ranking: ts_rank_cd picks the best candidates (one per rated target), then rank.ts
 * applies the recency and rating boosts.
 */
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { FeedbackInput } from '../../shared/schemas.ts';
import type { SubjectNotesTable } from '../store/dashboard-schema.ts';
import type { FeedbackChange } from '../store/feedback-changes.ts';
import type { DB } from '../store/schema.ts';
import { chunks } from '../lib/chunks.ts';
import {
  eventTexts,
  feedbackTexts,
  isIndexedEvent,
  type FeedbackTexts,
  type IndexableEvent,
  type SearchBackend,
  type SearchHit,
  type SearchOptions,
  type SearchSource,
} from './backend.ts';
import { parseQuery, partsFromMarked, type SearchTerm } from './query.ts';
import { boostedScore, MATCH_POOL, onePerTarget, qualityOf, type TargetTally } from './rank.ts';

/** The text search configuration; migration 0180 builds the stored tsvector with the same one. */
const CONFIG = sql`'english'::regconfig`;
/** ts_rank_cd weights {D, C, B, A}: what people wrote (A) counts double the prompt and answer (B). */
const WEIGHTS = sql`'{0.1, 0.2, 0.5, 1.0}'::float4[]`;
/** ts_rank_cd normalisation 1: divided by 1 + log(length), so a long text does not win by size alone. */
const NORMALISATION = 1;
/** ts_headline options: \u0002 / \u0003 mark matches (partsFromMarked reads them, as for FTS5). */
const HEADLINE = 'StartSel=\u0002, StopSel=\u0003, MaxWords=24, MinWords=8, MaxFragments=2, FragmentDelimiter=" … "';

interface IndexRow extends FeedbackTexts {
  doc_key: string;
  workspace_id: string;
  source: SearchSource;
  ref_id: string;
  target_key: string | null;
  subject: string | null;
  model: string | null;
  at: string;
  quality: number | null;
  note: string;
}

/** PostgreSQL text cannot hold NUL (event data may, escaped in its JSON). */
const clean = (s: string) => s.replace(/\u0000/g, ' ');

async function upsertRows(db: Kysely<any> | Transaction<any>, rows: IndexRow[]): Promise<void> {
  for (const part of chunks(rows, 100)) {
    const values = part.map(
      (r) => sql`(${r.doc_key}, ${r.workspace_id}, ${r.source}, ${r.ref_id}, ${r.target_key}, ${r.subject}, ${r.model}, ${r.at}, ${r.quality},
        ${clean(r.prompt)}, ${clean(r.answer)}, ${clean(r.comment)}, ${clean(r.correction)}, ${clean(r.note)})`,
    );
    await sql`INSERT INTO search_index (doc_key, workspace_id, source, ref_id, target_key, subject, model, at, quality,
        prompt, answer, comment, correction, note)
      VALUES ${sql.join(values)}
      ON CONFLICT (doc_key) DO UPDATE SET workspace_id = excluded.workspace_id, source = excluded.source,
        ref_id = excluded.ref_id, target_key = excluded.target_key, subject = excluded.subject, model = excluded.model,
        at = excluded.at, quality = excluded.quality, prompt = excluded.prompt, answer = excluded.answer,
        comment = excluded.comment, correction = excluded.correction, note = excluded.note`.execute(db);
  }
}

/**
 * The tsquery text for the terms, normalised by PostgreSQL itself; '' when no term has a lexeme
 * (only stop words or punctuation). Each term is a bound parameter of phraseto_tsquery, which reads
 * it as plain text: quotes, `&|!():*`, `<->` are never operators.
 */
async function tsqueryText(db: Kysely<any>, terms: SearchTerm[]): Promise<string> {
  const parts: RawBuilder<string>[] = terms.map((t) => {
    const text = clean(t.text);
    if (t.phrase) return sql<string>`nullif('(' || phraseto_tsquery(${CONFIG}, ${text})::text || ')', '()')`;
    // A word: its stem as a prefix (what FTS5's porter tokenizer does), or the word as typed, unstemmed,
    // as a prefix — "capy" stems to "capi", which no stored "capybara" starts with.
    const stemmed = sql`nullif(phraseto_tsquery(${CONFIG}, ${text})::text, '') || ':*'`;
    const typed = sql`nullif(phraseto_tsquery('simple'::regconfig, ${text})::text, '') || ':*'`;
    return sql<string>`nullif('(' || concat_ws(' | ', ${stemmed}, ${typed}) || ')', '()')`;
  });
  const { rows } = await sql<{ q: string }>`SELECT concat_ws(' & ', ${sql.join(parts)}) AS q`.execute(db);
  return rows[0]?.q ?? '';
}

export const postgresFtsSearch: SearchBackend = {
  name: 'postgres-fts',

  async indexFeedback(trx, changes: FeedbackChange[]) {
    if (!changes.length) return;
    const last = new Map<string, FeedbackChange['after']>();
    for (const { after } of changes) last.set(`feedback:${after.workspace_id}:${after.id}`, after);
    const gone: string[] = [];
    const rows: IndexRow[] = [];
    for (const [key, after] of last) {
      if (after.deleted || !after.record) {
        gone.push(key);
        continue;
      }
      rows.push({
        doc_key: key,
        workspace_id: after.workspace_id,
        source: 'feedback',
        ref_id: after.id,
        target_key: after.target_key,
        subject: after.subject,
        model: after.model,
        at: after.created_at,
        quality: qualityOf(after),
        ...feedbackTexts(JSON.parse(after.record) as FeedbackInput),
        note: '',
      });
    }
    for (const part of chunks(gone, 500)) await sql`DELETE FROM search_index WHERE doc_key IN (${sql.join(part)})`.execute(trx);
    await upsertRows(trx, rows);
  },

  async indexNote(db, note: SubjectNotesTable) {
    await upsertRows(db, [
      {
        doc_key: `note:${note.id}`,
        workspace_id: note.workspace_id,
        source: 'note',
        ref_id: note.id,
        target_key: null,
        subject: note.subject,
        model: null,
        at: note.created_at,
        quality: null,
        prompt: '',
        answer: '',
        comment: '',
        correction: '',
        note: note.body,
      },
    ]);
  },

  async indexEvents(trx, events: IndexableEvent[]) {
    const rows: IndexRow[] = events.filter((e) => isIndexedEvent(e.type)).map((e) => ({
      doc_key: `event:${e.workspace_id}:${e.id}`,
      workspace_id: e.workspace_id,
      source: 'event',
      ref_id: e.id,
      target_key: null,
      subject: e.subject,
      model: null,
      at: e.at,
      quality: null,
      ...eventTexts(e.data),
      note: '',
    }));
    await upsertRows(trx, rows);
  },

  async search(db, workspaceId, q, opts: SearchOptions) {
    const terms = parseQuery(q);
    if (terms.length === 0) return [];
    const tsq = await tsqueryText(db, terms);
    if (!tsq) return [];
    const query = sql`${tsq}::tsquery`;
    const subjectFilter = opts.subject === undefined ? sql`` : sql`AND d.subject = ${opts.subject}`;
    const { rows } = await sql<{
      doc_key: string;
      source: SearchSource;
      ref_id: string;
      target_key: string | null;
      subject: string | null;
      model: string | null;
      at: string;
      quality: number | null;
      rank: number;
    }>`SELECT d.doc_key, d.source, d.ref_id, d.target_key, d.subject, d.model, d.at, d.quality,
        ts_rank_cd(${WEIGHTS}, d.tsv, ${query}, ${NORMALISATION}) AS rank
      FROM search_index d
      WHERE d.tsv @@ ${query} AND d.workspace_id = ${workspaceId} ${subjectFilter}
      ORDER BY rank DESC, d.doc_key LIMIT ${MATCH_POOL}`.execute(db);
    const candidates = onePerTarget(rows);
    const tallies = await targetTallies(db, workspaceId, candidates);
    const now = opts.now ?? Date.now();
    const ranked = candidates
      .map((r) => {
        const relevance = Number(r.rank);
        const tally = (r.target_key !== null && tallies.get(r.target_key)) || { ratings: 1, quality: r.quality };
        return { r, tally, relevance, score: boostedScore(relevance, r.at, tally.quality, now) };
      })
      .sort((a, b) => b.score - a.score)
      .slice(0, opts.limit);
    if (!ranked.length) return [];
    // Headlines only for the hits shown: ts_headline re-parses the text, the costly part.
    const snippets = await sql<{ doc_key: string; marked: string }>`SELECT doc_key,
        ts_headline(${CONFIG}, concat_ws(' … ', nullif(prompt, ''), nullif(answer, ''), nullif(comment, ''), nullif(correction, ''), nullif(note, '')),
          ${query}, ${HEADLINE}) AS marked
      FROM search_index WHERE doc_key IN (${sql.join(ranked.map((x) => x.r.doc_key))})`.execute(db);
    const marked = new Map(snippets.rows.map((s) => [s.doc_key, s.marked]));
    return ranked.map(({ r, tally, relevance, score }): SearchHit => ({
      source: r.source,
      id: r.ref_id,
      targetKey: r.source === 'feedback' ? r.target_key : null,
      ratings: tally.ratings,
      subject: r.subject,
      model: r.model,
      at: r.at,
      quality: tally.quality,
      relevance,
      score,
      snippet: partsFromMarked(marked.get(r.doc_key) ?? ''),
    }));
  },
};

/** Every live record's count and mean rating for the candidates' targets (index search_index_ws_target). */
async function targetTallies(db: Kysely<DB>, workspaceId: string, rows: { target_key: string | null }[]): Promise<Map<string, TargetTally>> {
  const keys = [...new Set(rows.flatMap((r) => (r.target_key === null ? [] : [r.target_key])))];
  const out = new Map<string, TargetTally>();
  for (const part of chunks(keys, 500)) {
    const { rows: found } = await sql<{ target_key: string; n: string | number; q: number | null }>`SELECT target_key, count(*) AS n, avg(quality) AS q
      FROM search_index WHERE workspace_id = ${workspaceId} AND source = 'feedback' AND target_key IN (${sql.join(part)})
      GROUP BY target_key`.execute(db);
    for (const f of found) out.set(f.target_key, { ratings: Number(f.n), quality: f.q == null ? null : Number(f.q) });
  }
  return out;
}
