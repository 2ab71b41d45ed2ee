import type { Kysely } from 'kysely';

/**
 * Items as pipelines post them (issue 14, item 1; docs/decisions/0035):
 * - `task_id` (the item's `context.task_id`) and `category` (its `prediction.category`): the review
 *   queue's filters, as columns with indexes rather than JSON lookups.
 * - `has_analysis`: 1 when the item carries an output or a predicted field, 0 while it awaits its
 *   analysis. Every item stored before this migration had an output (it was required), hence the
 *   default 1.
 * - `created_at` already exists; from now on it is the time the program sent (else the arrival).
 * The new columns are filled from the stored JSON in JS (PostgreSQL's json operators refuse some
 * valid JSON text, as migration 0120 found). Frozen once shipped: add a later migration instead.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('items').addColumn('task_id', 'text').execute();
  await db.schema.alterTable('items').addColumn('category', 'text').execute();
  await db.schema.alterTable('items').addColumn('has_analysis', 'integer', (c) => c.notNull().defaultTo(1)).execute();

  let after = '';
  for (;;) {
    const rows = (await db.selectFrom('items').select(['id', 'body']).where('id', '>', after).orderBy('id').limit(500).execute()) as { id: string; body: string }[];
    if (rows.length === 0) break;
    for (const row of rows) {
      let body: { context?: { task_id?: unknown }; prediction?: { category?: unknown } } = {};
      try {
        body = JSON.parse(row.body);
      } catch {
        /* a body that is not JSON keeps empty columns */
      }
      const task = typeof body.context?.task_id === 'string' ? body.context.task_id : null;
      const category = typeof body.prediction?.category === 'string' ? body.prediction.category : null;
      if (task !== null || category !== null) {
        await db.updateTable('items').set({ task_id: task, category }).where('id', '=', row.id).execute();
      }
    }
    after = rows[rows.length - 1]!.id;
  }

  await db.schema.createIndex('items_ws_task').on('items').columns(['workspace_id', 'task_id', 'created_at']).execute();
  await db.schema.createIndex('items_ws_category').on('items').columns(['workspace_id', 'category', 'created_at']).execute();
  await db.schema.createIndex('items_ws_analysis').on('items').columns(['workspace_id', 'has_analysis', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('items_ws_analysis').execute();
  await db.schema.dropIndex('items_ws_category').execute();
  await db.schema.dropIndex('items_ws_task').execute();
  await db.schema.alterTable('items').dropColumn('has_analysis').execute();
  await db.schema.alterTable('items').dropColumn('category').execute();
  await db.schema.alterTable('items').dropColumn('task_id').execute();
}
