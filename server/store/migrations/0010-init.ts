import type { Kysely } from 'kysely';
import { sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('workspaces')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('rater_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('tokens_workspace').on('tokens').columns(['workspace_id']).execute();

  await db.schema
    .createTable('feedback')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('rater_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text')
    .addColumn('target_key', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('site', 'text')
    .addColumn('model', 'text')
    .addColumn('intent', 'text')
    .addColumn('project', 'text')
    .addColumn('subject', 'text')
    .addColumn('conversation_id', 'text')
    .addColumn('thumb', 'text')
    .addColumn('stars', 'integer')
    .addColumn('label', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('record', 'text')
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .execute();
  // One live record per rater and target: a re-vote updates, never duplicates.
  await db.schema
    .createIndex('feedback_live_target')
    .on('feedback')
    .columns(['workspace_id', 'rater_id', 'target_key'])
    .unique()
    .where(sql.ref('deleted'), '=', 0)
    .execute();
  await db.schema.createIndex('feedback_ws_created').on('feedback').columns(['workspace_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('feedback_ws_updated').on('feedback').columns(['workspace_id', 'updated_at']).execute();
  await db.schema.createIndex('feedback_ws_model').on('feedback').columns(['workspace_id', 'model', 'created_at']).execute();
  await db.schema.createIndex('feedback_ws_rater').on('feedback').columns(['workspace_id', 'rater_id', 'created_at']).execute();

  await db.schema
    .createTable('feedback_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('feedback_id', 'text', (c) => c.notNull())
    .addColumn('op', 'text', (c) => c.notNull())
    .addColumn('actor_rater_id', 'text', (c) => c.notNull())
    .addColumn('actor_token_id', 'text')
    .addColumn('client_id', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('before', 'text')
    .addColumn('after', 'text')
    .execute();
  await db.schema.createIndex('feedback_events_feedback').on('feedback_events').columns(['feedback_id', 'id']).execute();
  await db.schema.createIndex('feedback_events_ws').on('feedback_events').columns(['workspace_id', 'id']).execute();
}
