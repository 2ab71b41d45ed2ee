/** The published extension config of a workspace (migration 0050). Dialect-neutral Kysely. */
import type { Kysely } from 'kysely';
import { PublishedConfig } from '../../shared/extension-config.ts';
import type { DB } from './schema.ts';

export interface ExtensionConfigTable {
  workspace_id: string;
  /** PublishedConfig as JSON. */
  config: string;
  updated_at: string;
  /** Token id of the admin who published it. */
  updated_by: string | null;
}

type WithConfig = DB & { extension_config: ExtensionConfigTable };
const withTable = (db: Kysely<DB>) => db.withTables<{ extension_config: ExtensionConfigTable }>() as unknown as Kysely<WithConfig>;

export interface StoredExtensionConfig {
  config: PublishedConfig;
  updatedAt: string | null;
}

export async function getExtensionConfig(db: Kysely<DB>, workspaceId: string): Promise<StoredExtensionConfig> {
  const row = await withTable(db)
    .selectFrom('extension_config')
    .select(['config', 'updated_at'])
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  if (!row) return { config: PublishedConfig.parse({}), updatedAt: null };
  // Written through PublishedConfig; parsed again so a hand-edited row cannot break clients.
  const parsed = PublishedConfig.safeParse(JSON.parse(row.config));
  return { config: parsed.success ? parsed.data : PublishedConfig.parse({}), updatedAt: row.updated_at };
}

export async function putExtensionConfig(
  db: Kysely<DB>,
  workspaceId: string,
  config: PublishedConfig,
  updatedBy: string | null,
  now: Date = new Date(),
): Promise<StoredExtensionConfig> {
  const values = { workspace_id: workspaceId, config: JSON.stringify(config), updated_at: now.toISOString(), updated_by: updatedBy };
  await withTable(db)
    .insertInto('extension_config')
    .values(values)
    .onConflict((oc) => oc.column('workspace_id').doUpdateSet({ config: values.config, updated_at: values.updated_at, updated_by: values.updated_by }))
    .execute();
  return { config, updatedAt: values.updated_at };
}
