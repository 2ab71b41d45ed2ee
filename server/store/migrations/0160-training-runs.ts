import type { Kysely } from 'kysely';

/**
 * What trained what (issue 14, part 5; docs/decisions/0038-training-runs.md):
 * - `training_runs`: one fine-tuning run (DAGnostics' training_sessions) of a workspace, with the
 *   model it produced, its base model, hyperparameters and metrics (JSON text), model path,
 *   training data size, the run's own start and end (as its trainer sent them, ISO UTC) and when it
 *   was recorded (`created_at`, server clock; lists page on (created_at, id)).
 * - `training_run_exports`: which export runs (0020's `export_runs`) it trained on. The workspace
 *   is in the key, and the store checks that each export run is the workspace's before inserting.
 *   No reference to `workspaces`: like `export_runs`, a run recorded from the CLI may name a
 *   workspace no token created yet.
 * - `feedback_ws_received`: feedback by (workspace, received_at), for the stats' "received since".
 * Frozen once shipped, like every migration.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('training_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('model_name', 'text', (c) => c.notNull())
    .addColumn('base_model', 'text')
    .addColumn('hyperparameters', 'text')
    .addColumn('metrics', 'text')
    .addColumn('model_path', 'text')
    .addColumn('training_data_size', 'bigint')
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .execute();
  await db.schema.createIndex('training_runs_ws_created').on('training_runs').columns(['workspace_id', 'created_at', 'id']).execute();
  await db.schema
    .createIndex('training_runs_ws_model')
    .on('training_runs')
    .columns(['workspace_id', 'model_name', 'created_at', 'id'])
    .execute();

  await db.schema
    .createTable('training_run_exports')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('training_run_id', 'text', (c) => c.notNull().references('training_runs.id'))
    .addColumn('export_run_id', 'text', (c) => c.notNull().references('export_runs.id'))
    .addPrimaryKeyConstraint('training_run_exports_pk', ['workspace_id', 'training_run_id', 'export_run_id'])
    .execute();
  // "Which models did this export train?"
  await db.schema
    .createIndex('training_run_exports_ws_export')
    .on('training_run_exports')
    .columns(['workspace_id', 'export_run_id', 'training_run_id'])
    .execute();
  // "Feedback received since the latest run's data was cut" (GET /v1/training-runs/stats) without a workspace scan.
  await db.schema.createIndex('feedback_ws_received').on('feedback').columns(['workspace_id', 'received_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('feedback_ws_received').execute();
  await db.schema.dropTable('training_run_exports').execute();
  await db.schema.dropTable('training_runs').execute();
}
