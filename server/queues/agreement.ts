/**
 * Agreement in a review queue (issue 16, item 3; docs/api/queues.md "Agreement and adjudication").
 * Per criterion of the queue:
 * - the rating the figures use: the part of the rating (thumb, stars or label) most of the
 *   criterion's reviews carry, ties going to stars, then thumb, then label; reviews without it do
 *   not count. Stars are ordinal, thumbs and labels nominal (Krippendorff's metric).
 * - Krippendorff's α over the items with at least two such reviews, percent agreement (agreeing
 *   pairs of reviews within an item over all pairs), and Cohen's κ for every pair of reviewers on
 *   the items both rated; each with the number of items behind it and a `note` under
 *   AGREEMENT_LIMITS.minItems (10) items.
 * - the disputed items, worst first: the share of disagreeing pairs of reviews within the item,
 *   ties broken by more reviews, then queue order; with each review's rating and the adjudication.
 *
 * A review is a live human feedback row whose `queue_id` is the queue, whose target is one of the
 * queue's items and whose criterion is one of its criteria (one per reviewer, target and criterion:
 * the live-vote index). Read once, through the feedback_ws_queue index; computed exactly in memory.
 */
import type { Kysely } from 'kysely';
import { AGREEMENT_LIMITS, METRIC_OF, type Adjudication, type CriterionAgreement, type QueueAgreement, type RatingKind } from '../../shared/queue-agreement.ts';
import { cohensKappa } from '../insights/kappa.ts';
import { krippendorffAlpha } from '../insights/krippendorff.ts';
import type { DB } from '../store/schema.ts';
import { withQueueTables } from '../store/queue-tables.ts';
import { listAdjudications } from './adjudications.ts';

export interface QueueRef {
  id: string;
  workspaceId: string;
  criteria: string[];
}

/** The queue in this workspace, or null (another workspace's queue is not found either). */
export async function findQueue(db: Kysely<DB>, workspaceId: string, queueId: string): Promise<QueueRef | null> {
  const row = await withQueueTables(db)
    .selectFrom('queues')
    .select(['id', 'workspace_id', 'criteria'])
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', queueId)
    .executeTakeFirst();
  if (!row) return null;
  return { id: row.id, workspaceId: row.workspace_id, criteria: criteriaOf(row.criteria) };
}

/** The queue's JSON list of criteria: names, or objects with a `name`. */
function criteriaOf(json: string): string[] {
  let list: unknown;
  try {
    list = JSON.parse(json);
  } catch {
    return [];
  }
  if (!Array.isArray(list)) return [];
  const names = list.map((c) => (typeof c === 'string' ? c : c && typeof c === 'object' && typeof (c as { name?: unknown }).name === 'string' ? (c as { name: string }).name : null));
  return [...new Set(names.filter((n): n is string => !!n))];
}

interface Review {
  raterId: string;
  feedbackId: string;
  thumb: 'up' | 'down' | null;
  stars: number | null;
  label: string | null;
}

const KIND_PREFERENCE: readonly RatingKind[] = ['stars', 'thumb', 'label'];

function ratingOf(r: Review): { thumb?: 'up' | 'down'; stars?: number; label?: string } {
  return { ...(r.thumb ? { thumb: r.thumb } : {}), ...(r.stars !== null ? { stars: Number(r.stars) } : {}), ...(r.label !== null ? { label: r.label } : {}) };
}

function tooFew(items: number, what: string): string | undefined {
  return items < AGREEMENT_LIMITS.minItems
    ? `${what} rests on ${items} item${items === 1 ? '' : 's'}: fewer than ${AGREEMENT_LIMITS.minItems}, read it with care`
    : undefined;
}

