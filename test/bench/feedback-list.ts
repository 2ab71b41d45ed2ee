/**
 * Issue 19, item 4: the feedback list (`listFeedback`, what GET /v1/feedback and the dashboard's
 * browser read) under 50 random combinations of the shared filters at BENCH_LIST_ROWS (1,000,000)
 * ratings, first page (50 records) and the page after it, before and after migration 0250's filter
 * indexes (server/store/filter-indexes.ts), in one run on one store, with the same list code. The baseline is a primary-key read.
 *
 * Combinations are drawn from the one filter description (shared/filters.ts, FILTER_PARAMS and
 * FILTER_DEFS): 1–3 parameters, each value taken from a random stored row (so it matches) or, one
 * time in five, one that no row holds (so the list is empty); windows and star ranges at random.
 * The data are correlated on purpose: a model's ratings are all thumbs up or all stars of one value
 * (`model=gpt-5&thumb=down` matches nothing, the issue's case), a judge posts only through the API.
 * Seeded straight through better-sqlite3 (the list reads no rollups).
 */
import type { Kysely } from 'kysely';
import { FILTER_DEFS, FILTER_PARAMS, conflicts, type FilterParam } from '../../shared/filters.ts';
import { columnsFromRecord } from '../../shared/feedback-fields.ts';
import { TARGET_KINDS } from '../../shared/schemas.ts';
import { listFeedback } from '../../server/store/feedback-read.ts';
import { down as withoutFilterIndexes, up as withFilterIndexes } from '../../server/store/migrations/0250-filter-indexes.ts';
import { openStore } from '../../server/store/open.ts';
import type { DB, FeedbackTable } from '../../server/store/schema.ts';
import { ensureWorkspace } from '../../server/store/tokens.ts';
import { tempDir } from '../helpers/app.ts';
import fs from 'node:fs';
import type { Bench } from './index.ts';
import { rng } from './rng.ts';

const ROWS = Number(process.env.BENCH_LIST_ROWS ?? 1_000_000);
const COMBOS = 50;
const DAYS = 100;
const DAY_MS = 86_400_000;
const MODELS = ['gpt-5', 'gpt-4o', 'claude-sonnet', 'gemini-pro', 'llama-70b'];
const INTENTS = ['code', 'sql', 'explain', 'summarize'];
const SITES = ['chatgpt', 'claude', 'gemini'];
const PROJECTS = [null, 'alpha', 'beta', 'gamma'];
const CRITERIA = ['overall', 'overall', 'overall', 'tone', 'correctness'];

function row(i: number, today: number, rows = ROWS): FeedbackTable {
  const day = Math.floor((i * DAYS) / rows);
  const at = new Date(today - (DAYS - 1 - day) * DAY_MS + (i % 86_000) * 1000).toISOString();
  const model = MODELS[i % 5]!;
  // gpt-5 (i % 5 = 0) is always up; stars only on i % 4 = 0, one value per model.
  const thumb = i % 5 === 0 ? 'up' : (i * 7) % 10 < 7 ? 'up' : 'down';
  const stars = i % 4 === 0 ? 1 + (i % 5) : undefined;
  const judge = i % 20 === 7;
  const id = `01900000-0000-7000-8000-${i.toString(16).padStart(12, '0')}`;
  const input = {
    id,
    target: {
      kind: i % 50 === 3 ? 'error_analysis' : TARGET_KINDS[0], key: `t-${i >> 1}`, site: SITES[i % 3], model, intent: INTENTS[i % 4],
      ...(PROJECTS[i % 4] ? { project: PROJECTS[i % 4] } : {}), ...(i % 7 === 0 ? { subject: `subject-${i % 300}` } : {}),
      conversationId: `conv-${Math.floor(i / 5)}`, prompt: `Question ${i}`, output: `Answer ${i}`,
    },
    rating: { thumb, ...(stars ? { stars } : {}), ...(i % 23 === 0 ? { label: i % 2 ? 'bug' : 'harmful' } : {}) },
    ...(i % 31 === 0 ? { correction: { output: `Better answer ${i}` } } : {}),
    ...(CRITERIA[i % 5] !== 'overall' ? { criterion: CRITERIA[i % 5] } : {}),
    ...(judge ? { source: { type: 'model', name: i % 40 === 7 ? 'judge-a' : 'judge-b' } } : {}),
    ...(i % 100 === 11 ? { queueId: `queue-${i % 3}` } : {}),
    createdAt: at,
    updatedAt: at,
  };
  return {
    ...columnsFromRecord(input),
    workspace_id: i % 10 === 5 ? 'other' : 'default', rater_id: judge ? 'pipeline' : `rater-${i % 2000}`, client_id: 'bench',
    source_channel: judge ? 'api' : i % 9 === 0 ? 'link' : 'extension', received_at: at, record: JSON.stringify(input), content_hash: id,
  } as FeedbackTable;
}

