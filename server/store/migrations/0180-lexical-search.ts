import { sql, SqliteAdapter, type Kysely } from 'kysely';

/**
 * Lexical search on both backends (issue 14, part 7; docs/decisions/0040-lexical-search.md):
 * - PostgreSQL gets a real full-text index: `search_index`, one row per feedback record, subject
 *   note and trace event, with its text by field and a stored generated tsvector (english
 *   configuration; weight A for comment, correction and note, B for prompt and answer) under a GIN
 *   index and an index by target, filled here from the rows already stored. Triggers take a row's entry out when the row
 *   is deleted (erasure, retention, purge), whatever code deletes it.
 * - SQLite: `search_docs.target_key` (one hit per rated target) and its index, filled from the records; trace
 *   events (already stored ones indexed here) and a trigger that forgets a deleted event.
 * `feedback.*` events are not indexed: the feedback record each stores is.
 * Frozen once shipped: the text extraction below is a copy of what server/search did when it
 * shipped, on purpose, so a later change there cannot change what this migration did.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) return upSqlite(db);
  return upPostgres(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    await sql`DROP TRIGGER IF EXISTS search_forget_event`.execute(db);
    await sql`DELETE FROM search_fts WHERE rowid IN (SELECT id FROM search_docs WHERE source = 'event')`.execute(db);
    await sql`DELETE FROM search_docs WHERE source = 'event'`.execute(db);
    await sql`DROP INDEX IF EXISTS search_docs_ws_target`.execute(db);
    await sql`ALTER TABLE search_docs DROP COLUMN target_key`.execute(db);
    return;
  }
  for (const t of ['feedback', 'subject_notes', 'trace_events']) {
    await sql`DROP TRIGGER IF EXISTS search_index_forget ON ${sql.table(t)}`.execute(db);
  }
  await sql`DROP FUNCTION IF EXISTS search_index_forget()`.execute(db);
  await sql`DROP TABLE IF EXISTS search_index`.execute(db);
}

// ---- copies of the indexing rules (frozen) -------------------------------------------------

interface Texts {
  prompt: string;
  answer: string;
  comment: string;
  correction: string;
}

function recordTexts(recordJson: string): Texts {
  const record = JSON.parse(recordJson) as {
    target?: { prompt?: string; output?: string };
    comment?: string;
    correction?: { output?: string; fields?: Record<string, unknown> };
  };
  const fields = record.correction?.fields;
  const fieldText = fields ? Object.values(fields).filter((v) => typeof v === 'string' || typeof v === 'number').join(' ') : '';
  return {
    prompt: record.target?.prompt ?? '',
    answer: record.target?.output ?? '',
    comment: record.comment ?? '',
    correction: `${record.correction?.output ?? ''} ${fieldText}`.trim(),
  };
}

function qualityOf(thumb: string | null, stars: number | null): number | null {
  const parts: number[] = [];
  if (thumb) parts.push(thumb === 'up' ? 1 : 0);
  if (stars != null) parts.push((stars - 1) / 4);
  return parts.length ? parts.reduce((a, b) => a + b, 0) / parts.length : null;
}

function eventTexts(data: string): Texts {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    parsed = data;
  }
  const machine: string[] = [];
  const human: string[] = [];
  let budget = 20_000;
  const walk = (v: unknown, key: string, depth: number) => {
    if (budget <= 0 || depth > 8) return;
    if (typeof v === 'string') {
      if (key === 'id' || /(_id|Id)$/.test(key)) return;
      const text = v.slice(0, budget);
      budget -= text.length;
      (key === 'comment' ? human : machine).push(text);
    } else if (Array.isArray(v)) for (const x of v) walk(x, key, depth + 1);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k, depth + 1);
  };
  walk(parsed, '', 0);
  return { prompt: '', answer: machine.join('\n'), comment: human.join('\n'), correction: '' };
}

const BATCH = 200;

interface EventRow {
  id: string;
  seq: string;
  workspace_id: string;
  type: string;
  subject: string | null;
  data: string;
  at: string;
}

/** Stored events in arrival order, a batch at a time (`feedback.*` left out). */
async function* eventBatches(db: Kysely<any>): AsyncGenerator<EventRow[]> {
  let after = '';
  for (;;) {
    const { rows } = await sql<EventRow>`SELECT id, seq, workspace_id, type, subject, data, at FROM trace_events
      WHERE seq > ${after} ORDER BY seq LIMIT ${BATCH}`.execute(db);
    if (!rows.length) return;
    after = rows[rows.length - 1]!.seq;
    const kept = rows.filter((r) => !r.type.startsWith('feedback.'));
    if (kept.length) yield kept;
  }
}

