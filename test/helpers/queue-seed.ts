/**
 * A review queue and its reviews written straight into the store, for agreement tests and the
 * agreement bench: the queue and its items as rows (as POST /v1/queues would leave them), each
 * reviewer's claim, and the reviews through the real write path (applyMutations) carrying `queueId`.
 */
import { applyMutations } from '../../server/store/feedback.ts';
import type { Store } from '../../server/store/open.ts';
import { withQueueTables } from '../../server/store/queue-tables.ts';
import { ensureWorkspace } from '../../server/store/tokens.ts';
import { uuidv7 } from '../../shared/ids.ts';

export interface ReviewSpec {
  rater: string;
  key: string;
  criterion?: string;
  thumb?: 'up' | 'down';
  stars?: number;
  label?: string;
  /** An LLM judge's rating (`source: {type: 'model', name}`) rather than a person's. */
  judge?: string;
}

export async function seedQueue(
  store: Store,
  workspaceId: string,
  queue: { id?: string; criteria: string[]; keys: string[]; reviewersPerItem?: number },
): Promise<string> {
  await ensureWorkspace(store.db, workspaceId);
  const id = queue.id ?? `q-${uuidv7()}`;
  const db = withQueueTables(store.db);
  await db
    .insertInto('queues')
    .values({
      id,
      workspace_id: workspaceId,
      name: `queue ${id}`,
      filter: null,
      item_keys: null,
      reviewers_per_item: queue.reviewersPerItem ?? 2,
      blind: 0,
      criteria: JSON.stringify(queue.criteria),
      assignees: null,
      due_at: null,
      lease_seconds: 600,
      created_by: 'analyst',
      created_at: '2026-01-01T00:00:00.000Z',
      completed_at: null,
    })
    .execute();
  for (let i = 0; i < queue.keys.length; i += 500) {
    await db
      .insertInto('queue_items')
      .values(
        queue.keys.slice(i, i + 500).map((key, j) => ({
          queue_id: id,
          workspace_id: workspaceId,
          position: i + j,
          target_key: key,
          item_id: null,
          target: JSON.stringify({ kind: 'chat_response', key }),
          reviews: 0,
        })),
      )
      .execute();
  }
  return id;
}

/** Writes the reviews (and each reviewer's claim of the item first); returns the feedback ids in order. */
export async function seedReviews(store: Store, workspaceId: string, queueId: string, reviews: ReviewSpec[]): Promise<string[]> {
  const db = withQueueTables(store.db);
  const claims = new Map<string, { target_key: string; rater_id: string }>();
  for (const r of reviews) claims.set(`${r.key}\u0000${r.rater}`, { target_key: r.key, rater_id: r.rater });
  const list = [...claims.values()];
  for (let i = 0; i < list.length; i += 500) {
    await db
      .insertInto('queue_claims')
      .values(
        list.slice(i, i + 500).map((c) => ({
          queue_id: queueId,
          workspace_id: workspaceId,
          ...c,
          claimed_at: '2026-01-01T00:00:00.000Z',
          lease_expires_at: '2100-01-01T00:00:00.000Z',
          submitted_at: null,
        })),
      )
      .execute();
  }
  const ids: string[] = [];
  const byRater = new Map<string, { id: string; op: 'upsert'; updatedAt: string; feedback: Record<string, unknown> }[]>();
  let seq = 0;
  for (const r of reviews) {
    const id = uuidv7();
    ids.push(id);
    const at = new Date(Date.UTC(2026, 0, 2, 0, 0, 0, seq++)).toISOString();
    const feedback = {
      id,
      target: { kind: 'chat_response', key: r.key, conversationId: `conv-${r.key}`, prompt: `prompt of ${r.key}`, output: `answer of ${r.key}` },
      rating: { ...(r.thumb ? { thumb: r.thumb } : {}), ...(r.stars ? { stars: r.stars } : {}), ...(r.label ? { label: r.label } : {}) },
      ...(r.criterion ? { criterion: r.criterion } : {}),
      queueId,
      ...(r.judge ? { source: { type: 'model', name: r.judge } } : {}),
      comment: `${r.rater} on ${r.key}`,
      createdAt: at,
      updatedAt: at,
    };
    const mutation = { id, op: 'upsert' as const, updatedAt: at, feedback };
    byRater.set(r.rater, [...(byRater.get(r.rater) ?? []), mutation]);
  }
  for (const [raterId, mutations] of byRater) {
    for (let i = 0; i < mutations.length; i += 500) {
      const results = await applyMutations(store.db, { workspaceId, raterId, role: 'rater', tokenId: null, clientId: 'seed' }, mutations.slice(i, i + 500));
      const bad = results.filter((x) => x.status !== 'applied');
      if (bad.length) throw new Error(`seed failed: ${JSON.stringify(bad.slice(0, 3))}`);
    }
  }
  return ids;
}
