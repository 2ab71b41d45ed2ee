/**
 * Tables added by migration 0020-insights: the rollups that insights read instead of raw rows,
 * the export projection, and the log of export runs. Kept beside the code that owns them rather
 * than in store/schema.ts; `withInsightsTables` widens a core handle to see them.
 *
 * Dimension columns hold '' for "none" (not NULL): a NULL in a primary key column never
 * conflicts, so an upsert keyed on it would insert duplicates instead of adding to one row.
 * Migration 0130 keyed all three rollups by `criterion` too (never '': `overall` by default).
 */
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../store/schema.ts';
import type { RollupAgreementTable } from './agreement-rollup.ts';
import type { RollupDistinctTable } from './distinct.ts';

/** Counts per workspace, UTC day (of createdAt) and dimensions, over live records only. */
export interface RollupDailyTable {
  workspace_id: string;
  /** YYYY-MM-DD (UTC) of the record's createdAt. */
  day: string;
  model: string;
  intent: string;
  project: string;
  site: string;
  kind: string;
  /** What the ratings judge (migration 0130). */
  criterion: string;
  /** Live ratings. */
  n: number;
  up: number;
  down: number;
  stars_n: number;
  stars_sum: number;
  stars_1: number;
  stars_2: number;
  stars_3: number;
  stars_4: number;
  stars_5: number;
  /** Ratings whose target.context carried a numeric latency_ms, and its sum. */
  latency_n: number;
  latency_sum: number;
  tokens_n: number;
  tokens_sum: number;
}

/** Live ratings per day and rater / conversation, for exact distinct counts over a window. */
export interface RollupMembersTable {
  workspace_id: string;
  criterion: string;
  facet: 'rater' | 'conversation';
  day: string;
  value: string;
  n: number;
}

/** Live ratings per target and criterion (one per rater): the units of inter-rater agreement. */
export interface RollupTargetsTable {
  workspace_id: string;
  criterion: string;
  target_key: string;
  model: string;
  /** Live ratings = raters of this target. */
  n: number;
  up: number;
  down: number;
  stars_n: number;
  stars_1: number;
  stars_2: number;
  stars_3: number;
  stars_4: number;
  stars_5: number;
  /** disagreementOf the counts (migration 0240): the most disputed targets are read from an index. */
  disagreement: number;
}

/** One row per live record that can become a training example (it has a prompt and an answer). */
export interface FeedbackExamplesTable {
  feedback_id: string;
  workspace_id: string;
  created_at: string;
  /** Hash of the prompt with its earlier turns: examples of one prompt are read together. */
  prompt_hash: string;
  /** Hash of prompt + answer: identical examples sit next to each other and are merged. */
  example_hash: string;
}

export type ExportRunStatus = 'running' | 'complete' | 'failed' | 'aborted';

export interface ExportRunsTable {
  id: string;
  workspace_id: string;
  format: string;
  /** JSON of the resolved filters. */
  filters: string;
  split: number | null;
  /** 'cli' or 'http'. */
  via: string;
  /** Token id for HTTP runs; null from the CLI. */
  actor: string | null;
  status: ExportRunStatus;
  /** JSON counts (rows read, examples written, merged, …). */
  counts: string | null;
  /** JSON array of {split, name, rows, bytes, sha256}. */
  files: string | null;
  error: string | null;
  started_at: string;
  finished_at: string | null;
}

export interface InsightsDB extends DB {
  rollup_daily: RollupDailyTable;
  rollup_members: RollupMembersTable;
  rollup_targets: RollupTargetsTable;
  rollup_distinct: RollupDistinctTable;
  rollup_agreement: RollupAgreementTable;
  feedback_examples: FeedbackExamplesTable;
  export_runs: ExportRunsTable;
}

export function withInsightsTables(db: Kysely<DB>): Kysely<InsightsDB>;
export function withInsightsTables(db: Transaction<DB>): Transaction<InsightsDB>;
export function withInsightsTables(db: Kysely<DB> | Transaction<DB>) {
  return db as unknown as Kysely<InsightsDB>;
}
