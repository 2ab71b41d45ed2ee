/**
 * Idempotency keys (migration 0140): a client that sends `Idempotency-Key` with a post and retries
 * it (a timeout, a dropped connection) gets one record, not two. The key is claimed in the
 * transaction that writes the record, so a failed write leaves the key free, and a retry racing the
 * first attempt waits on the primary key (PostgreSQL) or the single writer (SQLite), then finds it.
 * Keys are per workspace and rater (two programs may pick the same key) and remembered for a
 * window (shared/conversation-feedback.ts, IDEMPOTENCY_WINDOW_HOURS), after which they are dropped.
 */
import type { Kysely, Transaction } from 'kysely';
import type { DB } from './schema.ts';

export interface IdempotencyKeysTable {
  workspace_id: string;
  rater_id: string;
  idempotency_key: string;
  /** SHA-256 of the canonical request (path parameters and body): tells a retry from another request. */
  request_hash: string;
  /** The record the first request created. */
  feedback_id: string;
  created_at: string;
}

type KeyTables = { idempotency_keys: IdempotencyKeysTable };
const withKeys = (db: Kysely<DB> | Transaction<DB>) => db.withTables<KeyTables>();

export type Claim =
  | { status: 'claimed' }
  /** The same request came before: answer as then, write nothing. */
  | { status: 'replay'; feedbackId: string }
  /** The key was used with another request. */
  | { status: 'reused'; feedbackId: string };

export interface ClaimInput {
  workspaceId: string;
  raterId: string;
  key: string;
  requestHash: string;
  feedbackId: string;
  now: Date;
  windowHours: number;
}

/** Claims the key inside `trx` (the transaction that will write the record), or tells who has it. */
export async function claimIdempotencyKey(trx: Transaction<DB> | Kysely<DB>, input: ClaimInput): Promise<Claim> {
  const db = withKeys(trx);
  const cutoff = new Date(input.now.getTime() - input.windowHours * 3_600_000).toISOString();
  await db.deleteFrom('idempotency_keys').where('workspace_id', '=', input.workspaceId).where('created_at', '<', cutoff).execute();
  const inserted = await db
    .insertInto('idempotency_keys')
    .values({
      workspace_id: input.workspaceId,
      rater_id: input.raterId,
      idempotency_key: input.key,
      request_hash: input.requestHash,
      feedback_id: input.feedbackId,
      created_at: input.now.toISOString(),
    })
    .onConflict((oc) => oc.columns(['workspace_id', 'rater_id', 'idempotency_key']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) return { status: 'claimed' };
  const held = await db
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'feedback_id'])
    .where('workspace_id', '=', input.workspaceId)
    .where('rater_id', '=', input.raterId)
    .where('idempotency_key', '=', input.key)
    .executeTakeFirstOrThrow();
  return held.request_hash === input.requestHash
    ? { status: 'replay', feedbackId: held.feedback_id }
    : { status: 'reused', feedbackId: held.feedback_id };
}
