/**
 * Adjudication (issue 16, item 3): an analyst's final rating of one item of a queue on one
 * criterion, with a reason. One per queue, target and criterion (the table's primary key): a second
 * replaces the first, and says which it replaced. Exports can take these as gold
 * (server/exports/gold.ts, `gold=adjudicated`).
 */
import type { Kysely } from 'kysely';
import type { Adjudication, AdjudicationInput } from '../../shared/queue-agreement.ts';
import type { DB } from '../store/schema.ts';
import { withQueueTables, type QueueAdjudicationsTable } from '../store/queue-tables.ts';

/** Why an adjudication is refused: the item is not in the queue, or the criterion is not one of its criteria. */
export class AdjudicationError extends Error {
  constructor(
    readonly code: 'unknown_item' | 'unknown_criterion',
    message: string,
    readonly field: 'targetKey' | 'criterion',
  ) {
    super(message);
  }
}

export function adjudicationFromRow(r: QueueAdjudicationsTable): Adjudication {
  return {
    queueId: r.queue_id,
    targetKey: r.target_key,
    criterion: r.criterion,
    rating: JSON.parse(r.rating) as Adjudication['rating'],
    reason: r.reason,
    by: r.adjudicated_by,
    at: r.adjudicated_at,
  };
}

/** Every adjudication of the queue, in queue order of the items, then by criterion. */
export async function listAdjudications(db: Kysely<DB>, queue: { id: string; workspaceId: string }): Promise<Adjudication[]> {
  const rows = await withQueueTables(db)
    .selectFrom('queue_adjudications as a')
    .leftJoin('queue_items as qi', (j) => j.onRef('qi.queue_id', '=', 'a.queue_id').onRef('qi.target_key', '=', 'a.target_key'))
    .selectAll('a')
    .where('a.queue_id', '=', queue.id)
    .where('a.workspace_id', '=', queue.workspaceId)
    .orderBy('qi.position')
    .orderBy('a.criterion')
    .execute();
  return rows.map(adjudicationFromRow);
}

export async function adjudicate(
  db: Kysely<DB>,
  queue: { id: string; workspaceId: string; criteria: string[] },
  input: AdjudicationInput,
  by: string,
  now: Date,
): Promise<{ adjudication: Adjudication; replaced: Adjudication | null }> {
  if (!queue.criteria.includes(input.criterion)) {
    throw new AdjudicationError('unknown_criterion', `"${input.criterion}" is not a criterion of this queue (${queue.criteria.join(', ')})`, 'criterion');
  }
  return db.transaction().execute(async (trx) => {
    const q = withQueueTables(trx);
    const item = await q
      .selectFrom('queue_items')
      .select('target_key')
      .where('queue_id', '=', queue.id)
      .where('workspace_id', '=', queue.workspaceId)
      .where('target_key', '=', input.targetKey)
      .executeTakeFirst();
    if (!item) throw new AdjudicationError('unknown_item', `no item of this queue has the target key "${input.targetKey}"`, 'targetKey');
    const key = (b: typeof q) =>
      b
        .selectFrom('queue_adjudications')
        .selectAll()
        .where('queue_id', '=', queue.id)
        .where('target_key', '=', input.targetKey)
        .where('criterion', '=', input.criterion);
    const before = await key(q).executeTakeFirst();
    const row: QueueAdjudicationsTable = {
      queue_id: queue.id,
      workspace_id: queue.workspaceId,
      target_key: input.targetKey,
      criterion: input.criterion,
      rating: JSON.stringify(input.rating),
      reason: input.reason,
      adjudicated_by: by,
      adjudicated_at: now.toISOString(),
    };
    await q
      .insertInto('queue_adjudications')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['queue_id', 'target_key', 'criterion']).doUpdateSet({
          rating: row.rating,
          reason: row.reason,
          adjudicated_by: row.adjudicated_by,
          adjudicated_at: row.adjudicated_at,
        }),
      )
      .execute();
    return { adjudication: adjudicationFromRow(row), replaced: before ? adjudicationFromRow(before) : null };
  });
}
