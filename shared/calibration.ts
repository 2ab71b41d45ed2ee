/**
 * A judge held against people (issue 16, item 4; docs/api/insights-and-exports.md "Calibration"):
 * GET /v1/insights/calibration and its few-shot export GET /v1/insights/calibration/examples
 * take this query and the first answers with CalibrationResult. Described once: the route
 * (validation, OpenAPI), server/insights/calibration.ts and the dashboard's judges page derive from
 * these schemas.
 */
import { z } from 'zod';
import { FILTER_SHAPE, refuseConflicts } from './filters.ts';
import { Criterion, DEFAULT_CRITERION } from './schemas.ts';

export const CALIBRATION_LIMITS = {
  /** Below this many targets both rated, the figures carry a note: too few to trust. */
  tooFewBelow: 10,
  disagreementsDefaultLimit: 20,
  disagreementsMaxLimit: 100,
  /** Characters of prompt and output shown per disagreement (the few-shot export has them whole). */
  excerptChars: 300,
} as const;

/** What the values compared are: a thumb, a star count, or a label. */
export const CALIBRATION_SCALES = ['thumb', 'stars', 'label'] as const;
export const CalibrationScale = z.enum(CALIBRATION_SCALES);
export type CalibrationScale = z.infer<typeof CalibrationScale>;

/** The shared filters that narrow which targets count (a window, what was rated); not who rated. */
export const CALIBRATION_FILTERS = ['since', 'until', 'model', 'intent', 'project', 'site', 'kind', 'subject', 'conversationId'] as const;
const filterShape = Object.fromEntries(CALIBRATION_FILTERS.map((k) => [k, FILTER_SHAPE[k]])) as { [K in (typeof CALIBRATION_FILTERS)[number]]: (typeof FILTER_SHAPE)[K] };

const blankIsAbsent = (v: unknown) => (v === '' ? undefined : v);

export const CalibrationQueryShape = {
  judge: z.string().min(1, 'required: the judge (source.name of its ratings)').max(256).describe('The judge: `source.name` of its ratings'),
  criterion: z.preprocess(blankIsAbsent, Criterion.optional()).describe(`What the ratings judge; default \`${DEFAULT_CRITERION}\``),
  scale: z
    .preprocess(blankIsAbsent, CalibrationScale.optional())
    .describe('Compare thumbs, stars or labels; default: the one most of the judge\'s ratings carry (thumb, then stars, then label on a tie)'),
  ...filterShape,
};

/** GET /v1/insights/calibration's query (the examples export takes the same, without paging). */
export const CalibrationQuery = z
  .object({
    ...CalibrationQueryShape,
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(CALIBRATION_LIMITS.disagreementsMaxLimit)
      .default(CALIBRATION_LIMITS.disagreementsDefaultLimit)
      .describe('Disagreements to list'),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0).describe('Skip this many disagreements'),
  })
  .superRefine(refuseConflicts);
export type CalibrationQuery = z.infer<typeof CalibrationQuery>;

export const CalibrationExamplesQuery = z.object(CalibrationQueryShape).superRefine(refuseConflicts);
export type CalibrationExamplesQuery = z.infer<typeof CalibrationExamplesQuery>;

export const Disagreement = z.object({
  targetKey: z.string(),
  model: z.string().nullable(),
  /** The first CALIBRATION_LIMITS.excerptChars characters (… when cut). */
  prompt: z.string().nullable(),
  output: z.string().nullable(),
  /** The people's value: the majority of their live ratings. */
  human: z.string(),
  /** Every person's vote on this target by value (the majority is `human`). */
  humanVotes: z.record(z.string(), z.number().int()),
  judge: z.string(),
  judgeComment: z.string().nullable(),
  humanComments: z.array(z.string()),
});
export type Disagreement = z.infer<typeof Disagreement>;

export const CalibrationResult = z.object({
  judge: z.string(),
  criterion: z.string(),
  scale: CalibrationScale,
  /** Targets the judge rated on this scale (within the filters). */
  judged: z.number().int(),
  /** Of those, targets people rated too but with no majority (a tie): left out of the figures. */
  tied: z.number().int(),
  /** Targets both rated (with a human majority): the units of the figures. */
  n: z.number().int(),
  percentAgreement: z.number().nullable(),
  /** Cohen's kappa; null with no units, or when both sides used one and the same value only. */
  kappa: z.number().nullable(),
  /** The values seen, in matrix order. */
  categories: z.array(z.string()),
  /** Rows: the people's value; columns: the judge's (categories order). */
  matrix: z.array(z.array(z.number().int())),
  /** Set when the figures cannot be trusted: too few targets both rated, or none. */
  note: z.string().nullable(),
  disagreements: z.object({
    total: z.number().int(),
    offset: z.number().int(),
    limit: z.number().int(),
    items: z.array(Disagreement),
  }),
});
export type CalibrationResult = z.infer<typeof CalibrationResult>;

/** One line of the few-shot export: a target the judge got wrong, with the people's answer. */
export const FewShotExample = z.object({
  input: z.object({ prompt: z.string().nullable(), output: z.string().nullable() }),
  human: z.string(),
  judge: z.string(),
  criterion: z.string(),
  humanComments: z.array(z.string()).optional(),
});
export type FewShotExample = z.infer<typeof FewShotExample>;