// ---- SQLite ------------------------------------------------------------------------------------

async function upSqlite(db: Kysely<any>): Promise<void> {
  // SQLite migrations run outside a transaction (Kysely: no transactional DDL); this one needs one.
  await sql`begin immediate`.execute(db);
  try {
    const cols = (await sql<{ name: string }>`PRAGMA table_info(search_docs)`.execute(db)).rows.map((c) => c.name);
    if (!cols.includes('target_key')) await sql`ALTER TABLE search_docs ADD COLUMN target_key TEXT`.execute(db);
    await sql`UPDATE search_docs SET target_key = (
        SELECT f.target_key FROM feedback f WHERE f.workspace_id = search_docs.workspace_id AND f.id = search_docs.ref_id)
      WHERE source = 'feedback' AND target_key IS NULL`.execute(db);
    await sql`CREATE INDEX IF NOT EXISTS search_docs_ws_target ON search_docs (workspace_id, target_key)`.execute(db);
    for await (const batch of eventBatches(db)) {
      for (const e of batch) {
        const key = `event:${e.workspace_id}:${e.id}`;
        const inserted = await sql<{ id: number }>`INSERT INTO search_docs (doc_key, workspace_id, source, ref_id, target_key, subject, model, at, quality)
          VALUES (${key}, ${e.workspace_id}, 'event', ${e.id}, NULL, ${e.subject}, NULL, ${e.at}, NULL)
          ON CONFLICT (doc_key) DO NOTHING RETURNING id`.execute(db);
        const rowid = inserted.rows[0]?.id;
        if (rowid === undefined) continue; // indexed by a run that stopped before Kysely recorded it
        const t = eventTexts(e.data);
        await sql`INSERT INTO search_fts (rowid, prompt, answer, comment, correction, note)
          VALUES (${rowid}, '', ${t.answer}, ${t.comment}, '', '')`.execute(db);
      }
    }
    await sql`DROP TRIGGER IF EXISTS search_forget_event`.execute(db);
    await sql`CREATE TRIGGER search_forget_event AFTER DELETE ON trace_events BEGIN
    DELETE FROM search_fts WHERE rowid = (SELECT id FROM search_docs WHERE doc_key = 'event:' || old.workspace_id || ':' || old.id);
    DELETE FROM search_docs WHERE doc_key = 'event:' || old.workspace_id || ':' || old.id;
  END`.execute(db);
    await sql`commit`.execute(db);
  } catch (err) {
    await sql`rollback`.execute(db);
    throw err;
  }
}

// ---- PostgreSQL --------------------------------------------------------------------------------

interface IndexRow extends Texts {
  doc_key: string;
  workspace_id: string;
  source: string;
  ref_id: string;
  target_key: string | null;
  subject: string | null;
  model: string | null;
  at: string;
  quality: number | null;
  note: string;
}

const clean = (s: string) => s.replace(/\u0000/g, ' ');

async function insertRows(db: Kysely<any>, rows: IndexRow[]): Promise<void> {
  if (!rows.length) return;
  const values = rows.map(
    (r) => sql`(${r.doc_key}, ${r.workspace_id}, ${r.source}, ${r.ref_id}, ${r.target_key}, ${r.subject}, ${r.model}, ${r.at}, ${r.quality},
      ${clean(r.prompt)}, ${clean(r.answer)}, ${clean(r.comment)}, ${clean(r.correction)}, ${clean(r.note)})`,
  );
  await sql`INSERT INTO search_index (doc_key, workspace_id, source, ref_id, target_key, subject, model, at, quality,
      prompt, answer, comment, correction, note)
    VALUES ${sql.join(values)} ON CONFLICT (doc_key) DO NOTHING`.execute(db);
}

