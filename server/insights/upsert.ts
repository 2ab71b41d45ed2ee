/**
 * Batched upserts for the rollups, as precompiled SQL. The listener runs inside every sync batch,
 * so its cost is on the hot path: Kysely's builder would compile a fresh multi-row statement per
 * batch (a new SQL text each time, so SQLite prepares it anew too). Here each table has at most
 * four statement texts (64, 16, 4 and 1 rows), built once and reused, so the store's statement
 * cache prepares each once. The SQL is plain INSERT … ON CONFLICT … DO UPDATE, the same on SQLite
 * and PostgreSQL; only the placeholders differ (? or $n).
 */
import { CompiledQuery, SqliteAdapter, type Kysely, type Transaction } from 'kysely';

export interface UpsertSpec {
  table: string;
  columns: readonly string[];
  /** The conflict target (the primary key). */
  keys: readonly string[];
  /** Columns that add up: col = table.col + excluded.col. */
  add?: readonly string[];
  /** Columns that take the new value: col = excluded.col. */
  replace?: readonly string[];
  /**
   * Columns computed from the row's new counts: `set[col](now, pg)` is the SQL of the value, where
   * `now(c)` is the SQL of count c after the addition (rollup_targets' disagreement).
   */
  set?: Readonly<Record<string, (now: (column: string) => string, pg: boolean) => string>>;
  /** Columns the statement returns (the rows after the upsert). */
  returning?: readonly string[];
}

const SIZES = [64, 16, 4, 1] as const;
const texts = new Map<string, string>();

function isPostgres(db: Kysely<any> | Transaction<any>): boolean {
  return !(db.getExecutor().adapter instanceof SqliteAdapter);
}

const q = (name: string) => `"${name}"`;

function values(pg: boolean, rows: number, width: number, casts: readonly (string | undefined)[] = []): string {
  const out: string[] = [];
  for (let r = 0; r < rows; r++) {
    const cells: string[] = [];
    for (let c = 0; c < width; c++) cells.push(pg ? `$${r * width + c + 1}${casts[c] ? `::${casts[c]}` : ''}` : '?');
    out.push(`(${cells.join(', ')})`);
  }
  return out.join(', ');
}

function upsertText(pg: boolean, spec: UpsertSpec, rows: number): string {
  const key = `${pg}|${spec.table}|${rows}`;
  let text = texts.get(key);
  if (!text) {
    const sets = [
      ...(spec.add ?? []).map((c) => `${q(c)} = ${q(spec.table)}.${q(c)} + excluded.${q(c)}`),
      ...(spec.replace ?? []).map((c) => `${q(c)} = excluded.${q(c)}`),
      ...Object.entries(spec.set ?? {}).map(([c, f]) => `${q(c)} = ${f((n) => `(${q(spec.table)}.${q(n)} + excluded.${q(n)})`, pg)}`),
    ];
    text =
      `insert into ${q(spec.table)} (${spec.columns.map(q).join(', ')}) values ${values(pg, rows, spec.columns.length)} ` +
      `on conflict (${spec.keys.map(q).join(', ')}) do update set ${sets.join(', ')}` +
      (spec.returning?.length ? ` returning ${spec.returning.map(q).join(', ')}` : '');
    texts.set(key, text);
  }
  return text;
}

/** Runs `run(part, size)` over `items` in parts of the fixed sizes. */
async function inParts<T>(items: readonly T[], run: (part: readonly T[], size: number) => Promise<void>): Promise<void> {
  let i = 0;
  for (const size of SIZES) {
    while (items.length - i >= size) {
      await run(items.slice(i, i + size), size);
      i += size;
    }
  }
}

/**
 * Rows in conflict-key order: concurrent batches (several servers on one PostgreSQL) then lock the
 * rows they share in the same order and cannot deadlock each other (each deadlock costs a 1 s
 * deadlock_timeout and a retry of the whole batch). test/durability/multi-server.test.ts asserts
 * none happen; docs/decisions/0017.
 */
