/**
 * Outbox rows, derived from the shared wire schemas: what is stored is exactly what will be sent
 * (a FeedbackInput inside a Mutation), plus the local sync state of that target.
 */
import { z } from 'zod';
import { FeedbackInput, Target } from '../../shared/schemas.ts';

export const OutboxState = z.enum(['pending', 'synced', 'rejected']);
export type OutboxState = z.infer<typeof OutboxState>;

/**
 * One row per target key: the rater's current vote on that target and its sync state.
 * A re-vote rewrites the row (same feedback id, newer updatedAt), so the outbox never holds two
 * mutations for one target and the server never sees duplicates.
 */
export const OutboxRow = z.object({
  /** Target key (primary key). */
  key: Target.shape.key,
  /** The feedback id, which is also the mutation id (the server's idempotency key). */
  feedbackId: z.uuid(),
  op: z.enum(['upsert', 'delete']),
  /** The record to send (upsert), or the last one sent (delete, for history). */
  feedback: FeedbackInput.optional(),
  state: OutboxState,
  /** Why the server (or the client, before sending) refused this mutation. */
  error: z.string().optional(),
  /** The mutation's updatedAt (ISO 8601 UTC): orders the queue and tells versions apart. */
  updatedAt: z.string(),
  /** The updatedAt of the version last put in a batch: once set, the server may know this id. */
  sentUpdatedAt: z.string().optional(),
  /**
   * The updatedAt of the last version the server settled (or that was adopted from it): a version
   * re-stamped after `clock_ahead` stays after it (Outbox.restamp).
   */
  settledUpdatedAt: z.string().optional(),
  /** When this version was confirmed (ms since epoch). */
  syncedAt: z.number().optional(),
});
export type OutboxRow = z.infer<typeof OutboxRow>;

/** Small key/value facts the background keeps beside the queue (client id, last sync, backoff). */
export interface MetaRow {
  key: string;
  value: unknown;
}
