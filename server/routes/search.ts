/** GET /v1/search?q=: one box over prompts, answers, comments, corrections and notes (analyst+). */
import { createRoute, z } from '@hono/zod-openapi';
import { ErrorBody } from '../../shared/schemas.ts';
import { createRouter } from '../lib/router.ts';
import { rejectUnknownQuery } from '../lib/unknown-query.ts';
import { requireRole } from '../middleware/require-role/index.ts';
import { searchWorkspace } from '../search/index.ts';

const json = <T>(schema: T) => ({ 'application/json': { schema } });

const SearchQuery = z.object({
  q: z.string().min(1, 'type something to search for').max(500, 'at most 500 characters'),
  subject: z.string().max(256).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

const SnippetPart = z.object({ text: z.string(), match: z.boolean() });
const SearchHit = z.object({
  source: z.enum(['feedback', 'note']),
  id: z.string(),
  subject: z.string().nullable(),
  model: z.string().nullable(),
  kind: z.string().optional(),
  at: z.string(),
  quality: z.number().nullable(),
  relevance: z.number(),
  score: z.number(),
  rating: z.object({ thumb: z.enum(['up', 'down']).optional(), stars: z.number().optional(), label: z.string().optional() }).optional(),
  snippet: z.array(SnippetPart),
});
export const SearchResponse = z.object({ query: z.string(), backend: z.enum(['sqlite-fts5', 'like']), hits: z.array(SearchHit) });

const search = createRoute({
  method: 'get',
  path: '/v1/search',
  summary: 'Search prompts, answers, comments, corrections and notes',
  description:
    'Every word must occur (words match as prefixes; "quoted words" as a phrase). Ranked by text relevance (bm25), ' +
    'boosted for recent and well-rated records. Snippets come as parts with the matching words flagged, never as HTML.',
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
  const result = await searchWorkspace(c.get('store').db, c.get('auth').workspaceId, q, { limit, subject });
  return c.json(result, 200);
});
