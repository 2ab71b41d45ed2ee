/**
 * `groundtruth import FILE`: restores records from a `jsonl` export exactly — same ids, rater,
 * workspace, client, createdAt/updatedAt and receivedAt — through applyMutations, so the event
 * log, the rollups and every other projection follow. Idempotent: importing the same file again
 * changes nothing (each record comes back `unchanged`); a newer stored version is kept (`stale`).
 *
 * Lines are read as a stream and applied in chunks; records of one chunk that share workspace,
 * rater, client and receivedAt go in one applyMutations call (receivedAt is the batch's clock).
 *
 * A restore is whole or not at all (issue 13, item 8): by default every chunk is applied inside
 * one transaction, rolled back if any line is rejected, so a file reported as failed leaves the
 * store as it was. This is a deliberate exception to "valid work still lands"; `partial` keeps
 * that rule instead (each chunk commits on its own, the rejected lines are listed). With
 * `workspaceId`, a record of any other workspace is a rejected line.
 */
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import { Feedback, describeZodError, feedbackToInput } from '../../shared/schemas.ts';
import { applyMutations } from '../store/feedback.ts';
import { joinTransaction } from '../store/join-transaction.ts';
import { markBulkRestore } from '../store/write-locks.ts';
import type { DB } from '../store/schema.ts';
import { ensureWorkspace } from '../store/tokens.ts';

export interface ImportReport {
  lines: number;
  applied: number;
  unchanged: number;
  stale: number;
  rejected: { line: number; id: string; error: string }[];
  /** False when a rejected line rolled the whole import back: then nothing was written. */
  committed: boolean;
}

export interface ImportOptions {
  /** Only records of this workspace: a record of another one is a rejected line. */
  workspaceId?: string;
  /** Commit the valid records even when others are rejected (default: all or nothing). */
  partial?: boolean;
  onLines?: (lines: number) => void;
}

class RolledBack extends Error {
  constructor(readonly report: ImportReport) {
    super('import rolled back');
  }
}

export async function importRecords(db: Kysely<DB>, input: Readable, options: ImportOptions = {}): Promise<ImportReport> {
  if (options.partial) return importLines(db, input, options);
  try {
    return await db.transaction().execute(async (trx) => {
      const whole = joinTransaction(trx);
      // One lock per record would outgrow PostgreSQL's lock table (write-locks.ts).
      markBulkRestore(whole);
      const report = await importLines(whole, input, options);
      if (report.rejected.length) throw new RolledBack(report);
      return report;
    });
  } catch (err) {
    if (err instanceof RolledBack) return { ...err.report, applied: 0, unchanged: 0, stale: 0, committed: false };
    throw err;
  }
}

const CHUNK_LINES = 2000;

interface Parsed {
  line: number;
  record: Feedback;
}

async function importLines(db: Kysely<DB>, input: Readable, hooks: ImportOptions): Promise<ImportReport> {
  const report: ImportReport = { lines: 0, applied: 0, unchanged: 0, stale: 0, rejected: [], committed: true };
  const workspaces = new Set<string>();
  let chunk: Parsed[] = [];

  const flush = async () => {
    const groups = new Map<string, Parsed[]>();
    for (const p of chunk) {
      const r = p.record;
      const key = JSON.stringify([r.workspaceId, r.raterId, r.clientId, r.receivedAt, r.source?.channel]);
      const list = groups.get(key);
      if (list) list.push(p);
      else groups.set(key, [p]);
    }
    chunk = [];
    for (const list of groups.values()) {
      const { workspaceId, raterId, clientId, receivedAt, source } = list[0]!.record;
      if (!workspaces.has(workspaceId)) {
        await ensureWorkspace(db, workspaceId);
        workspaces.add(workspaceId);
      }
      const mutations = list.map(({ record }) => {
        const input = feedbackToInput(record);
        return { id: input.id, op: 'upsert', updatedAt: input.updatedAt, feedback: input };
      });
      const results = await applyMutations(db, { workspaceId, raterId, role: 'rater', tokenId: null, clientId, channel: source?.channel ?? (clientId ? 'extension' : 'api') }, mutations, new Date(receivedAt), { restore: true });
      results.forEach((res, i) => {
        if (res.status === 'rejected') report.rejected.push({ line: list[i]!.line, id: res.id, error: res.error ?? 'rejected' });
        else report[res.status]++;
      });
    }
  };

  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  for await (const text of lines) {
    report.lines++;
    if (!text.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      report.rejected.push({ line: report.lines, id: '', error: 'not valid JSON' });
      continue;
    }
    const parsed = Feedback.safeParse(value);
    if (!parsed.success) {
      const id = value && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string' ? (value as { id: string }).id : '';
      report.rejected.push({ line: report.lines, id, error: describeZodError(parsed.error) });
      continue;
    }
    if (hooks.workspaceId !== undefined && parsed.data.workspaceId !== hooks.workspaceId) {
      const error = `the record belongs to workspace ${parsed.data.workspaceId}, and this import is into workspace ${hooks.workspaceId}`;
      report.rejected.push({ line: report.lines, id: parsed.data.id, error });
      continue;
    }
    if (parsed.data.deleted) continue;
    chunk.push({ line: report.lines, record: parsed.data });
    if (chunk.length >= CHUNK_LINES) {
      await flush();
      hooks.onLines?.(report.lines);
    }
  }
  await flush();
  hooks.onLines?.(report.lines);
  return report;
}
