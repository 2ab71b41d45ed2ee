/**
 * Issue 2 benchmarks, each a ratio against a baseline measured in the same run:
 * - sync throughput: 500-mutation batches over real HTTP into a fresh SQLite store, against the
 *   same rows (feedback + event) inserted directly with better-sqlite3, one transaction per batch
 *   (the ratio the issue names); and, reported beside it, against every per-record row the write
 *   transaction stores (feedback, event, the export example and the lexical job on the work queue),
 *   and against every row the server stores for the batch, rollups and the indexer's rows included
 *   (SQLite's whole share of a sync: the ratio to it is what the server's own work costs on top);
 *   in SYNC_ROUNDS rounds that alternate the four after a warm-up: the median round's ratio;
 * - single POST /v1/feedback at 32 in flight, against the same server's /healthz at 32 in flight,
 *   in ROUNDS rounds that alternate the two (this machine's load drifts within a run): the median
 *   round's ratio, and every round's figures.
 */
import type Database from 'better-sqlite3';
import { disagreementOf } from '../../server/insights/agreement-rollup.ts';
import { contributionOf, Deltas, exampleHashes } from '../../server/insights/rollups.ts';
import { feedbackTexts } from '../../server/search/backend.ts';
import { qualityOf } from '../../server/search/rank.ts';
import type { FeedbackTable } from '../../server/store/schema.ts';
import { columnsFromRecord } from '../../shared/feedback-fields.ts';
import type { FeedbackInput } from '../../shared/schemas.ts';
import { checkMutation } from '../../server/store/feedback.ts';
import { openStore } from '../../server/store/open.ts';
import { startWalCheckpointer } from '../../server/store/wal-checkpointer.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { tempDir } from '../helpers/app.ts';
import { startServer } from '../helpers/server.ts';
import type { Bench } from './index.ts';

/** Batches per round of the sync throughput. */
const BATCHES = 10;
const BATCH_SIZE = 500;
const SYNC_ROUNDS = 3;
const WARM_UP_BATCHES = 2;
const ROUNDS = 3;

function record(i: number) {
  const at = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
  return {
    id: uuidv7(),
    target: {
      kind: 'chat_response',
      key: `chatgpt:msg-${i}-${Math.random().toString(36).slice(2)}`,
      site: 'chatgpt',
      model: i % 2 ? 'gpt-5' : 'gpt-4o',
      conversationId: `conv-${i % 97}`,
      prompt: `Question ${i}: how do I configure the retry policy of the nightly ingestion job?`,
      output: `Answer ${i}: `.padEnd(400, 'set retries to three with exponential backoff and alert on the final failure. '),
      context: { latency_ms: 800 + (i % 400), tokens_used: 300 + (i % 50) },
    },
    rating: { thumb: i % 3 ? 'up' : 'down', stars: 1 + (i % 5) },
    comment: i % 4 ? undefined : 'Too vague about the alerting part.',
    createdAt: at,
    updatedAt: at,
  };
}

export function batches(count: number) {
  let n = 0;
  return Array.from({ length: count }, () =>
    Array.from({ length: BATCH_SIZE }, () => {
      const f = record(n++);
      return { id: f.id, op: 'upsert' as const, updatedAt: f.updatedAt, feedback: f };
    }),
  );
}

export type Batch = ReturnType<typeof batches>[number];

/**
 * A fresh store for a raw baseline (or write-path.ts's variants), checkpointed as the server's is,
 * with the workspace its rows name.
 */
export async function openRaw(prefix = 'gt-bench-raw-') {
  const store = await openStore({ dataDir: tempDir(prefix) });
  const db = store.sqlite!;
  // Checkpoints as the server takes them (off the writing thread, store/wal-checkpointer.ts), so
  // the baseline is not slowed by SQLite's automatic checkpoint inside its commits.
  const checkpoints = startWalCheckpointer(db);
  db.prepare("insert into workspaces (id, name, created_at) values ('default', 'default', ?)").run(new Date().toISOString());
  return {
    store,
    db,
    async close() {
      await checkpoints?.stop();
      await store.close();
    },
  };
}

