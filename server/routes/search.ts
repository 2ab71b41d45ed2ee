/** GET /v1/search?q=: one box over prompts, answers, comments, corrections and notes (analyst+). */
import { createRoute, z } from '@hono/zod-openapi';
import { ErrorBody } from '../../shared/schemas.ts';
import { createRouter } from '../lib/router.ts';
import { rejectUnknownQuery } from '../lib/unknown-query.ts';
import { requireRole } from '../middleware/require-role/index.ts';
import { LEXICAL_BACKENDS, SEARCH_SOURCES, searchWorkspace } from '../search/index.ts';

const json = <T>(schema: T) => ({ 'application/json': { schema } });

const SearchQuery = z.object({
  q: z.string().min(1, 'type something to search for').max(500, 'at most 500 characters'),
  subject: z.string().max(256).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

const SnippetPart = z.object({ text: z.string(), match: z.boolean() });
const SearchHit = z.object({
  source: z.enum(SEARCH_SOURCES),
  id: z.string(),
  targetKey: z.string().nullable().describe('feedback: the rated target; the hit stands for every live record on it'),
  ratings: z.number().int().describe('feedback: how many live records on the target matched (raters, criteria); 1 otherwise'),
  subject: z.string().nullable(),
  model: z.string().nullable(),
  kind: z.string().optional(),
  at: z.string(),
  quality: z.number().nullable(),
  relevance: z.number().describe('Lexical mode: text relevance (bm25 / ts_rank_cd). Hybrid mode: the reciprocal-rank-fusion value of both lists.'),
  score: z.number().describe('Relevance boosted for recent and well-rated records: the order of the list.'),
  matchedBy: z.array(z.enum(['lexical', 'semantic'])).describe('Which halves found it: words, meaning, or both.'),
  similarity: z.number().optional().describe('Cosine similarity of the best record to the query (semantic matches).'),
  rating: z.object({ thumb: z.enum(['up', 'down']).optional(), stars: z.number().optional(), label: z.string().optional() }).optional(),
  snippet: z.array(SnippetPart),
});
export const SearchResponse = z.object({
  query: z.string(),
  mode: z.enum(['hybrid', 'lexical']).describe('hybrid: words and meaning fused; lexical: words only (`warnings` says why).'),
  backend: z.enum(LEXICAL_BACKENDS),
  warnings: z.array(z.string()).describe('Why the search was not hybrid, e.g. "semantic search is not configured …".'),
  hits: z.array(SearchHit),
});

const search = createRoute({
  method: 'get',
  path: '/v1/search',
  summary: 'Search prompts, answers, comments, corrections and notes',
  description:
    'Every word must occur (words match as prefixes; "quoted words" as a phrase). With an embeddings endpoint configured ' +
    '(EMBEDDINGS_URL, EMBEDDINGS_MODEL) records are also found by meaning, and both lists are fused by reciprocal rank ' +
    '(`mode: "hybrid"`); otherwise, or when the endpoint does not answer, `mode` is "lexical" and `warnings` says why. ' +
    'Ranked by relevance, boosted for recent and well-rated records. Snippets come as parts with the matching words flagged, never as HTML.',
  security: [{ bearer: [] }],
  middleware: [requireRole('analyst'), rejectUnknownQuery(Object.keys(SearchQuery.shape))] as const,
  request: { query: SearchQuery },
  responses: {
    200: { description: 'Hits, best first', content: json(SearchResponse) },
    400: { description: 'Unknown query parameter', content: json(ErrorBody) },
    401: { description: 'No or bad token', content: json(ErrorBody) },
    403: { description: 'Not an analyst or admin token', content: json(ErrorBody) },
    422: { description: 'No query', content: json(ErrorBody) },
  },
});

export const searchRoutes = createRouter().openapi(search, async (c) => {
  const { q, subject, limit } = c.req.valid('query');
  const result = await searchWorkspace(c.get('store').db, c.get('auth').workspaceId, q, { limit, subject, embeddings: c.get('embeddings') });
  return c.json(result, 200);
});
