import { sql, SqliteAdapter, type Kysely } from 'kysely';

/**
 * Record and trace-event ids are unique per workspace, not across the store (issue 13, item 7): a
 * client-chosen id taken in one workspace must neither be refused in another nor tell it that the
 * id exists there. The primary keys become (workspace_id, id) — and (workspace_id, feedback_id) for
 * the export projection — and the search index keys feedback documents by workspace and id.
 *
 * SQLite cannot alter a primary key: each table is rebuilt (https://www.sqlite.org/lang_altertable.html,
 * "Making Other Kinds Of Table Schema Changes"): a new table with the columns the old one has, the rows
 * copied, the old table dropped, the new one renamed, its indexes and triggers made again from their
 * stored SQL. All in one transaction, and skipped for a table already keyed this way, so a run that
 * stopped before Kysely recorded it runs again safely. PostgreSQL swaps the constraints in place.
 * Frozen once shipped, like every migration: the SQL is written out here, not imported.
 */
const KEYS: [table: string, primaryKey: string[]][] = [
  ['feedback', ['workspace_id', 'id']],
  ['trace_events', ['workspace_id', 'id']],
  ['feedback_examples', ['workspace_id', 'feedback_id']],
];

export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) return upSqlite(db);
  // PostgreSQL: the migrator runs this in a transaction.
  for (const [table, primaryKey] of KEYS) {
    const { rows } = await sql<{ conname: string; cols: string[] }>`
      select c.conname, array_agg(a.attname::text order by k.ord) as cols
      from pg_constraint c
      cross join unnest(c.conkey) with ordinality as k(attnum, ord)
      join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum
      where c.conrelid = to_regclass(${table}) and c.contype = 'p'
      group by c.conname`.execute(db);
    const current = rows[0];
    if (current && current.cols.join() === primaryKey.join()) continue;
    const drop = current ? sql`drop constraint ${sql.id(current.conname)}, ` : sql``;
    await sql`alter table ${sql.table(table)} ${drop}add primary key (${sql.join(primaryKey.map((c) => sql.id(c)))})`.execute(db);
  }
}

async function upSqlite(db: Kysely<any>): Promise<void> {
  // SQLite migrations run outside a transaction (Kysely: no transactional DDL); this one needs one.
  await sql`begin immediate`.execute(db);
  try {
    const hasSearch = (await sql`select 1 from sqlite_master where type = 'table' and name = 'search_docs'`.execute(db)).rows.length > 0;
    for (const [table, primaryKey] of KEYS) await rebuildSqlite(db, table, primaryKey);
    if (hasSearch) {
      await sql`update search_docs set doc_key = 'feedback:' || workspace_id || ':' || ref_id
        where source = 'feedback' and doc_key = 'feedback:' || ref_id`.execute(db);
      // Dropped with the old table (or kept from a run that stopped halfway): made again with the new key.
      await sql`drop trigger if exists search_forget_feedback`.execute(db);
      await sql`CREATE TRIGGER search_forget_feedback AFTER DELETE ON feedback BEGIN
    DELETE FROM search_fts WHERE rowid = (SELECT id FROM search_docs WHERE doc_key = 'feedback:' || old.workspace_id || ':' || old.id);
    DELETE FROM search_docs WHERE doc_key = 'feedback:' || old.workspace_id || ':' || old.id;
  END`.execute(db);
    }
    await sql`commit`.execute(db);
  } catch (err) {
    await sql`rollback`.execute(db);
    throw err;
  }
}

interface ColumnInfo {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
}
interface ForeignKeyInfo {
  id: number;
  table: string;
  from: string;
  to: string;
  on_update: string;
  on_delete: string;
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function rebuildSqlite(db: Kysely<any>, table: string, primaryKey: string[]): Promise<void> {
  const columns = (await sql<ColumnInfo>`select * from pragma_table_info(${table})`.execute(db)).rows;
  if (!columns.length) return;
  const currentKey = columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
  if (currentKey.join() === primaryKey.join()) return;
  const foreignKeys = (await sql<ForeignKeyInfo>`select * from pragma_foreign_key_list(${table})`.execute(db)).rows;
  // Indexes (not the automatic ones, whose sql is null) and triggers, to make again on the new table.
  const kept = (
    await sql<{ name: string; sql: string }>`select name, sql from sqlite_master
      where tbl_name = ${table} and type in ('index', 'trigger') and sql is not null order by type, name`.execute(db)
  ).rows;

  const next = `${table}__0100`;
  const defs = columns.map((c) => {
    const notNull = c.notnull || primaryKey.includes(c.name) ? ' not null' : '';
    const dflt = c.dflt_value !== null ? ` default ${c.dflt_value}` : '';
    return `${q(c.name)} ${c.type}${notNull}${dflt}`;
  });
  const fks = foreignKeys.map((f) => {
    const actions = [f.on_update !== 'NO ACTION' ? ` on update ${f.on_update}` : '', f.on_delete !== 'NO ACTION' ? ` on delete ${f.on_delete}` : ''].join('');
    return `foreign key (${q(f.from)}) references ${q(f.table)} (${q(f.to)})${actions}`;
  });
  const names = columns.map((c) => q(c.name)).join(', ');
  await sql.raw(`drop table if exists ${q(next)}`).execute(db);
  await sql.raw(`create table ${q(next)} (${[...defs, `primary key (${primaryKey.map(q).join(', ')})`, ...fks].join(', ')})`).execute(db);
  await sql.raw(`insert into ${q(next)} (${names}) select ${names} from ${q(table)}`).execute(db);
  await sql.raw(`drop table ${q(table)}`).execute(db);
  await sql.raw(`alter table ${q(next)} rename to ${q(table)}`).execute(db);
  for (const k of kept) await sql.raw(k.sql).execute(db);
}

export async function down(): Promise<void> {
  // Going back would have to choose between the rows that now share an id across workspaces.
  throw new Error('0100-ids-per-workspace cannot be undone: ids may now repeat across workspaces.');
}