/**
 * The same rows the server writes (a feedback row and an event row per mutation; with `perRecord`
 * also its export example and its work-queue job, the other rows stored per record in the same
 * transaction), straight into SQLite with prepared statements, one transaction per batch.
 * `insert(batches)` returns the milliseconds those batches took; the store stays open between
 * calls, so rounds run against a table that grows as the server's does.
 */
export async function rawStore(perRecord = false) {
  const raw = await openRaw();
  const db = raw.db;
  const insF = db.prepare(`insert into feedback (id, workspace_id, rater_id, client_id, target_key, kind, site, model, intent, project, subject,
    conversation_id, thumb, stars, label, created_at, updated_at, received_at, deleted, record, content_hash)
    values (?, 'default', 'r1', 'c1', ?, ?, ?, ?, null, null, null, ?, ?, ?, null, ?, ?, ?, 0, ?, ?)`);
  const insE = db.prepare(`insert into feedback_events (id, workspace_id, feedback_id, op, actor_rater_id, actor_token_id, client_id, at, before, after)
    values (?, 'default', ?, 'create', 'r1', 't1', 'c1', ?, null, ?)`);
  const insX = db.prepare(`insert into feedback_examples (feedback_id, workspace_id, created_at, prompt_hash, example_hash) values (?, 'default', ?, ?, ?)`);
  const insQ = db.prepare(`insert into work_queue (kind, workspace_id, ref, payload, seq, attempts, enqueued_at, next_attempt_at) values ('lexical', 'default', ?, null, 1, 0, ?, ?)`);
  return {
    insert(data: Batch[]): number {
      // Rows are built before the clock starts: the baseline is the storage engine alone.
      const prepared = data.map((batch) =>
        batch.map((m) => {
          const c = checkMutation(m);
          if ('error' in c) throw new Error(c.error);
          const f = c.record!;
          return { f, json: JSON.stringify(f), hash: c.hash, eventId: uuidv7(), example: exampleHashes(f as never) };
        }),
      );
      const started = performance.now();
      for (const batch of prepared) {
        const now = new Date().toISOString();
        db.transaction(() => {
          for (const { f, json, hash, eventId, example } of batch) {
            insF.run(f.id, f.target.key, f.target.kind, f.target.site, f.target.model, f.target.conversationId, f.rating.thumb, f.rating.stars, f.createdAt, f.updatedAt, now, json, hash);
            insE.run(eventId, f.id, now, json);
            if (!perRecord) continue;
            if (example) insX.run(f.id, f.createdAt, example.promptHash, example.exampleHash);
            insQ.run(f.id, now, now);
          }
        })();
      }
      const ms = performance.now() - started;
      // Untimed: the WAL back into the file now, so this store's checkpoint worker is not still
      // copying it while the server's round runs.
      db.pragma('wal_checkpoint(TRUNCATE)');
      return ms;
    },
    close: raw.close,
  };
}

/** `insert … on conflict (keys) do update` adding every other column (`set` ones take the new value), with `returning` those. */
function upsertStatement(db: Database.Database, table: string, columns: readonly string[], keys: readonly string[], set: readonly string[] = [], returning = false) {
  const counts = columns.filter((c) => !keys.includes(c) && !set.includes(c));
  const updates = [...counts.map((c) => `${c} = ${table}.${c} + excluded.${c}`), ...set.map((c) => `${c} = excluded.${c}`)];
  return db.prepare(
    `insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')}) ` +
      `on conflict (${keys.join(', ')}) do update set ${updates.join(', ')}${returning ? ` returning ${counts.join(', ')}` : ''}`,
  );
}

