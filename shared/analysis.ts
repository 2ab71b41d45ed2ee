/**
 * The fields of an AI error analysis (DAGnostics' ai_analysis, seed 000): what an item's
 * `prediction` carries and what a reviewer corrects in `correction.fields`. Described once here;
 * the review CLI, the dashboard's item page and the training exports derive from it.
 */
import { z } from 'zod';

/** Known error categories (seed 000's `error_category`); other values are kept as sent. */
export const ERROR_CATEGORIES = [
  'configuration_error',
  'resource_error',
  'dependency_failure',
  'timeout_error',
  'data_quality',
  'permission_error',
  'network_error',
  'code_error',
  'unknown',
] as const;

/** Known severities, least to most severe. */
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

/** The analysis fields in the order a reviewer goes through them. */
export const ANALYSIS_FIELDS = [
  { name: 'extractedError', label: 'Extracted error', type: 'text', known: undefined },
  { name: 'category', label: 'Category', type: 'choice', known: ERROR_CATEGORIES },
  { name: 'severity', label: 'Severity', type: 'choice', known: SEVERITIES },
  { name: 'confidence', label: 'Confidence (0–1)', type: 'number', known: undefined },
  { name: 'reasoning', label: 'Reasoning', type: 'text', known: undefined },
] as const;

export type AnalysisFieldName = (typeof ANALYSIS_FIELDS)[number]['name'];

/** A (corrected) analysis: every field optional; `correction.fields` of a review holds one. */
export const Analysis = z.object({
  extractedError: z.string().optional(),
  category: z.string().optional(),
  severity: z.string().optional(),
  confidence: z.number().min(0).max(1).optional(),
  reasoning: z.string().optional(),
});
export type Analysis = z.infer<typeof Analysis>;