export async function queueAgreement(
  db: Kysely<DB>,
  queue: QueueRef,
  options: { criterion?: string; disputedLimit?: number } = {},
): Promise<QueueAgreement> {
  const q = withQueueTables(db);
  const criteria = options.criterion ? queue.criteria.filter((c) => c === options.criterion) : queue.criteria;
  const items = await q.selectFrom('queue_items').select(['target_key', 'position']).where('queue_id', '=', queue.id).where('workspace_id', '=', queue.workspaceId).execute();
  const position = new Map(items.map((i) => [i.target_key, Number(i.position)]));
  const wanted = new Set(criteria);
  const rows = criteria.length
    ? await db
        .selectFrom('feedback')
        .select(['id', 'rater_id', 'target_key', 'criterion', 'thumb', 'stars', 'label', 'source_type'])
        .where('workspace_id', '=', queue.workspaceId)
        .where('queue_id', '=', queue.id)
        .where('deleted', '=', 0)
        .$if(criteria.length < queue.criteria.length, (w) => w.where('criterion', 'in', criteria))
        .execute()
    : [];
  // criterion → target → reviews
  const byCriterion = new Map<string, Map<string, Review[]>>(criteria.map((c) => [c, new Map()]));
  for (const row of rows) {
    // People only (DESIGN, "Where a rating comes from"). Tested here, not in SQL: with `source_type` in
    // the WHERE, SQLite's planner takes feedback_ws_source and reads every human row of the workspace.
    if (row.source_type !== 'human' || !wanted.has(row.criterion) || !position.has(row.target_key)) continue;
    const targets = byCriterion.get(row.criterion)!;
    const review: Review = { raterId: row.rater_id, feedbackId: row.id, thumb: (row.thumb as Review['thumb']) ?? null, stars: row.stars === null ? null : Number(row.stars), label: row.label ?? null };
    const list = targets.get(row.target_key);
    if (list) list.push(review);
    else targets.set(row.target_key, [review]);
  }
  const adjudications = new Map<string, Adjudication>();
  for (const a of await listAdjudications(db, queue)) adjudications.set(`${a.criterion}\u0000${a.targetKey}`, a);
  const limit = options.disputedLimit ?? AGREEMENT_LIMITS.disputedDefault;
  return {
    queueId: queue.id,
    items: items.length,
    thresholds: { minItems: AGREEMENT_LIMITS.minItems, minReviewsPerItem: AGREEMENT_LIMITS.minReviewsPerItem },
    criteria: criteria.map((c) => criterionAgreement(c, byCriterion.get(c)!, position, adjudications, limit)),
  };
}

