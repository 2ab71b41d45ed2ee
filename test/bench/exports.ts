/**
 * Issue 4 benchmarks, each against a baseline measured in the same run:
 * - export throughput (rows/s) from 1,000,000 stored ratings, for a record format (jsonl) and a
 *   training format (openai-sft: grouped by prompt, merged, labelled);
 * - peak memory of an export of 100,000 rows against one of 1,000,000 (each in a child process,
 *   maxRSS from the OS): it must stay flat;
 * - accuracy query time at 10,000 against 1,000,000 stored ratings: it must not grow with rows.
 *
 * The stores are seeded straight through better-sqlite3 (feedback rows) plus the rollup code the
 * change listener runs (applyRollupChanges), in large transactions: minutes faster than HTTP, and
 * the rollups are exactly what the listener would have written. Size: BENCH_EXPORT_ROWS (1e6).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { accuracy } from '../../server/insights/accuracy.ts';
import { agreement } from '../../server/insights/agreement.ts';
import { applyRollupChanges } from '../../server/insights/rollups.ts';
import { stats } from '../../server/insights/stats.ts';
import { openStore, type Store } from '../../server/store/open.ts';
import type { FeedbackTable } from '../../server/store/schema.ts';
import { ensureWorkspace } from '../../server/store/tokens.ts';
import { columnsFromRecord } from '../../shared/feedback-fields.ts';
import { tempDir } from '../helpers/app.ts';
import type { Bench } from './index.ts';

const run = promisify(execFile);
const BIG = Number(process.env.BENCH_EXPORT_ROWS ?? 1_000_000);
const SMALL_EXPORT = Math.round(BIG / 10);
const SMALL_STORE = Math.round(BIG / 100);
/** Rows are spread evenly over this many days, so the last DAYS/10 days hold a tenth of them. */
const DAYS = 100;
const MODELS = ['gpt-5', 'gpt-4o', 'claude-sonnet', 'gemini-pro', 'llama-70b'];
const INTENTS = ['code', 'sql', 'explain', 'summarize'];
const SITES = ['chatgpt', 'claude', 'gemini'];
const DAY_MS = 86_400_000;
/** Old-space limit of each export child (MB). */
const HEAP_CAP_MB = 96;

const COLUMNS = [
  'id', 'workspace_id', 'rater_id', 'client_id', 'target_key', 'kind', 'site', 'model', 'intent', 'project', 'subject',
  'conversation_id', 'thumb', 'stars', 'label', 'created_at', 'updated_at', 'received_at', 'deleted', 'record', 'content_hash',
] as const;

/** A deterministic row: 30% of prompts come from a pool of 1,000 popular ones with 3 answers each (merging). */
function row(i: number, rows: number, today: number): FeedbackTable {
  const day = Math.floor((i * DAYS) / rows);
  const at = new Date(today - (DAYS - 1 - day) * DAY_MS + (i % 86_000) * 1000).toISOString();
  const popular = i % 10 < 3;
  const prompt = popular ? `Popular question ${i % 1000}: how do I retry a failed job?` : `Question ${i}: why did the nightly ingestion of table t_${i % 977} fail?`;
  const output = popular ? `Answer variant ${i % 3} to popular ${i % 1000}. `.padEnd(300, 'Retry with backoff. ') : `Answer ${i}: `.padEnd(400, 'The upstream partition was late; rerun after it lands. ');
  // One rating in ten is a second rater on the previous row's target (agreement units).
  const shared = i % 10 === 9;
  const model = MODELS[(shared ? i - 1 : i) % 5]!;
  const thumb = (i * 7) % 10 < 7 ? 'up' : 'down';
  const stars = i % 4 === 0 ? 1 + (i % 5) : null;
  const targetKey = shared ? `t-${i - 1}` : `t-${i}`;
  const conversation = `conv-${Math.floor(i / 5)}`;
  const id = `01900000-0000-7000-8000-${i.toString(16).padStart(12, '0')}`;
  const input = {
    id,
    target: {
      kind: 'chat_response', key: targetKey, site: SITES[i % 3], conversationId: conversation, model, intent: INTENTS[i % 4], prompt, output,
      context: { latency_ms: 500 + (i % 1500), tokens_used: 100 + (i % 700) },
    },
    rating: { thumb, ...(stars ? { stars } : {}) },
    createdAt: at,
    updatedAt: at,
  };
  // The record's columns from its description (shared/feedback-fields.ts), then the server's.
  return {
    ...columnsFromRecord(input),
    workspace_id: 'default', rater_id: `rater-${(i + (shared ? 1 : 0)) % 1000}`, client_id: 'bench', source_channel: 'extension', received_at: at,
    record: JSON.stringify(input), content_hash: id,
  };
}

