import type { Kysely } from 'kysely';

/**
 * Traces as seed 001 sends them (issue 14, item 6; docs/decisions/0039-traces.md):
 * - `trace_events.actor_id`, `actor_type`: who caused the event (001's actor_id, `user` | `system`),
 *   kept beside the token's rater (`rater_id`, who sent it). Null for events appended before.
 * - `trace_events_ws_type`: training examples read one event type across a workspace in arrival order.
 * - `trace_events_ws_actor`: a subject's owners and an actor's events (erasure) without a scan.
 * Frozen once shipped, like every migration.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('trace_events').addColumn('actor_id', 'text').execute();
  await db.schema.alterTable('trace_events').addColumn('actor_type', 'text').execute();
  await db.schema.createIndex('trace_events_ws_type').on('trace_events').columns(['workspace_id', 'type', 'seq']).execute();
  await db.schema.createIndex('trace_events_ws_actor').on('trace_events').columns(['workspace_id', 'actor_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('trace_events_ws_actor').execute();
  await db.schema.dropIndex('trace_events_ws_type').execute();
  await db.schema.alterTable('trace_events').dropColumn('actor_type').execute();
  await db.schema.alterTable('trace_events').dropColumn('actor_id').execute();
}
