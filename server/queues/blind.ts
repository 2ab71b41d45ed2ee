/**
 * Blind review (issue 16, item 2): in a blind queue a reviewer gives their judgment before seeing
 * the AI's own verdict, which is what anchors people (an item's `prediction`: predicted labels and
 * confidence; an LLM judge's score: feedback with `source.type: "model"`). Raters never read each
 * other's ratings in the first place (every feedback read of a rater token is scoped to its own
 * rows). Enforced here, by the API, for every route that shows a target: the routes ask
 * `blindTargets` which of the targets they are about to show are blind for the caller, and drop
 * the verdict of those.
 *
 * A target is blind for a caller when the caller's role is `rater`, the target is in a blind queue
 * that is not complete, the caller may review in it (named as an assignee, or the queue is open to
 * every rater), and the caller has not submitted their review of it there. Analysts and admins see
 * everything.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Role } from '../../shared/schemas.ts';
import { chunks } from '../lib/chunks.ts';
import type { DB } from '../store/schema.ts';
import { withQueueTables } from '../store/queue-tables.ts';

export interface Viewer {
  workspaceId: string;
  raterId: string;
  role: Role;
}

/** Of `targetKeys`, those whose AI verdict `viewer` may not see yet. */
export async function blindTargets(db: Kysely<DB> | Transaction<DB>, viewer: Viewer, targetKeys: Iterable<string>): Promise<Set<string>> {
  const hidden = new Set<string>();
  if (viewer.role !== 'rater') return hidden;
  const keys = [...new Set(targetKeys)];
  const q = withQueueTables(db as Kysely<DB>);
  for (const part of chunks(keys, 500)) {
    const rows = await q
      .selectFrom('queue_items as qi')
      .innerJoin('queues as q', 'q.id', 'qi.queue_id')
      .leftJoin('queue_claims as c', (j) =>
        j.onRef('c.queue_id', '=', 'qi.queue_id').onRef('c.target_key', '=', 'qi.target_key').on('c.rater_id', '=', viewer.raterId),
      )
      .select('qi.target_key')
      .where('qi.workspace_id', '=', viewer.workspaceId)
      .where('q.workspace_id', '=', viewer.workspaceId)
      .where('q.blind', '=', 1)
      .where('q.completed_at', 'is', null)
      .where('qi.target_key', 'in', part)
      .where((eb) => eb.or([eb('q.assignees', 'is', null), eb(sql<string>`q.assignees`, 'like', `%${JSON.stringify(viewer.raterId)}%`)]))
      .where('c.submitted_at', 'is', null)
      .execute();
    for (const r of rows) hidden.add(r.target_key);
  }
  return hidden;
}

/** Whether one target is blind for `viewer`. */
export async function isBlindFor(db: Kysely<DB> | Transaction<DB>, viewer: Viewer, targetKey: string): Promise<boolean> {
  return (await blindTargets(db, viewer, [targetKey])).has(targetKey);
}

/** An item (or a queue item's target snapshot) without the AI's verdict, marked so a page can say why. */
export function withoutVerdict<T extends { prediction?: unknown }>(item: T): Omit<T, 'prediction'> & { blinded: true } {
  const { prediction: _p, ...rest } = item;
  return { ...rest, blinded: true };
}
