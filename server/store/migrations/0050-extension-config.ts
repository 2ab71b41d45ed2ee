import type { Kysely } from 'kysely';

/** One published extension config (rules, switched-off adapters) per workspace, as JSON text. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('extension_config')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey().references('workspaces.id'))
    .addColumn('config', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('extension_config').execute();
}
