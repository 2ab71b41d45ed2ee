/**
 * A local OpenAI-compatible embeddings endpoint (node:http on 127.0.0.1) whose vectors the tests
 * control: each word maps to a concept, a text's vector is the sum of its words' concepts, and a
 * word of no concept adds a little of a dimension picked by its letters. So "missing values after
 * the app update" and "NULL spike from the mobile release" share no word and land close, while
 * "duplicate orders from retry logic" lands elsewhere. It records every request (to check batching
 * and the key) and can answer 503 or stop answering.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EmbeddingsConfig } from '../../server/search/semantic/config.ts';

export const CONCEPTS: Record<string, string[]> = {
  absence: ['missing', 'null', 'nulls', 'empty', 'blank', 'absent', 'gaps'],
  app: ['app', 'mobile', 'ios', 'android', 'phone', 'client'],
  release: ['release', 'rollout', 'deploy', 'update', 'version', 'upgrade'],
  duplicate: ['duplicate', 'duplicated', 'twice', 'repeated', 'doubled'],
  orders: ['orders', 'order', 'purchases', 'purchase', 'checkout'],
  region: ['eu', 'europe', 'cdn', 'region', 'regional'],
  slowness: ['timeout', 'slow', 'latency', 'sluggish'],
};
const NAMES = Object.keys(CONCEPTS);
const NOISE_DIMS = 8;
export const DIMS = NAMES.length + NOISE_DIMS;

export function fakeVector(text: string): number[] {
  const v: number[] = Array.from({ length: DIMS }, () => 0);
  for (const word of text.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean)) {
    const c = NAMES.findIndex((n) => CONCEPTS[n]!.includes(word));
    if (c >= 0) v[c]! += 1;
    else v[NAMES.length + ([...word].reduce((a, ch) => a + ch.charCodeAt(0), 0) % NOISE_DIMS)]! += 0.15;
  }
  if (!v.some(Boolean)) v[DIMS - 1] = 1;
  return v;
}

export interface FakeEmbeddings {
  url: string;
  requests: { authorization: string | undefined; model: string; input: string[] }[];
  /** 'ok' answers, 'error' answers 503, 'hang' never answers. */
  mode: 'ok' | 'error' | 'hang';
  /** Answer this many requests with 503 first, then `mode`. */
  failNext: number;
  config(overrides?: Partial<EmbeddingsConfig>): EmbeddingsConfig;
  close(): Promise<void>;
}

export async function startFakeEmbeddings(): Promise<FakeEmbeddings> {
  const requests: FakeEmbeddings['requests'] = [];
  const hanging = new Set<http.ServerResponse>();
  const state: { mode: FakeEmbeddings['mode']; failNext: number } = { mode: 'ok', failNext: 0 };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/embeddings') return res.writeHead(404).end();
      const parsed = JSON.parse(body) as { model: string; input: string[] };
      requests.push({ authorization: req.headers.authorization, model: parsed.model, input: parsed.input });
      if (state.failNext > 0 && state.failNext--) return res.writeHead(503, { 'Retry-After': '0' }).end('{"error":"overloaded"}');
      if (state.mode === 'error') return res.writeHead(503, { 'Retry-After': '0' }).end('{"error":"overloaded"}');
      if (state.mode === 'hang') return void hanging.add(res);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', model: parsed.model, data: parsed.input.map((t, index) => ({ object: 'embedding', index, embedding: fakeVector(t) })) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return {
    url,
    requests,
    get mode() {
      return state.mode;
    },
    set mode(m) {
      state.mode = m;
    },
    get failNext() {
      return state.failNext;
    },
    set failNext(n) {
      state.failNext = n;
    },
    config: (overrides = {}) => ({ url, model: 'fake-concepts', timeoutMs: 2_000, batchSize: 64, ...overrides }),
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A URL on which nothing listens (a port that was free a moment ago). */
export async function deadEndpoint(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1`;
}
