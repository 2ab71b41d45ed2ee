/**
 * The `embed` jobs of the work queue: read the live records, skip those whose vector is current
 * (same model, same text), embed the rest in batches, and write the vectors — in a transaction that
 * reads the records again (locked on PostgreSQL) so a record deleted or edited while the endpoint
 * was answering gets no vector of its old text. Without an endpoint configured the jobs are
 * dropped: `backfillEmbeddings` queues every record without a current vector once one is set, and
 * after a model change (vectors of another model are never compared with the new one's).
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../store/schema.ts';
import { isPostgres } from '../../store/postgres.ts';
import { completeJobs, withWorkQueue, type ClaimedJob } from '../../store/work-queue.ts';
import { embedTexts, type EmbedOptions } from './client.ts';
import type { EmbeddingsConfig } from './config.ts';
import { EMBED_JOB } from './projection.ts';
import { embedTextOfRow, textHash } from './text.ts';
import { vectorStoreFor, withVectors } from './vectors.ts';

interface Wanted {
  job: ClaimedJob;
  text: string;
  hash: string;
}

async function liveTexts(db: Kysely<DB>, jobs: ClaimedJob[], lock: boolean) {
  const byWorkspace = new Map<string, string[]>();
  for (const j of jobs) byWorkspace.set(j.workspaceId, [...(byWorkspace.get(j.workspaceId) ?? []), j.ref]);
  const texts = new Map<string, { text: string; hash: string }>();
  for (const [workspaceId, ids] of byWorkspace) {
    let q = db.selectFrom('feedback').select(['id', 'record']).where('workspace_id', '=', workspaceId).where('deleted', '=', 0).where('id', 'in', ids);
    // Locked in id order (as applyMutations writes), so two writers never wait on each other in a circle.
    if (lock) q = q.orderBy('id').forUpdate();
    for (const row of await q.execute()) {
      const text = embedTextOfRow(row.record);
      if (text) texts.set(`${workspaceId}\u0000${row.id}`, { text, hash: textHash(text) });
    }
  }
  return texts;
}

/** Runs one batch of claimed embed jobs; throws EmbeddingsUnavailable (the caller reschedules). */
export async function runEmbedJobs(db: Kysely<DB>, config: EmbeddingsConfig | null, jobs: ClaimedJob[], options: EmbedOptions = {}): Promise<void> {
  if (!jobs.length) return;
  if (!config) return completeJobs(db, jobs);
  const texts = await liveTexts(db, jobs, false);
  const current = new Set<string>();
  for (const [workspaceId, ids] of groupBy(jobs)) {
    const rows = await withVectors(db)
      .selectFrom('search_vectors')
      .select(['feedback_id', 'text_hash'])
      .where('workspace_id', '=', workspaceId)
      .where('model', '=', config.model)
      .where('feedback_id', 'in', ids)
      .execute();
    for (const r of rows) if (texts.get(`${workspaceId}\u0000${r.feedback_id}`)?.hash === r.text_hash) current.add(`${workspaceId}\u0000${r.feedback_id}`);
  }
  const wanted: Wanted[] = [];
  for (const job of jobs) {
    const key = `${job.workspaceId}\u0000${job.ref}`;
    const t = texts.get(key);
    if (t && !current.has(key)) wanted.push({ job, ...t });
  }
  const vectors = wanted.length ? await embedTexts(config, wanted.map((w) => w.text), options) : [];
  const pg = isPostgres(db);
  await db.transaction().execute(async (trx) => {
    const still = await liveTexts(trx as unknown as Kysely<DB>, wanted.map((w) => w.job), pg);
    const at = new Date().toISOString();
    const rows = wanted.flatMap((w, i) =>
      still.get(`${w.job.workspaceId}\u0000${w.job.ref}`)?.hash === w.hash
        ? [{ workspaceId: w.job.workspaceId, feedbackId: w.job.ref, model: config.model, vector: vectors[i]!, textHash: w.hash, embeddedAt: at }]
        : [],
    );
    await vectorStoreFor(trx).upsert(trx, rows);
    // A job whose record changed meanwhile has a higher seq now and stays queued.
    await completeJobs(trx, jobs);
  });
}

function groupBy(jobs: ClaimedJob[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const j of jobs) out.set(j.workspaceId, [...(out.get(j.workspaceId) ?? []), j.ref]);
  return out;
}

/**
 * Queues every live record that has no vector of `model` (a first configuration, a model change,
 * records written while no endpoint was set). One statement; jobs already queued stay as they are.
 */
export async function backfillEmbeddings(db: Kysely<DB>, model: string, now: Date = new Date()): Promise<number> {
  const at = now.toISOString();
  const before = await withWorkQueue(db).selectFrom('work_queue').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', EMBED_JOB).executeTakeFirst();
  await sql`insert into work_queue (kind, workspace_id, ref, payload, seq, attempts, enqueued_at, next_attempt_at)
    select ${EMBED_JOB}, f.workspace_id, f.id, null, 1, 0, ${at}, ${at} from feedback f
    where f.deleted = 0 and f.record is not null
      and not exists (select 1 from search_vectors v where v.workspace_id = f.workspace_id and v.feedback_id = f.id and v.model = ${model})
    on conflict (kind, workspace_id, ref) do nothing`.execute(db);
  const after = await withWorkQueue(db).selectFrom('work_queue').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', EMBED_JOB).executeTakeFirst();
  return Number(after?.n ?? 0) - Number(before?.n ?? 0);
}
