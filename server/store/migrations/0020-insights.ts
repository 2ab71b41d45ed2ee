import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';

/**
 * Rollups for insights (daily counts per dimension, distinct raters/conversations per day, votes
 * per target for agreement), the export projection (prompt/example hashes for streaming dedup),
 * and export runs. Dialect-neutral: runs on SQLite and PostgreSQL. See server/insights/tables.ts
 * and docs/decisions/0020 to 0023.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const count = (name: string) => (t: any) => t.addColumn(name, 'integer', (c: any) => c.notNull().defaultTo(0));
  const sum = (name: string) => (t: any) => t.addColumn(name, 'double precision', (c: any) => c.notNull().defaultTo(0));

  let daily: any = db.schema
    .createTable('rollup_daily')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('intent', 'text', (c) => c.notNull())
    .addColumn('project', 'text', (c) => c.notNull())
    .addColumn('site', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull());
  for (const c of ['n', 'up', 'down', 'stars_n', 'stars_sum', 'stars_1', 'stars_2', 'stars_3', 'stars_4', 'stars_5', 'latency_n', 'tokens_n']) {
    daily = count(c)(daily);
  }
  for (const c of ['latency_sum', 'tokens_sum']) daily = sum(c)(daily);
  await daily
    .addPrimaryKeyConstraint('rollup_daily_pk', ['workspace_id', 'day', 'model', 'intent', 'project', 'site', 'kind'])
    .execute();

  await db.schema
    .createTable('rollup_members')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('facet', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('rollup_members_pk', ['workspace_id', 'facet', 'day', 'value'])
    .execute();

  let targets: any = db.schema
    .createTable('rollup_targets')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('target_key', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull());
  for (const c of ['n', 'up', 'down', 'stars_n', 'stars_1', 'stars_2', 'stars_3', 'stars_4', 'stars_5']) targets = count(c)(targets);
  await targets.addPrimaryKeyConstraint('rollup_targets_pk', ['workspace_id', 'target_key', 'model']).execute();
  // Agreement reads only targets rated by two or more raters: a small partial index.
  await db.schema
    .createIndex('rollup_targets_shared')
    .on('rollup_targets')
    .columns(['workspace_id', 'model'])
    .where(sql.ref('n'), '>=', 2)
    .execute();

  await db.schema
    .createTable('feedback_examples')
    .addColumn('feedback_id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('prompt_hash', 'text', (c) => c.notNull())
    .addColumn('example_hash', 'text', (c) => c.notNull())
    .execute();
  // Exports read examples in this order (no sort step): one prompt at a time, identical examples adjacent.
  await db.schema
    .createIndex('feedback_examples_order')
    .on('feedback_examples')
    .columns(['workspace_id', 'prompt_hash', 'example_hash', 'created_at', 'feedback_id'])
    .execute();

  await db.schema
    .createTable('export_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('filters', 'text', (c) => c.notNull())
    .addColumn('split', 'double precision')
    .addColumn('via', 'text', (c) => c.notNull())
    .addColumn('actor', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('counts', 'text')
    .addColumn('files', 'text')
    .addColumn('error', 'text')
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema.createIndex('export_runs_ws_started').on('export_runs').columns(['workspace_id', 'started_at']).execute();

  // A store that already holds feedback gets its rollups computed once.
  await backfill(db);
}

/*
 * The backfill, frozen: a copy of what server/insights/rollups.ts `rebuildRollups` computed when
 * this migration shipped, reading only the columns feedback had then (0010). Written out here on
 * purpose, not imported, so a later change to the live rollups (a new dimension, a criterion) cannot
 * change what this migration does to a store it upgrades: a later rule brings its own migration.
 * The tables above are new and empty, so every contribution only adds.
 */

const DAILY_KEYS = ['workspace_id', 'day', 'model', 'intent', 'project', 'site', 'kind'] as const;
const DAILY_COUNTS = [
  'n', 'up', 'down', 'stars_n', 'stars_sum', 'stars_1', 'stars_2', 'stars_3', 'stars_4', 'stars_5',
  'latency_n', 'latency_sum', 'tokens_n', 'tokens_sum',
] as const;
const MEMBER_KEYS = ['workspace_id', 'facet', 'day', 'value'] as const;
const TARGET_KEYS = ['workspace_id', 'target_key', 'model'] as const;
const TARGET_COUNTS = ['n', 'up', 'down', 'stars_n', 'stars_1', 'stars_2', 'stars_3', 'stars_4', 'stars_5'] as const;

interface Row0010 {
  id: string;
  workspace_id: string;
  rater_id: string;
  target_key: string;
  kind: string;
  site: string | null;
  model: string | null;
  intent: string | null;
  project: string | null;
  conversation_id: string | null;
  thumb: string | null;
  stars: number | null;
  created_at: string;
  record: string | null;
}

interface Record0020 {
  target?: { prompt?: string; output?: string; messages?: unknown[]; context?: Record<string, unknown> };
  correction?: { output?: string };
}