function inKeyOrder(keys: readonly string[], rows: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  const cmp = (a: unknown, b: unknown) => (a === b ? 0 : String(a) < String(b) ? -1 : 1);
  return [...rows].sort((x, y) => {
    for (const k of keys) {
      const c = cmp(x[k], y[k]);
      if (c) return c;
    }
    return 0;
  });
}

/** Upserts `rows`; returns the `returning` columns of every row written (none without `returning`). */
export async function upsertMany(db: Kysely<any> | Transaction<any>, spec: UpsertSpec, rows: readonly Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
  const pg = isPostgres(db);
  const out: Record<string, unknown>[] = [];
  await inParts(inKeyOrder(spec.keys, rows), async (part, size) => {
    const params: unknown[] = [];
    for (const row of part) for (const c of spec.columns) params.push(row[c]);
    const result = await db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(upsertText(pg, spec, size), params));
    if (spec.returning?.length) out.push(...result.rows);
  });
  return out;
}

/** Runs one precompiled statement per part of `items` (sizes 64, 16, 4, 1); `text(size, pg)` is built once per size. */
export async function queryInParts<T, R>(
  db: Kysely<any> | Transaction<any>,
  name: string,
  items: readonly T[],
  text: (size: number, pg: boolean) => string,
  params: (item: T, pg: boolean) => unknown[],
): Promise<R[]> {
  const pg = isPostgres(db);
  const out: R[] = [];
  await inParts(items, async (part, size) => {
    const key = `${pg}|query|${name}|${size}`;
    let t = texts.get(key);
    if (!t) texts.set(key, (t = text(size, pg)));
    const result = await db.executeQuery<R>(CompiledQuery.raw(t, part.flatMap((item) => params(item, pg))));
    out.push(...result.rows);
  });
  return out;
}

export { isPostgres, values as placeholders };

/** Deletes the rows whose `keys` equal those of one of `rows` (row values, alike on both dialects). */
export async function deleteRows(
  db: Kysely<any> | Transaction<any>,
  table: string,
  keys: readonly string[],
  rows: readonly Record<string, unknown>[],
): Promise<void> {
  await deleteMatching(db, table, keys, rows, '');
}

/**
 * Deletes the rows among `rows` (matched on `keys`, the primary key) whose `counter` is now 0:
 * rows a batch has emptied keep no conversation id, target key or rater id of records that are
 * gone. Row values `(a, b) in (values (…), …)` run alike on SQLite and PostgreSQL.
 */
export async function deleteEmptied(
  db: Kysely<any> | Transaction<any>,
  table: string,
  keys: readonly string[],
  counter: string,
  rows: readonly Record<string, unknown>[],
  /** PostgreSQL types of non-text keys (a bare parameter in VALUES is text there). */
  types: Readonly<Record<string, string>> = {},
): Promise<void> {
  await deleteMatching(db, table, keys, rows, `${q(counter)} = 0 and `, types);
}

async function deleteMatching(
  db: Kysely<any> | Transaction<any>,
  table: string,
  keys: readonly string[],
  rows: readonly Record<string, unknown>[],
  condition: string,
  types: Readonly<Record<string, string>> = {},
): Promise<void> {
  const pg = isPostgres(db);
  await inParts(inKeyOrder(keys, rows), async (part, size) => {
    const key = `${pg}|delete|${table}|${condition}|${size}`;
    let text = texts.get(key);
    if (!text) {
      text = `delete from ${q(table)} where ${condition}(${keys.map(q).join(', ')}) in (values ${values(pg, size, keys.length, keys.map((k) => types[k]))})`;
      texts.set(key, text);
    }
    const params: unknown[] = [];
    for (const row of part) for (const k of keys) params.push(row[k]);
    await db.executeQuery(CompiledQuery.raw(text, params));
  });
}
