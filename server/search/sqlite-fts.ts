/**
 * SQLite FTS5 search. The index (search_docs + search_fts, migrations 0060 and 0180) is written in
 * the same transaction as the records it describes, so a search never sees a vote that was not
 * committed nor misses one that was. Ranking: FTS5's bm25 picks the best candidates (one per rated
 * target: several raters' records on one target.key are one hit), then rank.ts applies the recency
 * and rating boosts. Hard deletes (erasure, retention) leave the index by trigger.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { FeedbackInput } from '../../shared/schemas.ts';
import { withDashboardTables, type SubjectNotesTable } from '../store/dashboard-schema.ts';
import type { FeedbackChange } from '../store/feedback-changes.ts';
import type { DB } from '../store/schema.ts';
import { eventTexts, feedbackTexts, isIndexedEvent, type IndexableEvent, type SearchBackend, type SearchHit, type SearchOptions, type SearchSource } from './backend.ts';
import { parseQuery, partsFromMarked, toFtsMatch } from './query.ts';
import { boostedScore, MATCH_POOL, onePerTarget, qualityOf, type TargetTally } from './rank.ts';
import { chunks } from '../lib/chunks.ts';
import { sqliteFastPath } from '../store/sqlite-fast-path.ts';

/** Column weights for bm25 (prompt, answer, comment, correction, note): what people wrote counts double. */
const WEIGHTS = sql.raw('1.0, 1.0, 2.0, 2.0, 2.0');

interface Doc {
  doc_key: string;
  workspace_id: string;
  source: SearchSource;
  ref_id: string;
  target_key: string | null;
  subject: string | null;
  model: string | null;
  at: string;
  quality: number | null;
  texts: { prompt: string; answer: string; comment: string; correction: string; note: string };
}

function docValues(doc: Doc) {
  return {
    workspace_id: doc.workspace_id,
    source: doc.source,
    ref_id: doc.ref_id,
    target_key: doc.target_key,
    subject: doc.subject,
    model: doc.model,
    at: doc.at,
    quality: doc.quality,
  };
}

