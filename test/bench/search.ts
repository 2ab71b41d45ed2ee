/**
 * Issue 14 (part 7, lexical): search latency at BENCH_SEARCH_ROWS (100,000) feedback records on
 * both backends — SQLite FTS5 and PostgreSQL tsvector + GIN — against a baseline measured in the
 * same run on the same store (a primary-key read of one record), because this machine is shared
 * and noisy. Queries: a rare word, a common one, a word in every record, a prefix, a phrase, two
 * words, a word no record holds, and hostile punctuation.
 *
 * Seeding writes the feedback rows straight through Kysely and indexes them with the exact code
 * the store's projection runs (backend.indexFeedback), a chunk per transaction: much faster than
 * HTTP, and the index is what applyMutations would have built. PostgreSQL: a fresh schema in
 * TEST_DATABASE_URL's database (the tests' default), dropped at the end.
 */
import { sql } from 'kysely';
import { searchBackendFor } from '../../server/search/index.ts';
import { openStore, type Store } from '../../server/store/open.ts';
import type { FeedbackTable } from '../../server/store/schema.ts';
import { ensureWorkspace } from '../../server/store/tokens.ts';
import { columnsFromRecord } from '../../shared/feedback-fields.ts';
import { tempDir } from '../helpers/app.ts';
import { dropPostgresSchema, freshPostgresUrl } from '../helpers/backend.ts';
import type { Bench } from './index.ts';
import { rng } from './rng.ts';

const ROWS = Number(process.env.BENCH_SEARCH_ROWS ?? 100_000);
const DAY_MS = 86_400_000;
const SYLLABLES = ['ka', 'lo', 'mi', 'nu', 're', 'sa', 'to', 'vi', 'ze', 'po', 'da', 'fe', 'gu', 'hi', 'jo', 'be'];
const VOCABULARY = 4096;

/** A pronounceable made-up word per index (no stemming surprises), e.g. 0x1a3 → "lokavi". */
function word(j: number): string {
  let w = '';
  for (let k = 0; k < 3; k++) w += SYLLABLES[(j >> (4 * k)) & 15];
  return w;
}

/** Words drawn with a skewed (roughly Zipf-like) frequency: low indexes are common. */
function words(next: () => number, n: number): string {
  const out: string[] = [];
  for (let k = 0; k < n; k++) out.push(word(Math.floor(VOCABULARY * next() ** 3)));
  return out.join(' ');
}

function row(i: number, today: number): FeedbackTable {
  const next = rng(i + 1);
  const at = new Date(today - (i % 365) * DAY_MS - (i % 86_000) * 1000).toISOString();
  // One record in five is a second rater on the previous record's target (one hit per target).
  const shared = i % 5 === 4;
  const id = `01900000-0000-7000-8000-${i.toString(16).padStart(12, '0')}`;
  const input = {
    id,
    target: {
      kind: 'chat_response',
      key: shared ? `t-${i - 1}` : `t-${i}`,
      site: 'chatgpt',
      model: 'gpt-5',
      conversationId: `conv-${Math.floor(i / 5)}`,
      prompt: `Why did the nightly ingestion of table t_${i % 977} fail? ${words(next, 12)}`,
      output: `The upstream partition was late. ${words(next, 40)}`,
    },
    rating: { thumb: next() < 0.7 ? 'up' : 'down' },
    ...(i % 3 === 0 ? { comment: words(next, 10) } : {}),
    createdAt: at,
    updatedAt: at,
  };
  return {
    ...columnsFromRecord(input),
    workspace_id: i % 10 === 0 ? 'other' : 'default',
    rater_id: `rater-${(i + (shared ? 1 : 0)) % 500}`,
    client_id: 'bench',
    received_at: at,
    record: JSON.stringify(input),
    content_hash: id,
  } as FeedbackTable;
}

async function seed(store: Store): Promise<number> {
  await ensureWorkspace(store.db, 'default');
  await ensureWorkspace(store.db, 'other');
  const today = Date.now();
  const started = performance.now();
  const CHUNK = 1000;
  for (let from = 0; from < ROWS; from += CHUNK) {
    const chunk: FeedbackTable[] = [];
    for (let i = from; i < Math.min(ROWS, from + CHUNK); i++) chunk.push(row(i, today));
    await store.db.transaction().execute(async (trx) => {
      await trx.insertInto('feedback').values(chunk).execute();
      await searchBackendFor(trx).indexFeedback(trx, chunk.map((after) => ({ before: null, after })));
    });
  }
  return (performance.now() - started) / 1000;
}

async function median(times: number, fn: () => Promise<unknown>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return Math.round(ms[Math.floor(ms.length / 2)]! * 100) / 100;
}

const QUERIES: Record<string, string> = {
  rareWord: word(4000),
  commonWord: word(0),
  everyRecord: 'nightly',
  prefix: 'ingest',
  phrase: '"upstream partition was late"',
  twoWords: `${word(3)} ${word(40)}`,
  noMatch: 'zzqxv',
  hostile: `"&|!():* ${word(7)} <-> '\u0000`,
};

async function measure(store: Store, backend: string): Promise<Record<string, unknown>> {
  const search = searchBackendFor(store.db);
  const seedSeconds = await seed(store);
  if (backend === 'sqlite') store.sqlite!.exec('ANALYZE');
  else await sql`ANALYZE`.execute(store.db);
  const baselineMs = await median(51, () =>
    store.db.selectFrom('feedback').select(['id', 'record']).where('workspace_id', '=', 'default').where('id', '=', '01900000-0000-7000-8000-000000000003').execute(),
  );
  const queries: Record<string, { ms: number; ratio: number; hits: number }> = {};
  for (const [name, q] of Object.entries(QUERIES)) {
    const hits = (await search.search(store.db, 'default', q, { limit: 20 })).length;
    const ms = await median(11, () => search.search(store.db, 'default', q, { limit: 20 }));
    queries[name] = { ms, ratio: Math.round((ms / Math.max(baselineMs, 0.01)) * 10) / 10, hits };
  }
  return { backend: search.name, rows: ROWS, seedSeconds: Math.round(seedSeconds * 10) / 10, baselineMs, queries };
}

const bench: Bench = {
  name: 'search',
  description: `lexical search latency at ${ROWS.toLocaleString('en')} records, SQLite FTS5 and PostgreSQL full-text, against a primary-key read`,
  async run() {
    const out: Record<string, unknown> = {};
    const sqlite = await openStore({ dataDir: tempDir('gt-bench-search-') });
    try {
      out.sqlite = await measure(sqlite, 'sqlite');
    } finally {
      await sqlite.close();
    }
    let url: string | undefined;
    try {
      url = await freshPostgresUrl('bench_search');
      const pg = await openStore({ databaseUrl: url, poolSize: 4 });
      try {
        out.postgres = await measure(pg, 'postgres');
      } finally {
        await pg.close();
      }
    } catch (err) {
      out.postgres = { skipped: `PostgreSQL not reachable or failed: ${(err as Error).message}` };
    } finally {
      if (url) await dropPostgresSchema(url).catch(() => {});
    }
    return out;
  },
};

export default bench;