function criterionAgreement(
  criterion: string,
  targets: Map<string, Review[]>,
  position: Map<string, number>,
  adjudications: Map<string, Adjudication>,
  disputedLimit: number,
): CriterionAgreement {
  const carried: Record<RatingKind, number> = { thumb: 0, stars: 0, label: 0 };
  for (const list of targets.values()) {
    for (const r of list) {
      if (r.stars !== null) carried.stars++;
      if (r.thumb !== null) carried.thumb++;
      if (r.label !== null) carried.label++;
    }
  }
  const kind = KIND_PREFERENCE.reduce<RatingKind | null>((best, k) => (carried[k] > 0 && (best === null || carried[k] > carried[best]) ? k : best), null);
  const metric = METRIC_OF[kind ?? 'thumb'];
  let adjudicated = 0;
  for (const a of adjudications.values()) if (a.criterion === criterion) adjudicated++;
  if (!kind) {
    const none = 'no reviews of this criterion yet';
    return {
      criterion, rating: null, reviews: 0, itemsReviewed: 0, raters: 0,
      alpha: { value: null, metric, items: 0, values: 0, note: none },
      percentAgreement: { value: null, items: 0, pairs: 0, note: none },
      pairs: [], disputed: [], disputedTotal: 0, adjudicated,
    };
  }
  // Values as category indexes: stars 1–5 in scale order, thumbs down/up, labels sorted.
  let categories: string[];
  let indexOf: (r: Review) => number;
  if (kind === 'stars') {
    categories = ['1', '2', '3', '4', '5'];
    indexOf = (r) => (r.stars === null ? -1 : r.stars - 1);
  } else if (kind === 'thumb') {
    categories = ['down', 'up'];
    indexOf = (r) => (r.thumb === null ? -1 : r.thumb === 'up' ? 1 : 0);
  } else {
    const labels = new Set<string>();
    for (const list of targets.values()) for (const r of list) if (r.label !== null) labels.add(r.label);
    categories = [...labels].sort();
    const index = new Map(categories.map((c, i) => [c, i]));
    indexOf = (r) => (r.label === null ? -1 : index.get(r.label)!);
  }
  const k = categories.length;
  const raterIndex = new Map<string, number>();
  const raterNames: string[] = [];
  const rated: Review[] = [];
  const vals: number[] = [];
  const ids: number[] = [];

  const counts: number[][] = [];
  const pairLists = new Map<number, [string, string][]>();
  const disputed: { key: string; d: number; reviews: Review[] }[] = [];
  let agreeing = 0;
  let pairs = 0;
  let reviews = 0;
  let itemsReviewed = 0;
  for (const [key, list] of targets) {
    rated.length = 0;
    vals.length = 0;
    ids.length = 0;
    for (const r of list) {
      const v = indexOf(r);
      if (v < 0) continue;
      let id = raterIndex.get(r.raterId);
      if (id === undefined) {
        id = raterNames.length;
        raterIndex.set(r.raterId, id);
        raterNames.push(r.raterId);
      }
      rated.push(r);
      vals.push(v);
      ids.push(id);
    }
    const m = rated.length;
    if (!m) continue;
    itemsReviewed++;
    reviews += m;
    if (m < AGREEMENT_LIMITS.minReviewsPerItem) continue;
    const vector = new Array<number>(k).fill(0);
    for (const v of vals) vector[v]!++;
    counts.push(vector);
    let disagree = 0;
    for (let i = 0; i < m; i++) {
      for (let j = i + 1; j < m; j++) {
        if (vals[i] !== vals[j]) disagree++;
        // Each pair of raters once, the one first seen first: its κ matrix has that rater's values as rows.
        const [a, b, va, vb] = ids[i]! < ids[j]! ? [ids[i]!, ids[j]!, vals[i]!, vals[j]!] : [ids[j]!, ids[i]!, vals[j]!, vals[i]!];
        const pk = a * 1_000_000 + b;
        const pair: [string, string] = [categories[va]!, categories[vb]!];
        const pl = pairLists.get(pk);
        if (pl) pl.push(pair);
        else pairLists.set(pk, [pair]);
      }
    }
    const all = (m * (m - 1)) / 2;
    agreeing += all - disagree;
    pairs += all;
    if (disagree) {
      const byRater = rated.slice().sort((x, y) => (x.raterId < y.raterId ? -1 : x.raterId > y.raterId ? 1 : 0));
      disputed.push({ key, d: disagree / all, reviews: byRater });
    }
  }
  const alpha = krippendorffAlpha(counts, metric);
  const pairFigures = [...pairLists.entries()]
    .map(([pk, list]) => {
      let a = raterNames[Math.floor(pk / 1_000_000)]!;
      let b = raterNames[pk % 1_000_000]!;
      // Reported in name order, the matrix's rows being the first named rater's values.
      const swap = a > b;
      if (swap) [a, b] = [b, a];
      const figures = cohensKappa(swap ? list.map(([x, y]) => [y, x] as const) : list, categories);
      const note = tooFew(figures.n, 'This pair');
      return { raters: [a, b] as [string, string], items: figures.n, kappa: figures.kappa, percentAgreement: figures.percentAgreement, ...(note ? { note } : {}) };
    })
    .sort((x, y) => y.items - x.items || (x.raters[0] < y.raters[0] ? -1 : x.raters[0] > y.raters[0] ? 1 : x.raters[1] < y.raters[1] ? -1 : 1));
  disputed.sort((x, y) => y.d - x.d || y.reviews.length - x.reviews.length || position.get(x.key)! - position.get(y.key)!);
  const unitNote =
    alpha.units === 0 ? `no item has ${AGREEMENT_LIMITS.minReviewsPerItem} or more reviews of this criterion yet` : tooFew(alpha.units, 'This figure');
  return {
    criterion,
    rating: kind,
    reviews,
    itemsReviewed,
    raters: raterNames.length,
    alpha: { value: alpha.alpha, metric, items: alpha.units, values: alpha.values, ...(unitNote ? { note: unitNote } : {}) },
    percentAgreement: { value: pairs ? agreeing / pairs : null, items: alpha.units, pairs, ...(unitNote ? { note: unitNote } : {}) },
    pairs: pairFigures,
    disputed: disputed.slice(0, disputedLimit).map((x) => ({
      targetKey: x.key,
      position: position.get(x.key)!,
      disagreement: x.d,
      reviews: x.reviews.map((r) => ({ raterId: r.raterId, feedbackId: r.feedbackId, rating: ratingOf(r) })),
      adjudication: adjudications.get(`${criterion}\u0000${x.key}`) ?? null,
    })),
    disputedTotal: disputed.length,
    adjudicated,
  };
}
