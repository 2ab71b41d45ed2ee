/**
 * SQLite fast path for the hottest writes: feedback upserts and event inserts of a sync batch, and
 * (through `prepare`) the work queue's rows and the search index (store/work-queue.ts,
 * search/sqlite-fts.ts, search/lexical-jobs.ts). Kysely compiles a multi-row statement and
 * better-sqlite3 prepares it on every call; with 500-row batches that cost more than the writes
 * themselves (see the sync benchmark in test/bench/sync.ts). Here the single-row statements are
 * prepared once per connection and run inside the transaction Kysely already opened on the same
 * connection: only there (the connection is Kysely's, and it runs one transaction at a time).
 * PostgreSQL, and a SQLite database opened by hand rather than by openStore, keep the
 * dialect-neutral Kysely path.
 */
import type Database from 'better-sqlite3';
import type { Kysely, Transaction } from 'kysely';
import type { DB, FeedbackEventsTable, FeedbackTable } from './schema.ts';
import { FEEDBACK_COLUMNS } from '../../shared/feedback-fields.ts';

/** Every column of `feedback` but id, in description order (shared/feedback-fields.ts): what UPDATE sets. */
const REST_COLUMNS = FEEDBACK_COLUMNS.filter((c) => c !== 'id');
const EVENT_COLUMNS = [
  'id', 'workspace_id', 'feedback_id', 'op', 'actor_rater_id', 'actor_token_id', 'client_id', 'at', 'before', 'after',
] as const satisfies readonly (keyof FeedbackEventsTable)[];

export interface FastWriter {
  /** Rows that are new go through a plain INSERT, known ones through UPDATE: an UPSERT costs twice an INSERT here. */
  writeFeedback(rows: FeedbackTable[], existing: (row: FeedbackTable) => boolean): void;
  insertEvents(rows: FeedbackEventsTable[]): void;
  /** A statement of this connection, prepared once (run it only inside a transaction of `db`). */
  prepare(sql: string): Database.Statement;
}

/**
 * Keyed by the query executor's adapter, which a Kysely instance shares with every instance derived
 * from it and every transaction it opens (as feedback-changes.ts keys the projections).
 */
const handles = new WeakMap<object, FastWriter>();

export function registerSqliteFastPath(db: Kysely<DB>, sqlite: Database.Database): void {
  // INSERT binds id, then the rest; UPDATE binds the rest, then the key (workspace and id: ids are
  // unique per workspace, migration 0100).
  const insert = sqlite.prepare(
    `insert into feedback (id, ${REST_COLUMNS.join(', ')}) values (?, ${REST_COLUMNS.map(() => '?').join(', ')})`,
  );
  const update = sqlite.prepare(
    `update feedback set ${REST_COLUMNS.map((c) => `${c} = ?`).join(', ')} where workspace_id = ? and id = ?`,
  );
  const event = sqlite.prepare(
    `insert into feedback_events (${EVENT_COLUMNS.join(', ')}) values (${EVENT_COLUMNS.map(() => '?').join(', ')})`,
  );
  const statements = new Map<string, Database.Statement>();
  // Positional parameters in the order of the column list above (named ones bind measurably slower).
  handles.set(db.getExecutor().adapter, {
    prepare: (text) => {
      let stmt = statements.get(text);
      if (!stmt) statements.set(text, (stmt = sqlite.prepare(text)));
      return stmt;
    },
    writeFeedback: (rows, existing) => {
      for (const r of rows) {
        const rest = REST_COLUMNS.map((c) => r[c]);
        if (existing(r)) update.run(...rest, r.workspace_id, r.id);
        else insert.run(r.id, ...rest);
      }
    },
    insertEvents: (rows) => {
      for (const e of rows) {
        event.run(e.id, e.workspace_id, e.feedback_id, e.op, e.actor_rater_id, e.actor_token_id, e.client_id, e.at, e.before, e.after);
      }
    },
  });
}

/** The fast writer for a store's Kysely instance or one of its transactions, if it is SQLite. */
export function sqliteFastPath(db: Kysely<any> | Transaction<any>): FastWriter | undefined {
  return handles.get(db.getExecutor().adapter);
}
