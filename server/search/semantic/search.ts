/**
 * The semantic half of a search: embeds the query (one attempt, the request's own timeout: a
 * person is waiting, and lexical results are ready anyway) and finds the workspace's nearest live
 * records of the configured model. Neighbours below MIN_SIMILARITY are dropped — a nearest-vector
 * search always returns something, and a list of unrelated records is worse than none.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../store/schema.ts';
import { embedTexts, EmbeddingsUnavailable, type EmbedOptions } from './client.ts';
import type { EmbeddingsConfig } from './config.ts';
import { vectorStoreFor, type Neighbour } from './vectors.ts';

/** Neighbours considered before fusion. */
export const SEMANTIC_CANDIDATES = 100;
/** Cosine below this is noise for common embedding models (ADR 0041). */
export const MIN_SIMILARITY = 0.3;

export type SemanticOutcome = { ok: true; neighbours: Neighbour[] } | { ok: false; warning: string };

export const NOT_CONFIGURED = 'semantic search is not configured (EMBEDDINGS_URL, EMBEDDINGS_MODEL): lexical results only';

export async function semanticNeighbours(
  db: Kysely<DB>,
  config: EmbeddingsConfig | null,
  workspaceId: string,
  q: string,
  opts: { subject?: string; fetch?: EmbedOptions['fetch'] } = {},
): Promise<SemanticOutcome> {
  if (!config) return { ok: false, warning: NOT_CONFIGURED };
  const text = q.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  if (!text) return { ok: true, neighbours: [] };
  let vector: number[];
  try {
    [vector] = (await embedTexts({ ...config, batchSize: 1 }, [text], { attempts: 1, fetch: opts.fetch })) as [number[]];
  } catch (err) {
    if (!(err instanceof EmbeddingsUnavailable)) throw err;
    return { ok: false, warning: `${err.message}: lexical results only` };
  }
  const found = await vectorStoreFor(db).nearest(db, workspaceId, vector, { model: config.model, limit: SEMANTIC_CANDIDATES, subject: opts.subject });
  return { ok: true, neighbours: found.filter((n) => n.similarity >= MIN_SIMILARITY) };
}
