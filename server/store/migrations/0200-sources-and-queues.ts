import { sql, type Kysely } from 'kysely';

/**
 * Where a rating comes from, and review queues (issue 16; ADR 0042). Frozen once shipped.
 *
 * On `feedback`:
 * - `source_type` (`human` | `model`), `source_name` (the judge's name, '' for a person) and
 *   `source_channel` (the route a write came in by: extension, api, dropin, link, embed). Older rows
 *   are people; their channel is `extension` when a client id came with them (the sync route), else `api`.
 * - `queue_id`: the review queue a rating answers.
 * - the live-vote index `feedback_live_target` widens to the judge: one live vote per rater, target,
 *   criterion and judge, so one program token can post several judges on the same answer.
 *
 * Queues: `queues` (the definition, its filter or item keys as JSON), `queue_items` (fixed when the
 * queue is made, in order, with a snapshot of what is reviewed), `queue_claims` (one row per item and
 * reviewer: a lease until submitted, never twice for one reviewer), `queue_adjudications` (an
 * analyst's final rating of a disputed item and criterion, with a reason).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('feedback').addColumn('source_type', 'text', (c) => c.notNull().defaultTo('human')).execute();
  await db.schema.alterTable('feedback').addColumn('source_channel', 'text', (c) => c.notNull().defaultTo('api')).execute();
  await db.schema.alterTable('feedback').addColumn('source_name', 'text', (c) => c.notNull().defaultTo('')).execute();
  await db.schema.alterTable('feedback').addColumn('queue_id', 'text').execute();
  await sql`update feedback set source_channel = 'extension' where client_id is not null`.execute(db);

  await sql`drop index if exists feedback_live_target`.execute(db);
  // `deleted = 0` as a literal, as in 0010 and 0120: SQLite uses a partial index only for queries whose WHERE implies it.
  await db.schema
    .createIndex('feedback_live_target')
    .on('feedback')
    .columns(['workspace_id', 'rater_id', 'target_key', 'criterion', 'source_name'])
    .unique()
    .where(sql.ref('deleted'), '=', 0)
    .execute();
  await db.schema.createIndex('feedback_ws_queue').on('feedback').columns(['workspace_id', 'queue_id', 'target_key']).execute();
  await db.schema.createIndex('feedback_ws_source').on('feedback').columns(['workspace_id', 'source_type', 'source_name', 'criterion', 'target_key']).execute();

  await db.schema
    .createTable('queues')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('filter', 'text') // JSON: the shared filters it was made from, or null
    .addColumn('item_keys', 'text') // JSON: the registered items' keys it was made from, or null
    .addColumn('reviewers_per_item', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('blind', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('criteria', 'text', (c) => c.notNull()) // JSON list of criteria
    .addColumn('assignees', 'text') // JSON list of rater ids, or null: any rater of the workspace
    .addColumn('due_at', 'text')
    .addColumn('lease_seconds', 'integer', (c) => c.notNull().defaultTo(600))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .execute();
  await db.schema.createIndex('queues_ws').on('queues').columns(['workspace_id', 'created_at']).execute();

  await db.schema
    .createTable('queue_items')
    .addColumn('queue_id', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('target_key', 'text', (c) => c.notNull())
    .addColumn('item_id', 'text') // a registered item (items.id), or null for a target taken from feedback
    .addColumn('target', 'text', (c) => c.notNull()) // JSON snapshot of the target as reviewers see it
    .addColumn('reviews', 'integer', (c) => c.notNull().defaultTo(0)) // submitted reviews (all criteria of one reviewer count once)
    .addPrimaryKeyConstraint('queue_items_pk', ['queue_id', 'position'])
    .execute();
  await db.schema.createIndex('queue_items_key').on('queue_items').columns(['queue_id', 'target_key']).unique().execute();

  await db.schema
    .createTable('queue_claims')
    .addColumn('queue_id', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('target_key', 'text', (c) => c.notNull())
    .addColumn('rater_id', 'text', (c) => c.notNull())
    .addColumn('claimed_at', 'text', (c) => c.notNull())
    .addColumn('lease_expires_at', 'text', (c) => c.notNull())
    .addColumn('submitted_at', 'text')
    .addPrimaryKeyConstraint('queue_claims_pk', ['queue_id', 'target_key', 'rater_id'])
    .execute();
  await db.schema.createIndex('queue_claims_rater').on('queue_claims').columns(['queue_id', 'rater_id', 'submitted_at']).execute();

  await db.schema
    .createTable('queue_adjudications')
    .addColumn('queue_id', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('target_key', 'text', (c) => c.notNull())
    .addColumn('criterion', 'text', (c) => c.notNull())
    .addColumn('rating', 'text', (c) => c.notNull()) // JSON {thumb?, stars?, label?}
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('adjudicated_by', 'text', (c) => c.notNull())
    .addColumn('adjudicated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('queue_adjudications_pk', ['queue_id', 'target_key', 'criterion'])
    .execute();
  await db.schema.createIndex('queue_adjudications_ws').on('queue_adjudications').columns(['workspace_id', 'target_key']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  // Checked before anything is dropped (SQLite runs this without a transaction around the DDL):
  // the narrower live index cannot hold two live judges of one rater, target and criterion.
  const clash = await db
    .selectFrom('feedback')
    .select(['workspace_id', 'rater_id', 'target_key', 'criterion'])
    .where('deleted', '=', 0)
    .groupBy(['workspace_id', 'rater_id', 'target_key', 'criterion'])
    .having((eb) => eb.fn.countAll(), '>', 1)
    .limit(1)
    .executeTakeFirst();
  if (clash) {
    throw new Error(
      `Cannot go back before 0200: rater ${clash.rater_id} has several live votes (judges) on target ${clash.target_key}, criterion ${clash.criterion}, in workspace ${clash.workspace_id}; delete all but one first.`,
    );
  }
  await db.schema.dropTable('queue_adjudications').execute();
  await db.schema.dropTable('queue_claims').execute();
  await db.schema.dropTable('queue_items').execute();
  await db.schema.dropTable('queues').execute();
  await sql`drop index if exists feedback_ws_source`.execute(db);
  await sql`drop index if exists feedback_ws_queue`.execute(db);
  await sql`drop index if exists feedback_live_target`.execute(db);
  await db.schema
    .createIndex('feedback_live_target')
    .on('feedback')
    .columns(['workspace_id', 'rater_id', 'target_key', 'criterion'])
    .unique()
    .where(sql.ref('deleted'), '=', 0)
    .execute();
  for (const column of ['queue_id', 'source_name', 'source_channel', 'source_type']) {
    await db.schema.alterTable('feedback').dropColumn(column).execute();
  }
}
