/**
 * The investigation trace: append-only, read back in arrival order. Nothing here updates or deletes
 * an event (retention and erasure are the governance code's business).
 */
import type { Kysely } from 'kysely';
import { uuidv7 } from '../../shared/ids.ts';
import { describeZodError } from '../../shared/schemas.ts';
import { TraceEventInput, type TraceEvent, type TraceEventResult, type TraceEventType } from '../../shared/trace-events.ts';
import { monotonicKey } from '../lib/monotonic-key.ts';
import type { TextRedactor } from '../lib/program-text.ts';
import { withItemTables, type TraceEventsTable } from './items-tables.ts';
import type { DB } from './schema.ts';

export interface TraceActor {
  workspaceId: string;
  raterId: string;
  tokenId: string | null;
}

function idOf(raw: unknown): string {
  if (raw && typeof raw === 'object' && 'id' in raw && typeof (raw as { id: unknown }).id === 'string') return (raw as { id: string }).id.slice(0, 100);
  return '';
}

/**
 * Appends events in the order given. A bad event is `rejected` with its reason and the others are
 * appended; an id already appended by this workspace is `unchanged` (a retried batch appends nothing
 * twice). Resolves after the commit.
 */
export async function appendTraceEvents(
  db: Kysely<DB>,
  actor: TraceActor,
  raws: unknown[],
  redact: TextRedactor,
  now: Date = new Date(),
): Promise<TraceEventResult[]> {
  const receivedAt = now.toISOString();
  const results: TraceEventResult[] = [];
  const rows: { index: number; row: TraceEventsTable; clientId: boolean }[] = [];
  raws.forEach((raw, index) => {
    const parsed = TraceEventInput.safeParse(raw);
    if (!parsed.success) {
      results.push({ id: idOf(raw), status: 'rejected', error: describeZodError(parsed.error) });
      return;
    }
    const e = parsed.data;
    const id = e.id ?? uuidv7(now.getTime());
    results.push({ id, status: 'appended' });
    rows.push({
      index,
      clientId: e.id !== undefined,
      row: {
        id,
        seq: '', // given inside the transaction, so arrival order matches commit order on SQLite
        workspace_id: actor.workspaceId,
        type: e.type,
        investigation_id: e.investigationId,
        subject: e.subject ?? null,
        data: JSON.stringify(redact.json(e.data)),
        at: e.at ? new Date(e.at).toISOString() : receivedAt,
        received_at: receivedAt,
        rater_id: actor.raterId,
        token_id: actor.tokenId,
      },
    });
  });
  if (rows.length === 0) return results;

  await withItemTables(db).transaction().execute(async (trx) => {
    const clientIds = [...new Set(rows.filter((r) => r.clientId).map((r) => r.row.id))];
    // Ids are unique per workspace (migration 0100): another workspace's event with the same id
    // is neither a clash nor something this answer may reveal.
    const existing = new Set<string>();
    for (let i = 0; i < clientIds.length; i += 500) {
      const found = await trx
        .selectFrom('trace_events')
        .select('id')
        .where('workspace_id', '=', actor.workspaceId)
        .where('id', 'in', clientIds.slice(i, i + 500))
        .execute();
      for (const f of found) existing.add(f.id);
    }
    const fresh: TraceEventsTable[] = [];
    const seen = new Set<string>();
    for (const { index, row } of rows) {
      if (existing.has(row.id) || seen.has(row.id)) {
        results[index] = { id: row.id, status: 'unchanged' };
      } else {
        seen.add(row.id);
        fresh.push({ ...row, seq: monotonicKey() });
      }
    }
    for (let i = 0; i < fresh.length; i += 100) await trx.insertInto('trace_events').values(fresh.slice(i, i + 100)).execute();
  });
  return results;
}

export function rowToTraceEvent(row: TraceEventsTable): TraceEvent {
  return {
    id: row.id,
    type: row.type as TraceEventType,
    investigationId: row.investigation_id,
    subject: row.subject,
    data: JSON.parse(row.data) as Record<string, unknown>,
    at: row.at,
    receivedAt: row.received_at,
    raterId: row.rater_id,
  };
}

export interface TraceFilters {
  subject?: string;
  investigation?: string;
  types?: string[];
  limit: number;
  /** The seq of the last event already read (from encodeTraceCursor). */
  after?: string;
}

export function encodeTraceCursor(seq: string): string {
  return Buffer.from(seq).toString('base64url');
}

export function decodeTraceCursor(cursor: string): string | undefined {
  const seq = Buffer.from(cursor, 'base64url').toString('utf8');
  return /^\d{13}-\d{6}-[0-9a-f]{8}$/.test(seq) ? seq : undefined;
}

/** Oldest first (arrival order), keyset-paginated on seq, within one workspace. */
export async function listTraceEvents(
  db: Kysely<DB>,
  workspaceId: string,
  f: TraceFilters,
): Promise<{ events: TraceEvent[]; nextCursor: string | null }> {
  let q = withItemTables(db).selectFrom('trace_events').selectAll().where('workspace_id', '=', workspaceId);
  if (f.subject) q = q.where('subject', '=', f.subject);
  if (f.investigation) q = q.where('investigation_id', '=', f.investigation);
  if (f.types?.length) q = q.where('type', 'in', f.types);
  if (f.after) q = q.where('seq', '>', f.after);
  const rows = await q.orderBy('seq', 'asc').limit(f.limit + 1).execute();
  const page = rows.slice(0, f.limit);
  const last = page[page.length - 1];
  return { events: page.map(rowToTraceEvent), nextCursor: rows.length > f.limit && last ? encodeTraceCursor(last.seq) : null };
}
