/**
 * Adjudicated ratings as gold (issue 16, item 3; docs/api/insights-and-exports.md "Gold labels"):
 * `gold=adjudicated` with `queue=<id>` on a jsonl export. For each (target, criterion) an analyst
 * adjudicated in that queue, the export's records of that target and criterion in the queue (the
 * individual reviews) are replaced by ONE gold line, written where the first of them would have
 * been: the first review's record with the adjudicated rating, the adjudicator as `raterId`, the
 * adjudication's time as `createdAt`/`updatedAt`, the reviewer's own comment, tags and correction
 * left out, and `adjudicated: {by, reason, at, queueId, reviews}` (`reviews`: how many it replaced).
 * An adjudication none of whose reviews the export reads writes no line. The counts (and so the
 * manifest and the export run) say it: `made.gold` lines, `leftOut.replaced_by_gold` reviews, and
 * `gold: {source, queueId, adjudications, lines, replacedReviews}`.
 */
import type { Kysely } from 'kysely';
import type { DB, FeedbackTable } from '../store/schema.ts';
import { withQueueTables } from '../store/queue-tables.ts';
import { adjudicationFromRow } from '../queues/adjudications.ts';
import type { Adjudication } from '../../shared/queue-agreement.ts';

export const GOLD_SOURCES = ['adjudicated'] as const;
export type GoldSource = (typeof GOLD_SOURCES)[number];

/** What the manifest says about the gold lines. */
export interface GoldSummary {
  source: GoldSource;
  queueId: string;
  /** Adjudications of the queue (each can give at most one line). */
  adjudications: number;
  /** Gold lines written. */
  lines: number;
  /** Records (reviews) the gold lines stand for, none of them written. */
  replacedReviews: number;
}

const keyOf = (targetKey: string, criterion: string) => `${criterion}\u0000${targetKey}`;

/** Replaces the reviews of adjudicated (target, criterion) pairs of one queue as the records stream by. */
export class GoldReplacer {
  private readonly written = new Set<string>();

  private constructor(
    private readonly byKey: Map<string, Adjudication>,
    private readonly reviews: Map<string, number>,
    readonly summary: GoldSummary,
  ) {}

  /**
   * `reviewCounts`: the export's records per (target, criterion) of the queue, so each gold line can
   * say how many reviews it stands for.
   */
  static async load(db: Kysely<DB>, workspaceId: string, queueId: string, reviewCounts: { target_key: string; criterion: string; n: number | string | bigint }[]): Promise<GoldReplacer> {
    const rows = await withQueueTables(db).selectFrom('queue_adjudications').selectAll().where('workspace_id', '=', workspaceId).where('queue_id', '=', queueId).execute();
    const byKey = new Map(rows.map((r) => [keyOf(r.target_key, r.criterion), adjudicationFromRow(r)]));
    const reviews = new Map(reviewCounts.map((r) => [keyOf(r.target_key, r.criterion), Number(r.n)]));
    return new GoldReplacer(byKey, reviews, { source: 'adjudicated', queueId, adjudications: rows.length, lines: 0, replacedReviews: 0 });
  }

  /** `keep`: not adjudicated; `drop`: a review a gold line already stands for; else the gold row to write instead. */
  take(row: FeedbackTable): 'keep' | 'drop' | FeedbackTable {
    if (row.queue_id !== this.summary.queueId) return 'keep';
    const key = keyOf(row.target_key, row.criterion);
    const adjudication = this.byKey.get(key);
    if (!adjudication) return 'keep';
    this.summary.replacedReviews++;
    if (this.written.has(key)) return 'drop';
    this.written.add(key);
    this.summary.lines++;
    return goldRow(row, adjudication, this.reviews.get(key) ?? 1);
  }
}

function goldRow(row: FeedbackTable, a: Adjudication, reviews: number): FeedbackTable {
  const { comment: _comment, tags: _tags, correction: _correction, ...record } = JSON.parse(row.record ?? '{}') as Record<string, unknown>;
  const id = `gold:${a.queueId}:${a.criterion}:${a.targetKey}`;
  const gold = {
    ...record,
    id,
    rating: a.rating,
    createdAt: a.at,
    updatedAt: a.at,
    adjudicated: { by: a.by, reason: a.reason, at: a.at, queueId: a.queueId, reviews },
  };
  return { ...row, id, rater_id: a.by, client_id: null, source_type: 'human', source_channel: 'api', source_name: '', record: JSON.stringify(gold) };
}