export async function seed(rows: number): Promise<{ store: Store; dataDir: string; seconds: number }> {
  const dataDir = tempDir('gt-bench-exports-');
  const store = await openStore({ dataDir });
  await ensureWorkspace(store.db, 'default');
  const sqlite = store.sqlite!;
  const insert = sqlite.prepare(`insert into feedback (${COLUMNS.join(', ')}) values (${COLUMNS.map(() => '?').join(', ')})`);
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  const started = performance.now();
  const CHUNK = 20_000;
  for (let from = 0; from < rows; from += CHUNK) {
    const chunk: FeedbackTable[] = [];
    for (let i = from; i < Math.min(rows, from + CHUNK); i++) chunk.push(row(i, rows, today));
    sqlite.exec('BEGIN');
    for (const r of chunk) insert.run(COLUMNS.map((c) => r[c]));
    // The exact code the change listener runs, on the same connection and transaction.
    await applyRollupChanges(store.db, chunk.map((after) => ({ before: null, after })));
    sqlite.exec('COMMIT');
  }
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  sqlite.exec('ANALYZE');
  return { store, dataDir, seconds: (performance.now() - started) / 1000 };
}

async function childExport(dataDir: string, options: object): Promise<Record<string, number>> {
  const out = path.join(dataDir, `bench-${Math.random().toString(36).slice(2)}.out`);
  const child = path.resolve(import.meta.dirname, 'export-child.ts');
  // A capped old space: an export that held rows would die here; a streaming one just collects more often.
  const { stdout } = await run(process.execPath, [`--max-old-space-size=${HEAP_CAP_MB}`, '--expose-gc', '--import', 'tsx', child, JSON.stringify({ dataDir, out, options })], {
    maxBuffer: 1024 * 1024,
    timeout: 600_000,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!);
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

const bench: Bench = {
  name: 'exports',
  description: `export rows/s from ${BIG.toLocaleString('en')} ratings, peak memory ${SMALL_EXPORT.toLocaleString('en')} vs ${BIG.toLocaleString('en')}, accuracy at ${SMALL_STORE.toLocaleString('en')} vs ${BIG.toLocaleString('en')}`,
  async run() {
    const big = await seed(BIG);
    const small = await seed(SMALL_STORE);
    const sizeMB = Math.round(fs.statSync(path.join(big.dataDir, 'groundtruth.sqlite')).size / 1024 / 1024);

    const timeOf = async (store: Store) => ({
      accuracyByModelMs: await median(21, () => accuracy(store.db, 'default', { groupBy: ['model'] })),
      accuracyBy5DimsMs: await median(11, () => accuracy(store.db, 'default', { groupBy: ['model', 'intent', 'project', 'site', 'kind'] })),
      stats30DaysMs: await median(11, () => stats(store.db, 'default', { days: 30 })),
    });
    const queriesSmall = await timeOf(small.store);
    const queriesBig = await timeOf(big.store);
    const agreementBigMs = await median(3, () => agreement(big.store.db, 'default'));
    await small.store.close();
    await big.store.close();

    const lastTenth = { days: DAYS / 10 };
    const jsonlSmall = await childExport(big.dataDir, { format: 'jsonl', filters: lastTenth });
    const jsonlBig = await childExport(big.dataDir, { format: 'jsonl', filters: { all: true } });
    const sftSmall = await childExport(big.dataDir, { format: 'openai-sft', filters: lastTenth, split: 0.1 });
    const sftBig = await childExport(big.dataDir, { format: 'openai-sft', filters: { all: true }, split: 0.1 });
    fs.rmSync(big.dataDir, { recursive: true, force: true });
    fs.rmSync(small.dataDir, { recursive: true, force: true });

    const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
    return {
      seed: { rows: BIG, seconds: Math.round(big.seconds), storeMB: sizeMB },
      exportRowsPerSecond: { jsonl: jsonlBig.rowsPerSecond, 'openai-sft (split 0.1)': sftBig.rowsPerSecond },
      memory: {
        jsonl: { [`maxRssMB@${SMALL_EXPORT}`]: jsonlSmall.maxRssMB, [`maxRssMB@${BIG}`]: jsonlBig.maxRssMB, ratio: ratio(jsonlBig.maxRssMB!, jsonlSmall.maxRssMB!), peakHeapUsedMB: [jsonlSmall.peakHeapUsedMB, jsonlBig.peakHeapUsedMB] },
        'openai-sft': { [`maxRssMB@${SMALL_EXPORT}`]: sftSmall.maxRssMB, [`maxRssMB@${BIG}`]: sftBig.maxRssMB, ratio: ratio(sftBig.maxRssMB!, sftSmall.maxRssMB!), peakHeapUsedMB: [sftSmall.peakHeapUsedMB, sftBig.peakHeapUsedMB] },
        childBaselineRssMB: jsonlSmall.baselineRssMB,
        childHeapCapMB: HEAP_CAP_MB,
      },
      exports: { jsonlSmall, jsonlBig, sftSmall, sftBig },
      queries: {
        [`at${SMALL_STORE}`]: queriesSmall,
        [`at${BIG}`]: queriesBig,
        accuracyRatio: ratio(queriesBig.accuracyByModelMs, queriesSmall.accuracyByModelMs),
        agreementMsAtBig: agreementBigMs,
      },
    };
  },
};

export default bench;
