/**
 * The published extension config of a workspace (migrations 0050, 0070): the live one in
 * `extension_config` with its version, every published version in `extension_config_versions`.
 * Dialect-neutral Kysely.
 */
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
  /** 1 for the first publish, +1 for each one after (0070). */
  version: number;
}

export interface ExtensionConfigVersionsTable {
  workspace_id: string;
  version: number;
  /** PublishedConfig as JSON, as published. */
  config: string;
  published_at: string;
  /** Token id of the admin who published it. */
  published_by: string | null;
}

type ConfigTables = {
  extension_config: ExtensionConfigTable;
  extension_config_versions: ExtensionConfigVersionsTable;
};
const withTables = (db: Kysely<DB>) => db.withTables<ConfigTables>() as unknown as Kysely<DB & ConfigTables>;

export interface StoredExtensionConfig {
  config: PublishedConfig;
  updatedAt: string | null;
  /** 0: never published. */
  version: number;
}

const EMPTY = (): PublishedConfig => PublishedConfig.parse({});

/** Written through PublishedConfig; parsed again so a hand-edited row cannot break clients. */
function readConfig(json: string): PublishedConfig {
  try {
    const parsed = PublishedConfig.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : EMPTY();
  } catch {
    return EMPTY();
  }
}

export async function getExtensionConfig(db: Kysely<DB>, workspaceId: string): Promise<StoredExtensionConfig> {
  const row = await withTables(db)
    .selectFrom('extension_config')
    .select(['config', 'updated_at', 'version'])
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  if (!row) return { config: EMPTY(), updatedAt: null, version: 0 };
  return { config: readConfig(row.config), updatedAt: row.updated_at, version: Number(row.version) };
}

/** The config was published again since the version the caller based its change on. */
export class ConfigVersionConflictError extends Error {
  override name = 'ConfigVersionConflictError';
  constructor(readonly expected: number) {
    super(`The extension config is no longer version ${expected}: someone published since.`);
  }
}

export interface PutOptions {
  now?: Date;
  /** Publish only if the live version is still this one (0: nothing published yet); else ConfigVersionConflictError. */
  expectedVersion?: number;
}

/**
 * Publishes a config (replacing the live one) as the next version, and keeps it in the history,
 * in one transaction. The version is taken by the write itself (`version + 1` under the row's
 * lock), so two admins publishing at once on PostgreSQL get two versions, never the same one.
 */
export async function putExtensionConfig(
  db: Kysely<DB>,
  workspaceId: string,
  config: PublishedConfig,
  updatedBy: string | null,
  { now = new Date(), expectedVersion }: PutOptions = {},
): Promise<StoredExtensionConfig> {
  const json = JSON.stringify(config);
  const at = now.toISOString();
  const values = { workspace_id: workspaceId, config: json, updated_at: at, updated_by: updatedBy, version: 1 };
  const version = await withTables(db)
    .transaction()
    .execute(async (trx) => {
      let row: { version: number } | undefined;
      if (expectedVersion === undefined) {
        row = await trx
          .insertInto('extension_config')
          .values(values)
          .onConflict((oc) =>
            oc.column('workspace_id').doUpdateSet((eb) => ({
              config: eb.ref('excluded.config'),
              updated_at: eb.ref('excluded.updated_at'),
              updated_by: eb.ref('excluded.updated_by'),
              version: eb(eb.ref('extension_config.version'), '+', 1),
            })),
          )
          .returning('version')
          .executeTakeFirstOrThrow();
      } else if (expectedVersion === 0) {
        row = await trx.insertInto('extension_config').values(values).onConflict((oc) => oc.column('workspace_id').doNothing()).returning('version').executeTakeFirst();
      } else {
        row = await trx
          .updateTable('extension_config')
          .set((eb) => ({ config: json, updated_at: at, updated_by: updatedBy, version: eb(eb.ref('version'), '+', 1) }))
          .where('workspace_id', '=', workspaceId)
          .where('version', '=', expectedVersion)
          .returning('version')
          .executeTakeFirst();
      }
      if (!row) throw new ConfigVersionConflictError(expectedVersion ?? 0);
      const v = Number(row.version);
      await trx
        .insertInto('extension_config_versions')
        .values({ workspace_id: workspaceId, version: v, config: json, published_at: at, published_by: updatedBy })
        .execute();
      return v;
    });
  return { config, updatedAt: at, version };
}

/**
 * The workspace's config version (0: never published). On the /v1/sync hot path: one read by
 * primary key, no cache (a cache would have to be invalidated across servers sharing PostgreSQL).
 */
export async function getConfigVersion(db: Kysely<DB>, workspaceId: string): Promise<number> {
  const row = await withTables(db).selectFrom('extension_config').select('version').where('workspace_id', '=', workspaceId).executeTakeFirst();
  return row ? Number(row.version) : 0;
}

export interface ConfigVersionSummary {
  version: number;
  publishedAt: string;
  /** The publishing token's id, and its name while the token exists. */
  publishedBy: { tokenId: string; name: string | null } | null;
  /** Built-in sites this version has a selector pack for. */
  packSites: string[];
  rules: number;
  disabledAdapters: string[];
}

/** Published versions of the workspace, newest first. */
export async function listConfigVersions(db: Kysely<DB>, workspaceId: string, limit = 100): Promise<ConfigVersionSummary[]> {
  const rows = await withTables(db)
    .selectFrom('extension_config_versions as v')
    .leftJoin('tokens as t', (j) => j.onRef('t.id', '=', 'v.published_by').onRef('t.workspace_id', '=', 'v.workspace_id'))
    .select(['v.version', 'v.config', 'v.published_at', 'v.published_by', 't.name as token_name'])
    .where('v.workspace_id', '=', workspaceId)
    .orderBy('v.version', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => {
    const config = readConfig(r.config);
    return {
      version: Number(r.version),
      publishedAt: r.published_at,
      publishedBy: r.published_by ? { tokenId: r.published_by, name: r.token_name ?? null } : null,
      packSites: Object.keys(config.selectorPacks),
      rules: config.rules.length,
      disabledAdapters: config.disabledAdapters,
    };
  });
}
