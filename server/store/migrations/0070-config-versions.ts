import { sql, type Kysely } from 'kysely';

/**
 * Versions of the published extension config (issue 10, selector packs): `extension_config.version`
 * goes up with every publish and is what /v1/sync answers as `configVersion` (one primary-key
 * read), and every published version is kept in `extension_config_versions`, so an admin can see
 * what was live when and who published it. Dialect-neutral schema builder only.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // 0: never published. A row exists only once an admin published, so existing rows are version 1.
  await db.schema.alterTable('extension_config').addColumn('version', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.updateTable('extension_config').set({ version: 1 }).execute();

  await db.schema
    .createTable('extension_config_versions')
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    // PublishedConfig as JSON, as it was published.
    .addColumn('config', 'text', (c) => c.notNull())
    .addColumn('published_at', 'text', (c) => c.notNull())
    // Token id of the admin who published it (no foreign key: erasing a rater deletes their tokens).
    .addColumn('published_by', 'text')
    .addPrimaryKeyConstraint('extension_config_versions_pk', ['workspace_id', 'version'])
    .execute();
  await db
    .insertInto('extension_config_versions')
    .columns(['workspace_id', 'version', 'config', 'published_at', 'published_by'])
    .expression(db.selectFrom('extension_config').select(['workspace_id', sql.lit(1).as('version'), 'config', 'updated_at', 'updated_by']))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('extension_config_versions').execute();
  await db.schema.alterTable('extension_config').dropColumn('version').execute();
}
