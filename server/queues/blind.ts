/**
 * Blind review (issue 16, item 2): in a blind queue a reviewer gives their judgment before seeing
 * the AI's own verdict, which is what anchors people (an item's `prediction`: predicted labels and
 * confidence; an LLM judge's score: feedback with `source.type: "model"`). Raters never read each
 * other's ratings in the first place (every feedback read of a rater token is scoped to its own
 * rows, so a judge's rating posted by another token never reaches them; one their own token
 * posted is their own). Enforced here, by the API, for every route that shows a target: the
 * routes ask `blindTargets` which of the targets they are about to show are blind for the caller,
 * and drop the verdict of those (`withoutVerdict`, marked `blinded: true` so a page can say
 * "shown after you submit").
 *
 * A target is blind for a caller when the caller's role is `rater`, the target is in a blind queue
 * that is not complete, the caller may review in it (named as an assignee, or the queue is open to
 * every rater), and the caller has not submitted their review of it there (their claim's
 * `submitted_at`). In two blind queues, it stays blind until submitted in both. Analysts and
 * admins see everything. A rater the queue is not for is not its reviewer: nothing is hidden from
 * them. See docs/api/queues.md, "Blind review".
 */
import type { Kysely, Transaction } from 'kysely';
import type { Role } from '../../shared/schemas.ts';
import { chunks } from '../lib/chunks.ts';
import type { DB } from '../store/schema.ts';
import { withQueueTables } from '../store/queue-tables.ts';

export interface Viewer {
  workspaceId: string;
  raterId: string;
  role: Role;
}

/** Whether a queue's JSON list of assignees (null: every rater) names `raterId`, exactly. */
export function mayReview(assignees: string | null, raterId: string): boolean {
  if (assignees === null) return true;
  try {
    const list: unknown = JSON.parse(assignees);
    return Array.isArray(list) && list.includes(raterId);
  } catch {
    return false;
  }
}

/** The blind, running queues of the workspace that `viewer` reviews in (few: read whole, matched here). */
async function blindQueuesOf(db: Kysely<DB> | Transaction<DB>, viewer: Viewer): Promise<string[]> {
  const rows = await withQueueTables(db as Kysely<DB>)
    .selectFrom('queues')
    .select(['id', 'assignees'])
    .where('workspace_id', '=', viewer.workspaceId)
    .where('blind', '=', 1)
    .where('completed_at', 'is', null)
    .execute();
  return rows.filter((r) => mayReview(r.assignees, viewer.raterId)).map((r) => r.id);
}

/** Of `targetKeys`, those whose AI verdict `viewer` may not see yet. */
export async function blindTargets(db: Kysely<DB> | Transaction<DB>, viewer: Viewer, targetKeys: Iterable<string>): Promise<Set<string>> {
  const hidden = new Set<string>();
  if (viewer.role !== 'rater') return hidden;
  const keys = [...new Set(targetKeys)];
  if (keys.length === 0) return hidden;
  const queues = await blindQueuesOf(db, viewer);
  if (queues.length === 0) return hidden;
  const q = withQueueTables(db as Kysely<DB>);
  for (const queuePart of chunks(queues, 100)) {
    for (const part of chunks(keys, 500)) {
      // queue_items_key (queue_id, target_key) finds the items; the claim is one primary-key row.
      const rows = await q
        .selectFrom('queue_items as qi')
        .leftJoin('queue_claims as c', (j) =>
          j.onRef('c.queue_id', '=', 'qi.queue_id').onRef('c.target_key', '=', 'qi.target_key').on('c.rater_id', '=', viewer.raterId),
        )
        .select('qi.target_key')
        .where('qi.queue_id', 'in', queuePart)
        .where('qi.target_key', 'in', part)
        .where('c.submitted_at', 'is', null)
        .execute();
      for (const r of rows) hidden.add(r.target_key);
    }
  }
  return hidden;
}

/** Whether one target is blind for `viewer`. */
export async function isBlindFor(db: Kysely<DB> | Transaction<DB>, viewer: Viewer, targetKey: string): Promise<boolean> {
  return (await blindTargets(db, viewer, [targetKey])).has(targetKey);
}

/** `prediction?: undefined`, so code reading `item.prediction` of either kind still compiles (and finds none). */
export type Blinded<T> = Omit<T, 'prediction'> & { prediction?: undefined; blinded: true };

/** An item (or a queue item's target snapshot) without the AI's verdict, marked so a page can say why. */
export function withoutVerdict<T extends { prediction?: unknown }>(item: T): Blinded<T> {
  const { prediction: _p, ...rest } = item;
  return { ...rest, blinded: true };
}

/** Items as `viewer` may see them: the verdict of each blind one dropped (one lookup for all). */
export async function itemsFor<T extends { targetKey: string; prediction?: unknown }>(
  db: Kysely<DB> | Transaction<DB>,
  viewer: Viewer,
  items: T[],
): Promise<(T | Blinded<T>)[]> {
  const hidden = await blindTargets(db, viewer, items.map((i) => i.targetKey));
  return hidden.size === 0 ? items : items.map((i) => (hidden.has(i.targetKey) ? withoutVerdict(i) : i));
}

/** One item as `viewer` may see it. */
export async function itemFor<T extends { targetKey: string; prediction?: unknown }>(
  db: Kysely<DB> | Transaction<DB>,
  viewer: Viewer,
  item: T,
): Promise<T | Blinded<T>> {
  return (await itemsFor(db, viewer, [item]))[0]!;
}