/**
 * Every row the server stores for a batch, straight into SQLite: in one transaction per batch the
 * feedback rows (every column), the events, the export examples, the lexical jobs and the rollups
 * (daily counts, member days and target counts as upserts, the last two returning their counts as
 * the server's do); then, in a second transaction as the background indexer's, the search docs, the
 * FTS5 rows and the jobs deleted. What the server computes (the rollups' deltas, the index texts)
 * is computed before the clock starts, with the server's own functions: this is SQLite's share of
 * a sync, so the ratio to it is what the server's own bookkeeping costs on top. The bench's records
 * are one vote each on a new target, all on one day: after the warm-up neither side writes a
 * distinct-count or an agreement row (those move only when a member's day turns on or off or a
 * target reaches two votes), so those tables are left out here as the server leaves them alone.
 */
async function rawAllRows() {
  const raw = await openRaw();
  const db = raw.db;
  const statements = new Map<string, Database.Statement>();
  const once = (key: string, make: () => Database.Statement) => statements.get(key) ?? statements.set(key, make()).get(key)!;
  const insE = db.prepare(`insert into feedback_events (id, workspace_id, feedback_id, op, actor_rater_id, actor_token_id, client_id, at, before, after)
    values (?, 'default', ?, 'create', 'r1', 't1', 'bench', ?, null, ?)`);
  const insX = db.prepare('insert into feedback_examples (feedback_id, workspace_id, created_at, prompt_hash, example_hash) values (?, ?, ?, ?, ?)');
  const insQ = db.prepare(`insert into work_queue (kind, workspace_id, ref, payload, seq, attempts, enqueued_at, next_attempt_at) values ('lexical', 'default', ?, null, 1, 0, ?, ?)`);
  const insDoc = db.prepare(`insert into search_docs (doc_key, workspace_id, source, ref_id, target_key, subject, model, at, quality) values (?, 'default', 'feedback', ?, ?, ?, ?, ?, ?)`);
  const insFts = db.prepare('insert into search_fts (rowid, prompt, answer, comment, correction, note) values (?, ?, ?, ?, ?, ?)');
  const delQ = db.prepare("delete from work_queue where kind = 'lexical' and workspace_id = 'default' and ref = ?");
  const values = (row: object, columns: readonly string[]) => columns.map((c) => (row as Record<string, unknown>)[c]);
  return {
    insert(data: Batch[]): number {
      const prepared = data.map((batch) => {
        const now = new Date().toISOString();
        const rows = batch.map((m) => {
          const c = checkMutation(m);
          if ('error' in c) throw new Error(c.error);
          const record = c.record! as FeedbackInput;
          const row: FeedbackTable = Object.assign(columnsFromRecord(record), {
            source_name: '', workspace_id: 'default', rater_id: 'r1', client_id: 'bench', source_channel: 'extension' as const,
            received_at: now, record: c.json!, content_hash: c.hash,
          });
          return { row, record, eventId: uuidv7() };
        });
        const deltas = new Deltas();
        for (const { row } of rows) deltas.change('default', row.id, null, contributionOf(row));
        const targets = [...deltas.targets.values()];
        for (const t of targets) t.disagreement = disagreementOf(t);
        return { now, rows, daily: [...deltas.daily.values()], members: [...deltas.members.values()], targets, examples: [...deltas.examplesUpsert.values()] };
      });
      const started = performance.now();
      for (const { now, rows, daily, members, targets, examples } of prepared) {
        const columns = Object.keys(rows[0]!.row);
        const insF = once(`feedback ${columns}`, () => db.prepare(`insert into feedback (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`));
        const dailyColumns = Object.keys(daily[0]!);
        const memberColumns = Object.keys(members[0]!);
        const targetColumns = Object.keys(targets[0]!);
        const upDaily = once(`daily ${dailyColumns}`, () => upsertStatement(db, 'rollup_daily', dailyColumns, ['workspace_id', 'day', 'model', 'intent', 'project', 'site', 'kind', 'criterion']));
        const upMember = once(`member ${memberColumns}`, () => upsertStatement(db, 'rollup_members', memberColumns, ['workspace_id', 'criterion', 'facet', 'day', 'value'], [], true));
        const upTarget = once(`target ${targetColumns}`, () => upsertStatement(db, 'rollup_targets', targetColumns, ['workspace_id', 'criterion', 'target_key', 'model'], ['disagreement'], true));
        db.transaction(() => {
          for (const { row, eventId } of rows) {
            insF.run(values(row, columns));
            insE.run(eventId, row.id, now, row.record);
            insQ.run(row.id, now, now);
          }
          for (const x of examples) insX.run(x.feedback_id, x.workspace_id, x.created_at, x.prompt_hash, x.example_hash);
          for (const d of daily) upDaily.run(values(d, dailyColumns));
          for (const m of members) upMember.get(values(m, memberColumns));
          for (const t of targets) upTarget.get(values(t, targetColumns));
        })();
        db.transaction(() => {
          for (const { row, record } of rows) {
            const rowid = Number(insDoc.run(`feedback:default:${row.id}`, row.id, row.target_key, row.subject, row.model, row.created_at, qualityOf(row)).lastInsertRowid);
            const t = feedbackTexts(record);
            insFts.run(rowid, t.prompt, t.answer, t.comment, t.correction, '');
            delQ.run(row.id);
          }
        })();
      }
      const ms = performance.now() - started;
      db.pragma('wal_checkpoint(TRUNCATE)'); // untimed, as in rawStore
      return ms;
    },
    close: raw.close,
  };
}

