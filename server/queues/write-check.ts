/**
 * Reviews are ordinary feedback carrying `queueId` (issue 16, item 1; docs/api/queues.md). A record
 * that names a queue is refused (`status: "rejected"`) unless the queue is one of the writer's
 * workspace (`queue_not_found`), its target is one of the queue's items, its criterion one of the
 * queue's criteria, and the writer may review in it (`not_in_queue`, the message says which).
 * Called by applyMutations on the checked mutations, before its transaction: a queue's items,
 * criteria and assignees are fixed when it is made, so nothing read here can change meanwhile.
 */
import type { Kysely } from 'kysely';
import type { FeedbackInput } from '../../shared/schemas.ts';
import { chunks } from '../lib/chunks.ts';
import type { Refusal } from '../store/feedback.ts';
import { criterionOf } from '../store/live-key.ts';
import { withQueueTables } from '../store/queue-tables.ts';
import { criteriaOf, mayReview } from '../store/queues.ts';
import type { DB } from '../store/schema.ts';

interface Checked {
  op: string;
  record?: FeedbackInput;
}

/** `checked` with the mutations that answer a queue they do not belong to turned into refusals. */
export async function refuseOutsideQueues<T extends Checked>(
  db: Kysely<DB>,
  actor: { workspaceId: string; raterId: string },
  checked: (T | Refusal)[],
): Promise<(T | Refusal)[]> {
  const named = checked.filter((c): c is T => !('error' in c) && c.op === 'upsert' && c.record?.queueId !== undefined);
  if (!named.length) return checked;
  const t = withQueueTables(db);
  const queueIds = [...new Set(named.map((c) => c.record!.queueId!))];
  const queues = new Map((await t.selectFrom('queues').selectAll().where('workspace_id', '=', actor.workspaceId).where('id', 'in', queueIds).execute()).map((r) => [r.id, r]));
  const keys = [...new Set(named.map((c) => c.record!.target.key))];
  const members = new Set<string>();
  const found = [...queues.keys()];
  if (found.length) {
    for (const part of chunks(keys, 500)) {
      const rows = await t
        .selectFrom('queue_items')
        .select(['queue_id', 'target_key'])
        .where('workspace_id', '=', actor.workspaceId)
        .where('queue_id', 'in', found)
        .where('target_key', 'in', part)
        .execute();
      for (const r of rows) members.add(JSON.stringify([r.queue_id, r.target_key]));
    }
  }
  return checked.map((c) => {
    if ('error' in c || c.op !== 'upsert' || c.record?.queueId === undefined) return c;
    const { queueId, target } = c.record;
    const queue = queues.get(queueId);
    if (!queue) return { reason: 'queue_not_found', error: `queueId ${queueId}: no such queue in this workspace` } satisfies Refusal;
    if (!mayReview(queue, actor.raterId)) {
      return { reason: 'not_in_queue', error: `queueId ${queueId}: rater ${actor.raterId} is not an assignee of this queue` } satisfies Refusal;
    }
    if (!members.has(JSON.stringify([queueId, target.key]))) {
      return { reason: 'not_in_queue', error: `queueId ${queueId}: target.key ${target.key} is not an item of this queue` } satisfies Refusal;
    }
    const criteria = criteriaOf(queue);
    const criterion = criterionOf(c.record);
    if (!criteria.includes(criterion)) {
      return { reason: 'not_in_queue', error: `queueId ${queueId}: criterion ${criterion} is not one of the queue's criteria (${criteria.join(', ')})` } satisfies Refusal;
    }
    return c;
  });
}
