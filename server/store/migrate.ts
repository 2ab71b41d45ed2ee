import { Migrator, type Kysely, type MigrationProvider } from 'kysely';
import { MIGRATIONS } from './migrations/index.ts';

export class StoreTooNewError extends Error {
  constructor(unknown: string[]) {
    super(
      `The database was written by a newer Groundtruth (it has migrations this version does not know: ${unknown.join(', ')}). ` +
        'Upgrade Groundtruth, or point DATA_DIR / DATABASE_URL at another store.',
    );
    this.name = 'StoreTooNewError';
  }
}

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/**
 * Applies pending migrations; refuses a database that has migrations this code does not know.
 * `schema` (PostgreSQL): the schema the store lives in. Without it Kysely would take a
 * kysely_migration table in *any* schema of the database for ours.
 */
export async function migrateToLatest(db: Kysely<any>, options: { schema?: string } = {}): Promise<string[]> {
  const { schema } = options;
  const migrator = new Migrator({ db, provider, ...(schema ? { migrationTableSchema: schema } : {}) });
  const known = new Set(Object.keys(MIGRATIONS));
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  if (tables.some((t) => t.name === 'kysely_migration' && (!schema || t.schema === schema))) {
    const rows = await (schema ? db.withSchema(schema) : db).selectFrom('kysely_migration').select('name').execute();
    const unknown = rows.map((r: { name: string }) => r.name).filter((n: string) => !known.has(n));
    if (unknown.length) throw new StoreTooNewError(unknown);
  }
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
