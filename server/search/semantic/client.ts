/**
 * Calls an OpenAI-compatible embeddings endpoint: POST `${url}/embeddings` with
 * `{model, input: [...]}`, answered by `{data: [{index, embedding}]}` (OpenAI's API, and Ollama's
 * OpenAI-compatible /v1). Texts go in batches of `batchSize`; each request has a timeout; 429, 5xx
 * and network errors are retried with shared/backoff.ts (honouring Retry-After). Errors carry fixed
 * texts only: never the key, never the endpoint's body (it may echo what was sent).
 */
import { z } from 'zod';
import { backoffDelay, parseRetryAfter } from '../../../shared/backoff.ts';
import type { EmbeddingsConfig } from './config.ts';

const Answer = z.object({
  data: z.array(z.object({ index: z.number().int().min(0).optional(), embedding: z.array(z.number()).min(1) })),
});

/** The endpoint did not give vectors: down, timed out, refused, or answered something else. */
export class EmbeddingsUnavailable extends Error {
  override name = 'EmbeddingsUnavailable';
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    readonly retryable = true,
  ) {
    super(message);
  }
}

export interface EmbedOptions {
  /** Attempts per batch (1 = no retry). */
  attempts?: number;
  /** First retry delay (backoff.ts doubles it per attempt). */
  retryBaseMs?: number;
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

/** Scales to length 1, so cosine similarity is a dot product (and PostgreSQL's query stays simple). */
export function normalise(v: number[]): number[] {
  const norm = Math.hypot(...v);
  return norm > 0 ? v.map((x) => x / norm) : v;
}

async function requestOnce(config: EmbeddingsConfig, input: string[], options: EmbedOptions): Promise<number[][]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('timed out', 'TimeoutError')), config.timeoutMs);
  const onAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let res: Response;
  try {
    res = await (options.fetch ?? fetch)(`${config.url}/embeddings`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...(config.apiKey ? { Authorization: `Bearer ${config.apiKey}` } : {}),
      },
      body: JSON.stringify({ model: config.model, input }),
      signal: controller.signal,
      redirect: 'error',
    });
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      const retryable = res.status === 429 || res.status >= 500;
      throw new EmbeddingsUnavailable(`the embeddings endpoint answered HTTP ${res.status}`, parseRetryAfter(res.headers.get('retry-after')), retryable);
    }
    const parsed = Answer.safeParse(await res.json().catch(() => undefined));
    if (!parsed.success || parsed.data.data.length !== input.length) {
      throw new EmbeddingsUnavailable('the embeddings endpoint answered without one vector per text', undefined, false);
    }
    const rows = parsed.data.data.map((d, i) => ({ index: d.index ?? i, embedding: d.embedding }));
    rows.sort((a, b) => a.index - b.index);
    const dims = rows[0]!.embedding.length;
    if (rows.some((r) => r.embedding.length !== dims)) throw new EmbeddingsUnavailable('the embeddings endpoint answered vectors of different lengths', undefined, false);
    return rows.map((r) => normalise(r.embedding));
  } catch (err) {
    if (err instanceof EmbeddingsUnavailable) throw err;
    if (options.signal?.aborted) throw new EmbeddingsUnavailable('stopped', undefined, false);
    const timedOut = (err as Error).name === 'TimeoutError' || controller.signal.reason?.name === 'TimeoutError';
    throw new EmbeddingsUnavailable(timedOut ? `the embeddings endpoint did not answer within ${config.timeoutMs} ms` : 'the embeddings endpoint did not answer');
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
}

/** One vector (length 1) per text, in order. Throws EmbeddingsUnavailable. */
export async function embedTexts(config: EmbeddingsConfig, texts: string[], options: EmbedOptions = {}): Promise<number[][]> {
  const attempts = options.attempts ?? 3;
  const out: number[][] = [];
  for (let i = 0; i < texts.length; i += config.batchSize) {
    const batch = texts.slice(i, i + config.batchSize);
    for (let attempt = 1; ; attempt++) {
      try {
        out.push(...(await requestOnce(config, batch, options)));
        break;
      } catch (err) {
        const e = err as EmbeddingsUnavailable;
        if (!e.retryable || attempt >= attempts || options.signal?.aborted) throw e;
        await wait(backoffDelay(attempt, e.retryAfterMs, { baseMs: options.retryBaseMs ?? 500, maxMs: 10_000 }), options.signal);
      }
    }
  }
  return out;
}
