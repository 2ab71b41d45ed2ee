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

/** Applies pending migrations; refuses a database that has migrations this code does not know. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const known = new Set(Object.keys(MIGRATIONS));
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  if (tables.some((t) => t.name === 'kysely_migration')) {
    const rows = await db.selectFrom('kysely_migration').select('name').execute();
    const unknown = rows.map((r: { name: string }) => r.name).filter((n: string) => !known.has(n));
    if (unknown.length) throw new StoreTooNewError(unknown);
  }
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
