/**
 * The review queues' projection (issue 16, item 1; store/projections.ts): in the transaction of every
 * feedback change, a reviewer's claim on a queue item is marked submitted once that reviewer has a
 * live human rating with the queue's id for every criterion of the queue on that item (the claim row
 * is made if they reviewed without claiming), `queue_items.reviews` counts the submitted reviewers,
 * and the queue's `completed_at` is set when every item has `reviewers_per_item` of them.
 *
 * It recomputes rather than adds deltas, per (queue, target, reviewer) a batch touches: the state is
 * the live rows in the table with this batch's changes laid over them (applyMutations has written
 * them already; erasure and retention run projections before their hard delete). So a deleted or
 * erased review takes its submission back: the claim is unsubmitted with its lease expired (ending
 * at its claimed_at: the item returns to the pool), `reviews` drops, and a complete queue opens again.
 *
 * On PostgreSQL the queue's advisory lock (the one claims take) is held for the rest of the write's
 * transaction, so two reviewers finishing the last two items cannot both miss the completion.
 */
import { sql } from 'kysely';
import { clockNow } from '../lib/clock.ts';
import type { ChangeListener } from '../store/feedback-changes.ts';
import { criterionOf } from '../store/live-key.ts';
import { withQueueTables } from '../store/queue-tables.ts';
import { criteriaOf, queueLockName } from '../store/queues.ts';
import type { FeedbackTable } from '../store/schema.ts';
import { lockForWrite } from '../store/write-locks.ts';

interface Triple {
  workspaceId: string;
  queueId: string;
  targetKey: string;
  raterId: string;
}

/** Does this row count as the reviewer's live rating in its queue? */
const counts = (r: FeedbackTable) => r.deleted === 0 && r.queue_id !== null && r.source_type === 'human';

export const queueReviews: ChangeListener = async function queueReviews(trx, changes) {
  const triples = new Map<string, Triple>();
  for (const { before, after } of changes) {
    for (const r of [before, after]) {
      if (!r || r.queue_id === null) continue;
      const t = { workspaceId: r.workspace_id, queueId: r.queue_id, targetKey: r.target_key, raterId: r.rater_id };
      triples.set(JSON.stringify([t.workspaceId, t.queueId, t.targetKey, t.raterId]), t);
    }
  }
  if (!triples.size) return;
  const t = withQueueTables(trx);
  const queueKeys = [...new Map([...triples.values()].map((x) => [JSON.stringify([x.workspaceId, x.queueId]), x])).values()];
  await lockForWrite(trx, queueKeys.map((x) => queueLockName(x.workspaceId, x.queueId)));
  const now = clockNow().toISOString();
  const touched = new Set<string>();
  for (const x of queueKeys) {
    const queue = await t.selectFrom('queues').selectAll().where('workspace_id', '=', x.workspaceId).where('id', '=', x.queueId).executeTakeFirst();
    if (!queue) continue;
    const criteria = criteriaOf(queue);
    for (const tr of triples.values()) {
      if (tr.workspaceId !== x.workspaceId || tr.queueId !== x.queueId) continue;
      const item = await t
        .selectFrom('queue_items')
        .select(['reviews'])
        .where('queue_id', '=', tr.queueId)
        .where('target_key', '=', tr.targetKey)
        .executeTakeFirst();
      if (!item) continue;
      // The reviewer's rows in the table, with this batch's changes laid over them.
      const rows = new Map<string, FeedbackTable>();
      const stored = await trx
        .selectFrom('feedback')
        .selectAll()
        .where('workspace_id', '=', tr.workspaceId)
        .where('rater_id', '=', tr.raterId)
        .where('target_key', '=', tr.targetKey)
        .where('queue_id', '=', tr.queueId)
        .where('deleted', '=', sql.lit(0))
        .execute();
      for (const r of stored) rows.set(r.id, r);
      for (const { after } of changes) if (after.workspace_id === tr.workspaceId) rows.set(after.id, after);
      const rated = new Set(
        [...rows.values()]
          .filter((r) => counts(r) && r.rater_id === tr.raterId && r.target_key === tr.targetKey && r.queue_id === tr.queueId)
          .map((r) => criterionOf(r)),
      );
      const submitted = criteria.every((c) => rated.has(c));
      const claim = await t
        .selectFrom('queue_claims')
        .selectAll()
        .where('queue_id', '=', tr.queueId)
        .where('target_key', '=', tr.targetKey)
        .where('rater_id', '=', tr.raterId)
        .executeTakeFirst();
      const wasSubmitted = claim?.submitted_at != null;
      if (submitted === wasSubmitted) continue;
      if (submitted && claim) {
        await t
          .updateTable('queue_claims')
          .set({ submitted_at: now })
          .where('queue_id', '=', tr.queueId)
          .where('target_key', '=', tr.targetKey)
          .where('rater_id', '=', tr.raterId)
          .execute();
      } else if (submitted) {
        await t
          .insertInto('queue_claims')
          .values({ queue_id: tr.queueId, workspace_id: tr.workspaceId, target_key: tr.targetKey, rater_id: tr.raterId, claimed_at: now, lease_expires_at: now, submitted_at: now })
          .execute();
      } else {
        // Taken back: the lease ended when it began, so the item returns to the pool; the reviewer may claim it again.
        await t
          .updateTable('queue_claims')
          .set((eb) => ({ submitted_at: null, lease_expires_at: eb.ref('claimed_at') }))
          .where('queue_id', '=', tr.queueId)
          .where('target_key', '=', tr.targetKey)
          .where('rater_id', '=', tr.raterId)
          .execute();
      }
      await t
        .updateTable('queue_items')
        .set({ reviews: sql`reviews + ${submitted ? 1 : -1}` })
        .where('queue_id', '=', tr.queueId)
        .where('target_key', '=', tr.targetKey)
        .execute();
      // Completion can only come with an item reaching its reviews, and only go with one losing them.
      const reviews = item.reviews + (submitted ? 1 : -1);
      if (submitted ? reviews >= queue.reviewers_per_item && queue.completed_at === null : queue.completed_at !== null) touched.add(tr.queueId);
    }
    if (!touched.has(x.queueId)) continue;
    const open = await t
      .selectFrom('queue_items')
      .select('position')
      .where('queue_id', '=', x.queueId)
      .where('reviews', '<', queue.reviewers_per_item)
      .limit(1)
      .executeTakeFirst();
    const complete = open === undefined;
    if (complete && queue.completed_at === null) {
      await t.updateTable('queues').set({ completed_at: now }).where('id', '=', x.queueId).where('workspace_id', '=', x.workspaceId).execute();
    } else if (!complete && queue.completed_at !== null) {
      await t.updateTable('queues').set({ completed_at: null }).where('id', '=', x.queueId).where('workspace_id', '=', x.workspaceId).execute();
    }
  }
};