async function upPostgres(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS search_index (
    doc_key text PRIMARY KEY,
    workspace_id text NOT NULL,
    source text NOT NULL,
    ref_id text NOT NULL,
    target_key text,
    subject text,
    model text,
    at text NOT NULL,
    quality double precision,
    prompt text NOT NULL DEFAULT '',
    answer text NOT NULL DEFAULT '',
    comment text NOT NULL DEFAULT '',
    correction text NOT NULL DEFAULT '',
    note text NOT NULL DEFAULT '',
    tsv tsvector GENERATED ALWAYS AS (
      setweight(to_tsvector('english'::regconfig, prompt || ' ' || answer), 'B') ||
      setweight(to_tsvector('english'::regconfig, comment || ' ' || correction || ' ' || note), 'A')
    ) STORED
  )`.execute(db);
  await sql`CREATE INDEX IF NOT EXISTS search_index_tsv ON search_index USING gin (tsv)`.execute(db);
  // A target's live records (count and mean rating of a hit): one hit per target.
  await sql`CREATE INDEX IF NOT EXISTS search_index_ws_target ON search_index (workspace_id, target_key)`.execute(db);

  // One trigger function for the three tables: TG_ARGV[0] is the key's prefix; notes' ids are
  // global (no workspace in their key), feedback and event ids are unique per workspace.
  await sql`CREATE OR REPLACE FUNCTION search_index_forget() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_ARGV[0] = 'note' THEN
    DELETE FROM search_index WHERE doc_key = 'note:' || old.id;
  ELSE
    DELETE FROM search_index WHERE doc_key = TG_ARGV[0] || ':' || old.workspace_id || ':' || old.id;
  END IF;
  RETURN old;
END
$fn$`.execute(db);
  for (const [table, prefix] of [['feedback', 'feedback'], ['subject_notes', 'note'], ['trace_events', 'event']] as const) {
    await sql`DROP TRIGGER IF EXISTS search_index_forget ON ${sql.table(table)}`.execute(db);
    await sql`CREATE TRIGGER search_index_forget AFTER DELETE ON ${sql.table(table)}
      FOR EACH ROW EXECUTE FUNCTION search_index_forget(${sql.lit(prefix)})`.execute(db);
  }

  // Records: parsed in JS (a record may hold a lone surrogate, which jsonb refuses).
  let after = { ws: '', id: '' };
  for (;;) {
    const { rows } = await sql<{
      id: string; workspace_id: string; target_key: string | null; subject: string | null; model: string | null;
      created_at: string; thumb: string | null; stars: number | null; record: string;
    }>`SELECT id, workspace_id, target_key, subject, model, created_at, thumb, stars, record FROM feedback
      WHERE (workspace_id, id) > (${after.ws}, ${after.id}) AND deleted = 0 AND record IS NOT NULL
      ORDER BY workspace_id, id LIMIT ${BATCH}`.execute(db);
    if (!rows.length) break;
    const last = rows[rows.length - 1]!;
    after = { ws: last.workspace_id, id: last.id };
    await insertRows(db, rows.map((r) => ({
      doc_key: `feedback:${r.workspace_id}:${r.id}`, workspace_id: r.workspace_id, source: 'feedback', ref_id: r.id,
      target_key: r.target_key, subject: r.subject, model: r.model, at: r.created_at, quality: qualityOf(r.thumb, r.stars),
      ...recordTexts(r.record), note: '',
    })));
  }
  await sql`INSERT INTO search_index (doc_key, workspace_id, source, ref_id, subject, at, note)
    SELECT 'note:' || id, workspace_id, 'note', id, subject, created_at, body FROM subject_notes
    ON CONFLICT (doc_key) DO NOTHING`.execute(db);
  for await (const batch of eventBatches(db)) {
    await insertRows(db, batch.map((e) => ({
      doc_key: `event:${e.workspace_id}:${e.id}`, workspace_id: e.workspace_id, source: 'event', ref_id: e.id,
      target_key: null, subject: e.subject, model: null, at: e.at, quality: null, ...eventTexts(e.data), note: '',
    })));
  }
}
