/**
 * A judge against people (issue 16, item 4; docs/api/insights-and-exports.md "Calibration"),
 * analyst or admin tokens, in the token's workspace:
 * - GET /v1/insights/calibration?judge=&criterion=&scale=&model=…: Cohen's kappa, percent
 *   agreement, the confusion matrix (rows people, columns the judge) and a page of disagreements.
 * - GET /v1/insights/calibration/examples?judge=…: every disagreement as a JSON line
 *   {input: {prompt, output}, human, judge, criterion, humanComments?}, few-shot examples for the
 *   judge's prompt. Its own route rather than an export format: a line is a target both rated,
 *   joined from two sources, not one record or one prompt group as the export formats stream.
 * The rules (majority, ties, scale) are server/insights/calibration.ts.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { CalibrationExamplesQuery, CalibrationQuery, CalibrationResult } from '../../shared/calibration.ts';
import { ErrorBody } from '../../shared/schemas.ts';
import { calibration, examplesFileName, fewShotExamples, safeJsonLine } from '../insights/calibration.ts';
import { createRouter } from '../lib/router.ts';
import { rejectUnknownQuery } from '../lib/unknown-query.ts';
import { requireRole } from '../middleware/require-role/index.ts';

const json = <T>(schema: T) => ({ 'application/json': { schema } });
const TAGS = ['Insights'];
const errors = {
  400: { description: 'Unknown query parameter (named)', content: json(ErrorBody) },
  401: { description: 'No or bad token', content: json(ErrorBody) },
  403: { description: 'Needs the analyst role', content: json(ErrorBody) },
  422: { description: 'Invalid or missing parameter (named)', content: json(ErrorBody) },
} as const;

const figures = createRoute({
  method: 'get',
  path: '/v1/insights/calibration',
  summary: "A judge against people: Cohen's kappa, percent agreement, the confusion matrix and the targets they disagree on",
  description:
    'On the targets both the judge (`source.name`) and people rated on one criterion (`overall` by default): a target\'s human ' +
    'value is the majority of its live human ratings (a tie leaves the target out, counted in `tied`), the judge\'s is its live ' +
    'rating. Rows of the matrix are the people\'s value, columns the judge\'s. `note` says when there are too few targets to trust ' +
    'the figures. Disagreements are paged by limit/offset, worst first (on stars: the widest gap).',
  tags: TAGS,
  security: [{ bearer: [] }],
  middleware: [requireRole('analyst'), rejectUnknownQuery(Object.keys(CalibrationQuery.shape))] as const,
  request: { query: CalibrationQuery },
  responses: { 200: { description: 'The figures', content: json(CalibrationResult) }, ...errors },
});

const examples = createRoute({
  method: 'get',
  path: '/v1/insights/calibration/examples',
  summary: "The judge's disagreements with people as JSON lines, few-shot examples for the judge's prompt",
  description:
    'One line per target the judge and people disagree on (same query and rules as /v1/insights/calibration, every disagreement, ' +
    'whole texts): `{input: {prompt, output}, human, judge, criterion, humanComments?}`. Text is JSON-escaped, U+2028/U+2029/U+0085 ' +
    'included, so a line is always one line.',
  tags: TAGS,
  security: [{ bearer: [] }],
  middleware: [requireRole('analyst'), rejectUnknownQuery(Object.keys(CalibrationExamplesQuery.shape))] as const,
  request: { query: CalibrationExamplesQuery },
  responses: {
    200: { description: 'JSON lines', content: { 'application/x-ndjson': { schema: z.string() } } },
    ...errors,
  },
});

export const calibrationRoutes = createRouter()
  .openapi(figures, async (c) => {
    const q = c.req.valid('query');
    return c.json(await calibration(c.get('store').db, c.get('auth').workspaceId, q), 200);
  })
  .openapi(examples, async (c) => {
    const q = c.req.valid('query');
    const lines = (await fewShotExamples(c.get('store').db, c.get('auth').workspaceId, q)).map(safeJsonLine).join('');
    return c.body(lines, 200, {
      'Content-Type': 'application/x-ndjson; charset=utf-8',
      'Content-Disposition': `attachment; filename="${examplesFileName(q.judge)}"`,
      'Cache-Control': 'no-store',
    }) as never; // a text body: the typed client reads JSON answers only (as routes/exports.ts's download)
  });