export async function seed(rows = ROWS) {
  const dataDir = tempDir('gt-bench-list-');
  const store = await openStore({ dataDir });
  await ensureWorkspace(store.db, 'default');
  await ensureWorkspace(store.db, 'other');
  const sqlite = store.sqlite!;
  // Seeded as the schema was before migration 0250 (the "before"), which then runs on the full table.
  await withoutFilterIndexes(store.db);
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  const columns = Object.keys(row(0, today));
  const insert = sqlite.prepare(`insert into feedback (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`);
  const started = performance.now();
  const tx = sqlite.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const r = row(i, today, rows) as unknown as Record<string, unknown>;
      insert.run(columns.map((c) => r[c]));
    }
  });
  for (let from = 0; from < rows; from += 50_000) tx(from, Math.min(rows, from + 50_000));
  sqlite.exec('ANALYZE');
  return { store, dataDir, seconds: (performance.now() - started) / 1000 };
}

type Combo = Partial<Record<FilterParam, string | number | boolean>>;

/** 1–3 filters from the description, values from random stored rows (or none that match). */
export function combos(sqlite: import('better-sqlite3').Database, n: number): Combo[] {
  const next = rng(19);
  const maxRowid = (sqlite.prepare('select max(rowid) m from feedback').get() as { m: number }).m;
  const rowAt = sqlite.prepare("select * from feedback where rowid >= ? and workspace_id = 'default' limit 1");
  const out: Combo[] = [{ model: 'gpt-5', thumb: 'down' }];
  while (out.length < n) {
    const combo: Combo = {};
    const k = 1 + Math.floor(next() * 3);
    for (let j = 0; j < k; j++) {
      const param = FILTER_PARAMS[Math.floor(next() * FILTER_PARAMS.length)]!;
      const def = FILTER_DEFS.get(param)!;
      const r = rowAt.get(1 + Math.floor(next() * maxRowid)) as Record<string, unknown>;
      const missing = next() < 0.2;
      if (def.type === 'datetime') {
        combo[param] = new Date(Date.now() - Math.floor(next() * DAYS) * DAY_MS).toISOString();
      } else if (def.type === 'int') {
        combo[param] = 1 + Math.floor(next() * 5);
      } else if (def.type === 'boolean') {
        combo[param] = next() < 0.5;
      } else if (def.type === 'enum') {
        const values = def.values ?? [];
        combo[param] = (missing ? values[Math.floor(next() * values.length)] : r[def.column]) as string;
      } else {
        combo[param] = missing || r[def.column] === null ? `none-${Math.floor(next() * 1000)}` : (r[def.column] as string);
      }
      if (combo[param] === null || combo[param] === undefined || combo[param] === '') delete combo[param];
    }
    if (Object.keys(combo).length && conflicts(combo as never).length === 0) out.push(combo);
  }
  return out;
}

type List = typeof listFeedback;

async function timeList(db: Kysely<DB>, combo: Combo, list: List) {
  const runs: number[] = [];
  let matched = 0;
  let cursor: string | undefined;
  for (let k = 0; k < 3; k++) {
    const t = performance.now();
    const first = await list(db, { workspaceId: 'default' }, { ...combo, limit: 50 } as never);
    if (first.nextCursor) await list(db, { workspaceId: 'default' }, { ...combo, limit: 50, cursor: first.nextCursor } as never);
    runs.push(performance.now() - t);
    matched = first.items.length;
    cursor = first.nextCursor ?? undefined;
  }
  runs.sort((a, b) => a - b);
  return { ms: Math.round(runs[1]! * 10) / 10, matched: cursor ? `${matched}+` : String(matched) };
}

export async function measure(db: Kysely<DB>, combosToRun: Combo[], list: List = listFeedback) {
  const results = [];
  for (const combo of combosToRun) results.push({ combo, ...(await timeList(db, combo, list)) });
  const sorted = [...results].sort((a, b) => b.ms - a.ms);
  const ms = results.map((r) => r.ms).sort((a, b) => a - b);
  return {
    slowestMs: sorted[0]!.ms,
    p50Ms: ms[Math.floor(ms.length / 2)],
    slowest: sorted.slice(0, 5).map((r) => ({ query: new URLSearchParams(r.combo as Record<string, string>).toString(), ms: r.ms, firstPage: r.matched })),
    issueCase: results[0],
    empty: results.filter((r) => r.matched === '0').length,
  };
}

const bench: Bench = {
  name: 'feedback-list',
  description: `the slowest of ${COMBOS} random filter combinations on the feedback list at ${ROWS.toLocaleString('en')} ratings (first page and the next), before and after the filter indexes`,
  async run() {
    const { store, dataDir, seconds } = await seed();
    const db = store.db;
    const sqlite = store.sqlite!;
    const list = combos(sqlite, COMBOS);
    const byKey = sqlite.prepare("select * from feedback where workspace_id = 'default' and id = ?");
    const baselineMs = (() => {
      const t = performance.now();
      for (let i = 0; i < 1000; i++) byKey.get(`01900000-0000-7000-8000-${(i * 997).toString(16).padStart(12, '0')}`);
      return Math.round(((performance.now() - t) / 1000) * 1000) / 1000;
    })();
    const before = await measure(db, list);
    const t = performance.now();
    await withFilterIndexes(db);
    const indexSeconds = Math.round((performance.now() - t) / 100) / 10;
    const after = await measure(db, list);
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    return {
      rows: ROWS,
      seedSeconds: Math.round(seconds),
      primaryKeyReadMs: baselineMs,
      indexBuildSeconds: indexSeconds,
      before,
      after,
      slowestRatio: Math.round((before.slowestMs / after.slowestMs) * 10) / 10,
      targetMs: 50,
    };
  },
};

export default bench;
