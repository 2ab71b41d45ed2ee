/**
 * Which embeddings endpoint semantic search uses (env EMBEDDINGS_URL, EMBEDDINGS_MODEL,
 * EMBEDDINGS_API_KEY; server/env.ts). Any OpenAI-compatible `/embeddings` will do: OpenAI's
 * (https://api.openai.com/v1) or Ollama's (http://localhost:11434/v1). The operator sets the URL,
 * so a local or private address is allowed here, unlike webhook receivers, which users register.
 * Without a URL and a model there is no semantic search, and search says so.
 */
import type { Env } from '../../env.ts';

export interface EmbeddingsConfig {
  /** The API's base, without `/embeddings` (e.g. http://localhost:11434/v1). */
  url: string;
  model: string;
  /** Sent as `Authorization: Bearer …`; never logged nor shown. */
  apiKey?: string;
  /** Per request (a batch of texts, or one query). */
  timeoutMs: number;
  /** Texts per request. */
  batchSize: number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_BATCH_SIZE = 64;

export function embeddingsConfigFrom(env: Pick<Env, 'EMBEDDINGS_URL' | 'EMBEDDINGS_MODEL' | 'EMBEDDINGS_API_KEY' | 'EMBEDDINGS_TIMEOUT_MS'>): EmbeddingsConfig | null {
  if (!env.EMBEDDINGS_URL || !env.EMBEDDINGS_MODEL) return null;
  return {
    url: env.EMBEDDINGS_URL.replace(/\/+$/, ''),
    model: env.EMBEDDINGS_MODEL,
    ...(env.EMBEDDINGS_API_KEY ? { apiKey: env.EMBEDDINGS_API_KEY } : {}),
    timeoutMs: env.EMBEDDINGS_TIMEOUT_MS,
    batchSize: DEFAULT_BATCH_SIZE,
  };
}