/** The same batches through POST /v1/sync of a real server; `send(batches)` returns their milliseconds. */
async function syncServer() {
  const server = await startServer({ env: { RATE_LIMIT_PER_MINUTE: '0' } }); // measuring the write path, not the limiter
  const token = await server.createToken('rater', 'bench');
  return {
    async send(data: Batch[]): Promise<number> {
      // Bodies are built before the clock starts, as the raw baseline's rows are: the client's
      // serialization is not the server's write path.
      const bodies = data.map((batch) => JSON.stringify({ clientId: 'bench', mutations: batch }));
      const started = performance.now();
      for (const body of bodies) {
        const res = await fetch(`${server.url}/v1/sync`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body,
        });
        const answer = (await res.json()) as { results: { status: string }[] };
        if (!res.ok || answer.results.some((r) => r.status !== 'applied')) throw new Error(`sync failed: ${res.status}`);
      }
      return performance.now() - started;
    },
    /** Untimed: until the background indexer has taken every job (/readyz), so a raw round after this one runs on a quiet machine. */
    async idle(): Promise<void> {
      for (;;) {
        const ready = (await (await fetch(`${server.url}/readyz`)).json()) as { queue?: { pending: number } };
        if (!ready.queue?.pending) return;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    stop: () => server.stop(),
  };
}

/**
 * Sync throughput in SYNC_ROUNDS rounds that alternate the raw baselines and the server (this
 * machine's load drifts within a run), after WARM_UP_BATCHES untimed batches on each (the JIT, the
 * first pages of every table): the median round's ratio, and every round's figures.
 */
async function measureSync() {
  const data = batches(WARM_UP_BATCHES + SYNC_ROUNDS * BATCHES);
  const warmUp = data.slice(0, WARM_UP_BATCHES);
  const raw = await rawStore();
  const rawPerRecord = await rawStore(true);
  const rawAll = await rawAllRows();
  const http = await syncServer();
  const rowsPerSecond = (ms: number) => Math.round((BATCHES * BATCH_SIZE) / (ms / 1000));
  try {
    raw.insert(warmUp);
    rawPerRecord.insert(warmUp);
    rawAll.insert(warmUp);
    await http.send(warmUp);
    await http.idle();
    const rounds: { rawRowsPerSecond: number; httpRowsPerSecond: number; ratio: number; rawPerRecordRowsPerSecond: number; ratioToPerRecordRows: number; rawAllRowsPerSecond: number; ratioToAllRows: number }[] = [];
    for (let r = 0; r < SYNC_ROUNDS; r++) {
      const part = data.slice(WARM_UP_BATCHES + r * BATCHES, WARM_UP_BATCHES + (r + 1) * BATCHES);
      const rawMs = raw.insert(part);
      const perRecordMs = rawPerRecord.insert(part);
      const allRowsMs = rawAll.insert(part);
      const httpMs = await http.send(part);
      await http.idle();
      rounds.push({
        rawRowsPerSecond: rowsPerSecond(rawMs),
        httpRowsPerSecond: rowsPerSecond(httpMs),
        ratio: Number((rawMs / httpMs).toFixed(2)),
        rawPerRecordRowsPerSecond: rowsPerSecond(perRecordMs),
        ratioToPerRecordRows: Number((perRecordMs / httpMs).toFixed(2)),
        rawAllRowsPerSecond: rowsPerSecond(allRowsMs),
        ratioToAllRows: Number((allRowsMs / httpMs).toFixed(2)),
      });
    }
    const median = [...rounds].sort((a, b) => a.ratio - b.ratio)[Math.floor(SYNC_ROUNDS / 2)]!;
    // Each ratio's own median too: the round with the median `ratio` need not hold the others'.
    const medianOf = (k: 'ratio' | 'ratioToPerRecordRows' | 'ratioToAllRows') => rounds.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(SYNC_ROUNDS / 2)]!;
    const medians = { ratio: medianOf('ratio'), ratioToPerRecordRows: medianOf('ratioToPerRecordRows'), ratioToAllRows: medianOf('ratioToAllRows') };
    return { rows: BATCHES * BATCH_SIZE, ...median, medians, goal: '>= 0.5', rounds };
  } finally {
    await raw.close();
    await rawPerRecord.close();
    await rawAll.close();
    await http.stop();
  }
}

