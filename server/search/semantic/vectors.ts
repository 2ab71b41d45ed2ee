/**
 * Where the embeddings of feedback records live (search_vectors, migration 0190): one interface,
 * two implementations.
 * - SQLite: float32 blobs, ranked by sqlite-vec's `vec_distance_cosine` (loaded into every SQLite
 *   connection by store/open.ts). An exact scan of the workspace's vectors, like PostgreSQL's.
 * - PostgreSQL: `real[]`, ranked by an exact cosine in SQL (vectors are stored with length 1, so
 *   cosine is the dot product). pgvector is not installable here; a pgvector implementation of
 *   this interface (a `vector` column, `<=>`, an HNSW index) is the seam for large stores.
 * Only vectors of the configured model and of the query's dimension are compared, so a model
 * change never mixes spaces (the worker re-embeds, see jobs/indexer.ts).
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import { chunks } from '../../lib/chunks.ts';
import { isPostgres } from '../../store/postgres.ts';
import type { DB } from '../../store/schema.ts';

export interface SearchVectorsTable {
  workspace_id: string;
  feedback_id: string;
  model: string;
  dims: number;
  vector: Buffer | number[];
  text_hash: string;
  embedded_at: string;
}

type VecDB = DB & { search_vectors: SearchVectorsTable };
export const withVectors = (db: Kysely<DB> | Transaction<DB>) => (db as Kysely<DB>).withTables<{ search_vectors: SearchVectorsTable }>() as unknown as Kysely<VecDB>;

export interface VectorRow {
  workspaceId: string;
  feedbackId: string;
  model: string;
  vector: number[];
  textHash: string;
  embeddedAt: string;
}

export interface NearestOptions {
  model: string;
  limit: number;
  subject?: string;
}

export interface Neighbour {
  feedbackId: string;
  /** Cosine similarity, -1..1. */
  similarity: number;
}

export interface VectorStore {
  readonly name: 'sqlite-vec' | 'postgres-exact';
  upsert(db: Kysely<DB> | Transaction<DB>, rows: VectorRow[]): Promise<void>;
  remove(db: Kysely<DB> | Transaction<DB>, workspaceId: string, feedbackIds: string[]): Promise<void>;
  /** The live feedback records of one workspace nearest to `query`, best first. */
  nearest(db: Kysely<DB>, workspaceId: string, query: number[], opts: NearestOptions): Promise<Neighbour[]>;
}

function encode(db: Kysely<DB> | Transaction<DB>, v: number[]) {
  return isPostgres(db as Kysely<DB>) ? v : Buffer.from(new Float32Array(v).buffer);
}

async function upsert(db: Kysely<DB> | Transaction<DB>, rows: VectorRow[]) {
  const vdb = withVectors(db);
  for (const part of chunks(rows, 50)) {
    await vdb
      .insertInto('search_vectors')
      .values(
        part.map((r) => ({
          workspace_id: r.workspaceId, feedback_id: r.feedbackId, model: r.model, dims: r.vector.length,
          vector: encode(db, r.vector), text_hash: r.textHash, embedded_at: r.embeddedAt,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['workspace_id', 'feedback_id']).doUpdateSet((eb) => ({
          model: eb.ref('excluded.model'),
          dims: eb.ref('excluded.dims'),
          vector: eb.ref('excluded.vector'),
          text_hash: eb.ref('excluded.text_hash'),
          embedded_at: eb.ref('excluded.embedded_at'),
        })),
      )
      .execute();
  }
}

async function remove(db: Kysely<DB> | Transaction<DB>, workspaceId: string, feedbackIds: string[]) {
  const vdb = withVectors(db);
  for (const part of chunks(feedbackIds, 500)) {
    await vdb.deleteFrom('search_vectors').where('workspace_id', '=', workspaceId).where('feedback_id', 'in', part).execute();
  }
}

function nearestQuery(db: Kysely<DB>, workspaceId: string, opts: NearestOptions, dims: number, similarity: ReturnType<typeof sql<number>>) {
  let q = withVectors(db)
    .selectFrom('search_vectors as v')
    .innerJoin('feedback as f', (j) => j.onRef('f.workspace_id', '=', 'v.workspace_id').onRef('f.id', '=', 'v.feedback_id'))
    .select(['v.feedback_id', similarity.as('similarity')])
    .where('v.workspace_id', '=', workspaceId)
    .where('v.model', '=', opts.model)
    .where('v.dims', '=', dims)
    .where('f.deleted', '=', 0)
    .where('f.record', 'is not', null);
  if (opts.subject !== undefined) q = q.where('f.subject', '=', opts.subject);
  return q.orderBy('similarity', 'desc').limit(opts.limit);
}

export const sqliteVectors: VectorStore = {
  name: 'sqlite-vec',
  upsert,
  remove,
  async nearest(db, workspaceId, query, opts) {
    const blob = Buffer.from(new Float32Array(query).buffer);
    const rows = await nearestQuery(db, workspaceId, opts, query.length, sql<number>`1 - vec_distance_cosine(v.vector, ${blob})`).execute();
    return rows.map((r) => ({ feedbackId: r.feedback_id, similarity: Number(r.similarity) }));
  },
};

export const postgresVectors: VectorStore = {
  name: 'postgres-exact',
  upsert,
  remove,
  async nearest(db, workspaceId, query, opts) {
    // Both sides have length 1: the dot product is the cosine.
    const similarity = sql<number>`(select sum(a * b) from unnest(v.vector, ${query}::real[]) as t(a, b))`;
    const rows = await nearestQuery(db, workspaceId, opts, query.length, similarity).execute();
    return rows.map((r) => ({ feedbackId: r.feedback_id, similarity: Number(r.similarity) }));
  },
};

export function vectorStoreFor(db: Kysely<DB> | Transaction<DB>): VectorStore {
  return isPostgres(db as Kysely<DB>) ? postgresVectors : sqliteVectors;
}