async function upsertDoc(db: Kysely<DB> | Transaction<DB>, doc: Doc): Promise<void> {
  const ddb = withDashboardTables(db as Kysely<DB>);
  const existing = await ddb.selectFrom('search_docs').select('id').where('doc_key', '=', doc.doc_key).executeTakeFirst();
  let rowid: number;
  const values = docValues(doc);
  if (existing) {
    rowid = existing.id;
    await ddb.updateTable('search_docs').set(values).where('id', '=', rowid).execute();
    await sql`DELETE FROM search_fts WHERE rowid = ${rowid}`.execute(db);
  } else {
    const inserted = await ddb
      .insertInto('search_docs')
      .values({ doc_key: doc.doc_key, ...values } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    rowid = inserted.id;
  }
  const t = doc.texts;
  await sql`INSERT INTO search_fts (rowid, prompt, answer, comment, correction, note)
    VALUES (${rowid}, ${t.prompt}, ${t.answer}, ${t.comment}, ${t.correction}, ${t.note})`.execute(db);
}

async function removeDoc(db: Kysely<DB> | Transaction<DB>, docKey: string): Promise<void> {
  const ddb = withDashboardTables(db as Kysely<DB>);
  const existing = await ddb.selectFrom('search_docs').select('id').where('doc_key', '=', docKey).executeTakeFirst();
  if (!existing) return;
  await sql`DELETE FROM search_fts WHERE rowid = ${existing.id}`.execute(db);
  await ddb.deleteFrom('search_docs').where('id', '=', existing.id).execute();
}

interface IndexWrites {
  ftsToDrop: number[];
  docsToDrop: number[];
  updated: (Doc & { rowid: number })[];
  fresh: Doc[];
}

interface IndexWriter {
  /** The search_docs rowid of each key already indexed. */
  existing(keys: string[]): Promise<Map<string, number>>;
  write(w: IndexWrites): Promise<void>;
}

const DOC_COLUMNS = ['workspace_id', 'source', 'ref_id', 'target_key', 'subject', 'model', 'at', 'quality'] as const;
const docParams = (d: Doc) => {
  const values = docValues(d);
  return DOC_COLUMNS.map((c) => values[c]);
};
const ftsParams = (rowid: number, t: Doc['texts']) => [rowid, t.prompt, t.answer, t.comment, t.correction, t.note];
const FTS_INSERT = 'INSERT INTO search_fts (rowid, prompt, answer, comment, correction, note) VALUES (?, ?, ?, ?, ?, ?)';

/** The index's writes: prepared statements on a store's own connection, else Kysely (see indexFeedback). */
function indexWriter(trx: Transaction<DB>): IndexWriter {
  const fast = sqliteFastPath(trx);
  if (fast) {
    return {
      existing: async (keys) => {
        const find = fast.prepare('SELECT id FROM search_docs WHERE doc_key = ?').pluck();
        const out = new Map<string, number>();
        for (const key of keys) {
          const id = find.get(key) as number | undefined;
          if (id !== undefined) out.set(key, id);
        }
        return out;
      },
      write: async ({ ftsToDrop, docsToDrop, updated, fresh }) => {
        const dropFts = fast.prepare('DELETE FROM search_fts WHERE rowid = ?');
        const dropDoc = fast.prepare('DELETE FROM search_docs WHERE id = ?');
        const update = fast.prepare(`UPDATE search_docs SET ${DOC_COLUMNS.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`);
        const insert = fast.prepare(`INSERT INTO search_docs (doc_key, ${DOC_COLUMNS.join(', ')}) VALUES (?, ${DOC_COLUMNS.map(() => '?').join(', ')})`);
        const fts = fast.prepare(FTS_INSERT);
        for (const rowid of ftsToDrop) dropFts.run(rowid);
        for (const rowid of docsToDrop) dropDoc.run(rowid);
        for (const d of updated) {
          update.run(...docParams(d), d.rowid);
          fts.run(...ftsParams(d.rowid, d.texts));
        }
        for (const d of fresh) {
          const rowid = Number(insert.run(d.doc_key, ...docParams(d)).lastInsertRowid);
          fts.run(...ftsParams(rowid, d.texts));
        }
      },
    };
  }
  const ddb = withDashboardTables(trx);
  return {
    existing: async (keys) => {
      const out = new Map<string, number>();
      for (const part of chunks(keys, 500)) {
        const rows = await ddb.selectFrom('search_docs').select(['id', 'doc_key']).where('doc_key', 'in', part).execute();
        for (const r of rows) out.set(r.doc_key, r.id);
      }
      return out;
    },
    write: async ({ ftsToDrop, docsToDrop, updated, fresh }) => {
      for (const part of chunks(ftsToDrop, 500)) await sql`DELETE FROM search_fts WHERE rowid IN (${sql.join(part)})`.execute(trx);
      for (const part of chunks(docsToDrop, 500)) await ddb.deleteFrom('search_docs').where('id', 'in', part).execute();
      for (const doc of updated) await ddb.updateTable('search_docs').set(docValues(doc)).where('id', '=', doc.rowid).execute();
      const withRowids: { rowid: number; texts: Doc['texts'] }[] = updated.map((d) => ({ rowid: d.rowid, texts: d.texts }));
      for (const part of chunks(fresh, 100)) {
        const inserted = await ddb
          .insertInto('search_docs')
          .values(part.map((d) => ({ doc_key: d.doc_key, ...docValues(d) })) as never)
          .returning(['id', 'doc_key'])
          .execute();
        const byKey = new Map(inserted.map((r) => [r.doc_key, r.id]));
        for (const d of part) withRowids.push({ rowid: byKey.get(d.doc_key)!, texts: d.texts });
      }
      for (const part of chunks(withRowids, 100)) {
        const rows = part.map(({ rowid, texts: t }) => sql`(${rowid}, ${t.prompt}, ${t.answer}, ${t.comment}, ${t.correction}, ${t.note})`);
        await sql`INSERT INTO search_fts (rowid, prompt, answer, comment, correction, note) VALUES ${sql.join(rows)}`.execute(trx);
      }
    },
  };
}

export const sqliteFtsSearch: SearchBackend = {
  name: 'sqlite-fts5',

  /**
   * One batch of records is indexed with one prepared single-row statement per row written
   * (sqlite-fast-path.ts) inside the caller's transaction; a database opened by hand (no fast path)
   * gets multi-row statements through Kysely. Per-record Kysely statements were the largest cost of a
   * 500-mutation sync in the sync benchmark (test/bench/sync.ts), and compiling the multi-row ones
   * the largest part of the indexer's batch after that.
   */
  async indexFeedback(trx, changes: FeedbackChange[]) {
    if (!changes.length) return;
    const last = new Map<string, FeedbackChange['after']>();
    // Keyed by workspace and id: ids are unique per workspace only (migration 0100, which also
    // rewrote the stored keys and the search_forget_feedback trigger to this form).
    for (const { after } of changes) last.set(`feedback:${after.workspace_id}:${after.id}`, after);
    const writer = indexWriter(trx);
    const existing = await writer.existing([...last.keys()]);
    const ftsToDrop: number[] = [];
    const docsToDrop: number[] = [];
    const fresh: Doc[] = [];
    const updated: (Doc & { rowid: number })[] = [];
    for (const [key, after] of last) {
      const rowid = existing.get(key);
      if (after.deleted || !after.record) {
        if (rowid !== undefined) {
          ftsToDrop.push(rowid);
          docsToDrop.push(rowid);
        }
        continue;
      }
      const record = JSON.parse(after.record) as FeedbackInput;
      const doc: Doc = {
        doc_key: key,
        workspace_id: after.workspace_id,
        source: 'feedback',
        ref_id: after.id,
        target_key: after.target_key,
        subject: after.subject,
        model: after.model,
        at: after.created_at,
        quality: qualityOf(after),
        texts: { ...feedbackTexts(record), note: '' },
      };
      if (rowid === undefined) fresh.push(doc);
      else {
        ftsToDrop.push(rowid);
        updated.push({ ...doc, rowid });
      }
    }
    await writer.write({ ftsToDrop, docsToDrop, updated, fresh });
  },

  async indexNote(db, note: SubjectNotesTable) {
    await upsertDoc(db, {
      doc_key: `note:${note.id}`,
      workspace_id: note.workspace_id,
      source: 'note',
      ref_id: note.id,
      target_key: null,
      subject: note.subject,
      model: null,
      at: note.created_at,
      quality: null,
      texts: { prompt: '', answer: '', comment: '', correction: '', note: note.body },
    });
  },

  async indexEvents(trx, events: IndexableEvent[]) {
    for (const e of events) {
      if (!isIndexedEvent(e.type)) continue;
      await upsertDoc(trx as Transaction<DB>, {
        doc_key: `event:${e.workspace_id}:${e.id}`,
        workspace_id: e.workspace_id,
        source: 'event',
        ref_id: e.id,
        target_key: null,
        subject: e.subject,
        model: null,
        at: e.at,
        quality: null,
        texts: { ...eventTexts(e.data), note: '' },
      });
    }
  },

  async search(db, workspaceId, q, opts: SearchOptions) {
    const terms = parseQuery(q);
    if (terms.length === 0) return [];
    const match = toFtsMatch(terms);
    const subjectFilter = opts.subject === undefined ? sql`` : sql`AND d.subject = ${opts.subject}`;
    const { rows } = await sql<{
      id: number;
      doc_key: string;
      source: SearchSource;
      ref_id: string;
      target_key: string | null;
      subject: string | null;
      model: string | null;
      at: string;
      quality: number | null;
      rank: number;
    }>`SELECT d.id, d.doc_key, d.source, d.ref_id, d.target_key, d.subject, d.model, d.at, d.quality,
        bm25(search_fts, ${WEIGHTS}) AS rank
      FROM search_fts JOIN search_docs d ON d.id = search_fts.rowid
      WHERE search_fts MATCH ${match} AND d.workspace_id = ${workspaceId} ${subjectFilter}
      ORDER BY rank LIMIT ${MATCH_POOL}`.execute(db);
    const candidates = onePerTarget(rows);
    const tallies = await targetTallies(db, workspaceId, candidates);
    const now = opts.now ?? Date.now();
    const ranked = candidates
      .map((r) => {
        // bm25() is lower-is-better and negative for a match; relevance is its opposite.
        const relevance = -r.rank;
        const tally = (r.target_key !== null && tallies.get(r.target_key)) || { ratings: 1, quality: r.quality };
        return { r, tally, relevance, score: boostedScore(relevance, r.at, tally.quality, now) };
      })
      .sort((a, b) => b.score - a.score)
      .slice(0, opts.limit);
    if (!ranked.length) return [];
    // Snippets only for the hits shown (snippet() must run in a MATCH query of its own).
    const snippets = await sql<{ rowid: number; marked: string }>`SELECT rowid, snippet(search_fts, -1, char(2), char(3), '…', 24) AS marked
      FROM search_fts WHERE search_fts MATCH ${match} AND rowid IN (${sql.join(ranked.map((x) => x.r.id))})`.execute(db);
    const marked = new Map(snippets.rows.map((x) => [x.rowid, x.marked]));
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
      snippet: partsFromMarked(marked.get(r.id) ?? ''),
    }));
  },
};

/** Every live record's count and mean rating for the candidates' targets (index search_docs_ws_target). */
async function targetTallies(db: Kysely<DB>, workspaceId: string, rows: { target_key: string | null }[]): Promise<Map<string, TargetTally>> {
  const keys = [...new Set(rows.flatMap((r) => (r.target_key === null ? [] : [r.target_key])))];
  const out = new Map<string, TargetTally>();
  for (const part of chunks(keys, 500)) {
    const { rows: found } = await sql<{ target_key: string; n: number; q: number | null }>`SELECT target_key, count(*) AS n, avg(quality) AS q
      FROM search_docs WHERE workspace_id = ${workspaceId} AND source = 'feedback' AND target_key IN (${sql.join(part)})
      GROUP BY target_key`.execute(db);
    for (const f of found) out.set(f.target_key, { ratings: Number(f.n), quality: f.q });
  }
  return out;
}