type Counted = Record<string, string | number>;

/** JSON with object keys sorted (shared/hash.ts canonicalJson as of 0020). */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v as Record<string, unknown>).sort()) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }
    return v;
  });
}

const hash32 = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);
const wholeNonNegative = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v) : null);

function add(map: Map<string, Counted>, keys: Counted, counts: readonly string[], by: Record<string, number>): void {
  const key = JSON.stringify(Object.values(keys));
  let row = map.get(key);
  if (!row) {
    row = { ...keys, ...Object.fromEntries(counts.map((c) => [c, 0])) };
    map.set(key, row);
  }
  for (const [c, v] of Object.entries(by)) (row[c] as number) += v;
}

/** Rows that add to what is stored under the same key (a key met again on a later page). */
async function upsertAdding(db: Kysely<any>, table: string, keys: readonly string[], counts: readonly string[], rows: Counted[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    await db
      .insertInto(table)
      .values(rows.slice(i, i + 200))
      .onConflict((oc) =>
        oc.columns(keys as string[]).doUpdateSet(Object.fromEntries(counts.map((c) => [c, sql`${sql.ref(`${table}.${c}`)} + ${sql.ref(`excluded.${c}`)}`]))),
      )
      .execute();
  }
}

async function backfill(db: Kysely<any>): Promise<void> {
  let after: [string, string] | null = null;
  for (;;) {
    let q = db
      .selectFrom('feedback')
      .select(['id', 'workspace_id', 'rater_id', 'target_key', 'kind', 'site', 'model', 'intent', 'project', 'conversation_id', 'thumb', 'stars', 'created_at', 'record'])
      .where('deleted', '=', 0);
    if (after) {
      const [ws, id] = after;
      q = q.where((eb: any) => eb.or([eb('workspace_id', '>', ws), eb.and([eb('workspace_id', '=', ws), eb('id', '>', id)])]));
    }
    const rows = (await q.orderBy('workspace_id').orderBy('id').limit(2000).execute()) as Row0010[];
    if (!rows.length) return;
    const daily = new Map<string, Counted>();
    const members = new Map<string, Counted>();
    const targets = new Map<string, Counted>();
    const examples: Counted[] = [];
    for (const row of rows) {
      let record: Record0020 = {};
      try {
        record = row.record ? (JSON.parse(row.record) as Record0020) : {};
      } catch {
        /* a row without a readable record still counts by its columns */
      }
      const ws = row.workspace_id;
      const day = row.created_at.slice(0, 10);
      const model = row.model ?? '';
      const stars = row.stars !== null && row.stars >= 1 && row.stars <= 5 ? row.stars : null;
      const context = record.target?.context ?? {};
      const latency = wholeNonNegative(context.latency_ms);
      const tokens = wholeNonNegative(context.tokens_used);
      const votes = { n: 1, up: row.thumb === 'up' ? 1 : 0, down: row.thumb === 'down' ? 1 : 0, ...(stars ? { stars_n: 1, [`stars_${stars}`]: 1 } : {}) };
      const dims = { workspace_id: ws, day, model, intent: row.intent ?? '', project: row.project ?? '', site: row.site ?? '', kind: row.kind ?? '' };
      add(daily, dims, DAILY_COUNTS, {
        ...votes,
        ...(stars ? { stars_sum: stars } : {}),
        ...(latency !== null ? { latency_n: 1, latency_sum: latency } : {}),
        ...(tokens !== null ? { tokens_n: 1, tokens_sum: tokens } : {}),
      });
      add(members, { workspace_id: ws, facet: 'rater', day, value: row.rater_id }, ['n'], { n: 1 });
      if (row.conversation_id) add(members, { workspace_id: ws, facet: 'conversation', day, value: row.conversation_id }, ['n'], { n: 1 });
      add(targets, { workspace_id: ws, target_key: row.target_key, model }, TARGET_COUNTS, votes);
      const t = record.target;
      const prompt = t?.prompt;
      const output = t?.output ?? '';
      if (prompt && prompt.trim() && (output.trim() || record.correction?.output?.trim())) {
        const promptHash = hash32(canonicalJson([t.messages ?? [], prompt]));
        examples.push({ feedback_id: row.id, workspace_id: ws, created_at: row.created_at, prompt_hash: promptHash, example_hash: hash32(canonicalJson([promptHash, output])) });
      }
    }
    await upsertAdding(db, 'rollup_daily', DAILY_KEYS, DAILY_COUNTS, [...daily.values()]);
    await upsertAdding(db, 'rollup_members', MEMBER_KEYS, ['n'], [...members.values()]);
    await upsertAdding(db, 'rollup_targets', TARGET_KEYS, TARGET_COUNTS, [...targets.values()]);
    for (let i = 0; i < examples.length; i += 200) await db.insertInto('feedback_examples').values(examples.slice(i, i + 200)).execute();
    const last = rows[rows.length - 1]!;
    after = [last.workspace_id, last.id];
  }
}