/** Fires `total` requests with `inFlight` at a time; returns requests per second and latencies. */
async function closedLoop(total: number, inFlight: number, make: (i: number) => Promise<Response>) {
  let next = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        const res = await make(i);
        await res.arrayBuffer();
        if (res.status >= 300) throw new Error(`status ${res.status}`);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => Number(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(2));
  return { perSecond: Math.round(total / seconds), p50ms: pct(0.5), p99ms: pct(0.99) };
}

async function singlePosts() {
  const server = await startServer({ env: { RATE_LIMIT_PER_MINUTE: '0' } }); // measuring the write path, not the limiter
  try {
    const token = await server.createToken('rater', 'bench');
    const PER_ROUND = 2000;
    const WARM_UP = 1000;
    const bodies = Array.from({ length: PER_ROUND * ROUNDS + WARM_UP }, (_, i) => JSON.stringify(record(i)));
    const post = (i: number) =>
      fetch(`${server.url}/v1/feedback`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: bodies[i],
      });
    // Warm up both paths (the JIT, the connection pool), as the rounds will run them.
    await closedLoop(WARM_UP, 32, () => fetch(`${server.url}/healthz`));
    await closedLoop(WARM_UP, 32, (i) => post(PER_ROUND * ROUNDS + i));
    const rounds = [];
    for (let r = 0; r < ROUNDS; r++) {
      const health = await closedLoop(PER_ROUND, 32, () => fetch(`${server.url}/healthz`));
      const posts = await closedLoop(PER_ROUND, 32, (i) => post(r * PER_ROUND + i));
      rounds.push({ health, posts, ratio: Number((posts.perSecond / health.perSecond).toFixed(2)) });
    }
    const median = [...rounds].sort((a, b) => a.ratio - b.ratio)[Math.floor(ROUNDS / 2)]!;
    return { ratio: median.ratio, postsPerSecond: median.posts.perSecond, p99ms: median.posts.p99ms, rounds };
  } finally {
    await server.stop();
  }
}

const bench: Bench = {
  name: 'sync',
  description: `sync throughput (${SYNC_ROUNDS} rounds of ${BATCHES}×${BATCH_SIZE} mutations over HTTP vs raw better-sqlite3) and single POST /v1/feedback vs /healthz at 32 in flight`,
  async run() {
    const syncThroughput = await measureSync();
    const single = await singlePosts();
    return { syncThroughput, singlePost: { ...single, goal: '>= 0.3' } };
  },
};
export default bench;
