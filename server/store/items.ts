/**
 * Items that programs register for review: batch upsert, idempotent by external key within a
 * workspace (an error first, its analysis later), one item, and the review-queue listing. Dialect-neutral Kysely.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { canonicalJson } from '../../shared/hash.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { hasAnalysis, Item, ItemInput, itemTargetKey, itemWindow, type ItemFilterValues, type ItemResult } from '../../shared/items.ts';
import { CLOCK_AHEAD, describeZodError } from '../../shared/schemas.ts';
import { clockAheadMessage, findClockAhead } from '../lib/clock.ts';
import type { TextRedactor } from '../lib/program-text.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { withItemTables, type ItemsTable } from './items-tables.ts';
import type { DB } from './schema.ts';

export interface ItemActor {
  workspaceId: string;
  raterId: string;
  tokenId: string | null;
}

/** Applies redaction to the free text of an item (input, output, error and log context, extracted error, reasoning). */
export function redactItem(item: ItemInput, redact: TextRedactor): ItemInput {
  const out: ItemInput = { ...item };
  if (item.output !== undefined) out.output = redact.text(item.output);
  if (item.input !== undefined) out.input = redact.text(item.input);
  if (item.context) out.context = redact.json(item.context) as ItemInput['context'];
  if (item.prediction) {
    const p = { ...item.prediction };
    if (p.reasoning !== undefined) p.reasoning = redact.text(p.reasoning);
    if (p.extractedError !== undefined) p.extractedError = redact.text(p.extractedError);
    out.prediction = p;
  }
  return out;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text PostgreSQL can hold: an item's body is read as JSON by an index (migration 0140), and JSON
 * there refuses an escaped U+0000 or a lone surrogate. A lone surrogate becomes U+FFFD (it encodes
 * no character); U+0000 is refused by name, as feedback refuses it.
 */
function storable(value: unknown, path: string): { value: unknown } | { nulAt: string } {
  if (typeof value === 'string') return value.includes('\u0000') ? { nulAt: path } : { value: value.replace(LONE_SURROGATE, '\ufffd') };
  if (Array.isArray(value) || (value && typeof value === 'object')) {
    const out: Record<string, unknown> | unknown[] = Array.isArray(value) ? [] : {};
    for (const [k, v] of Object.entries(value)) {
      const r = storable(v, path ? `${path}.${k}` : k);
      if ('nulAt' in r) return r;
      (out as Record<string, unknown>)[k] = r.value;
    }
    return { value: out };
  }
  return { value };
}

function keyOf(raw: unknown): string {
  if (raw && typeof raw === 'object' && 'key' in raw && typeof (raw as { key: unknown }).key === 'string') {
    return (raw as { key: string }).key.slice(0, 600);
  }
  return '';
}

export interface ItemClock {
  /** The server's time (clockNow()): the arrival time of items sent without createdAt. */
  now: Date;
  /** MAX_CLOCK_SKEW_SECONDS: a createdAt further ahead of `now` is rejected as clock_ahead. */
  maxSkewSeconds: number;
}

/**
 * What a post makes of the stored item (docs/decisions/0035):
 * - the analysis (output and prediction, together) is the latest post's that brings one; a post
 *   without any (the error sent again) keeps the stored analysis — a re-post never erases it;
 * - createdAt is fixed by the first post that sends one; until then it is the first arrival time.
 */
function merge(incoming: ItemInput, stored: ItemInput | undefined): ItemInput {
  if (!stored) return incoming;
  const out: ItemInput = { ...incoming };
  if (!hasAnalysis(incoming) && hasAnalysis(stored)) {
    delete out.output;
    delete out.prediction;
    if (stored.output !== undefined) out.output = stored.output;
    if (stored.prediction !== undefined) out.prediction = stored.prediction;
  }
  if (stored.createdAt !== undefined) out.createdAt = stored.createdAt;
  return out;
}

/** Key order fixed, so that the stored JSON reads the same whichever post wrote it. */
function normalized(item: ItemInput): ItemInput {
  return item.createdAt === undefined ? item : { ...item, createdAt: new Date(item.createdAt).toISOString() };
}

/**
 * Registers items. Each is validated alone: a bad one is `rejected` with its reason (a createdAt
 * too far ahead with reason `clock_ahead`), the others land. The same key again with the same
 * content is `unchanged`; with other content, `updated` (see `merge`; the item keeps its id).
 * Resolves after the commit.
 */
export async function upsertItems(
  db: Kysely<DB>,
  actor: ItemActor,
  raws: unknown[],
  redact: TextRedactor,
  clock: ItemClock,
): Promise<ItemResult[]> {
  const at = clock.now.toISOString();
  const results: ItemResult[] = [];
  const valid: { index: number; item: ItemInput }[] = [];
  raws.forEach((raw, index) => {
    const parsed = ItemInput.safeParse(raw);
    if (!parsed.success) {
      results.push({ key: keyOf(raw), status: 'rejected', error: describeZodError(parsed.error) });
      return;
    }
    const ahead = findClockAhead({ createdAt: parsed.data.createdAt }, clock.maxSkewSeconds, clock.now);
    if (ahead) {
      results.push({ key: parsed.data.key, status: 'rejected', reason: CLOCK_AHEAD, error: clockAheadMessage(ahead) });
      return;
    }
    const safe = storable(parsed.data, '');
    if ('nulAt' in safe) {
      results.push({ key: parsed.data.key, status: 'rejected', error: `${safe.nulAt}: must not contain the NUL character (U+0000)` });
      return;
    }
    valid.push({ index, item: normalized(redactItem(safe.value as ItemInput, redact)) });
    results.push({ key: parsed.data.key, status: 'unchanged' });
  });
  if (valid.length === 0) return results;

  await withItemTables(db).transaction().execute(async (trx) => {
    const stored = new Map<string, ItemsTable>();
    const keys = [...new Set(valid.map((v) => v.item.key))];
    for (let i = 0; i < keys.length; i += 500) {
      const rows = await trx
        .selectFrom('items')
        .selectAll()
        .where('workspace_id', '=', actor.workspaceId)
        .where('external_key', 'in', keys.slice(i, i + 500))
        .execute();
      for (const row of rows) stored.set(row.external_key, row);
    }
    const dirty = new Map<string, ItemsTable>();
    for (const { index, item: sent } of valid) {
      const cur = dirty.get(sent.key) ?? stored.get(sent.key);
      const item = merge(sent, cur ? (JSON.parse(cur.body) as ItemInput) : undefined);
      const hash = createHash('sha256').update(canonicalJson(item)).digest('hex');
      if (cur && cur.content_hash === hash) {
        results[index] = { key: item.key, id: cur.id, status: 'unchanged' };
        continue;
      }
      const row: ItemsTable = {
        id: cur?.id ?? uuidv7(clock.now.getTime()),
        workspace_id: actor.workspaceId,
        external_key: item.key,
        target_key: itemTargetKey(item.key),
        kind: item.kind,
        subject: item.subject ?? null,
        model: item.model ?? null,
        intent: item.intent ?? null,
        project: item.project ?? null,
        task_id: typeof item.context?.task_id === 'string' ? item.context.task_id : null,
        category: item.prediction?.category ?? null,
        has_analysis: hasAnalysis(item) ? 1 : 0,
        body: JSON.stringify(item),
        content_hash: hash,
        created_at: item.createdAt ?? cur?.created_at ?? at,
        updated_at: at,
        rater_id: actor.raterId,
        token_id: actor.tokenId,
      };
      dirty.set(item.key, row);
      results[index] = { key: item.key, id: row.id, status: stored.has(item.key) ? 'updated' : 'created' };
    }
    const rows = [...dirty.values()];
    for (let i = 0; i < rows.length; i += 100) {
      await trx
        .insertInto('items')
        .values(rows.slice(i, i + 100))
        .onConflict((oc) =>
          oc.columns(['workspace_id', 'external_key']).doUpdateSet((eb) => ({
            kind: eb.ref('excluded.kind'),
            subject: eb.ref('excluded.subject'),
            model: eb.ref('excluded.model'),
            intent: eb.ref('excluded.intent'),
            project: eb.ref('excluded.project'),
            task_id: eb.ref('excluded.task_id'),
            category: eb.ref('excluded.category'),
            has_analysis: eb.ref('excluded.has_analysis'),
            body: eb.ref('excluded.body'),
            content_hash: eb.ref('excluded.content_hash'),
            created_at: eb.ref('excluded.created_at'),
            updated_at: eb.ref('excluded.updated_at'),
            rater_id: eb.ref('excluded.rater_id'),
            token_id: eb.ref('excluded.token_id'),
          })),
        )
        .execute();
    }
  });
  return results;
}

export function rowToItem(row: ItemsTable): Item {
  const body = JSON.parse(row.body) as ItemInput;
  return {
    ...body,
    id: row.id,
    targetKey: row.target_key,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    state: row.has_analysis ? 'ready' : 'awaiting_analysis',
  };
}

/** One item of the workspace by the server's id. */
export async function getItem(db: Kysely<DB>, workspaceId: string, id: string): Promise<Item | undefined> {
  const row = await withItemTables(db).selectFrom('items').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return row ? rowToItem(row) : undefined;
}

export interface ItemFilters extends Omit<ItemFilterValues, 'date' | 'days' | 'since' | 'until'> {
  /** The createdAt window (itemWindow): since inclusive, until exclusive, ISO UTC. */
  since?: string;
  until?: string;
  limit: number;
  cursor?: string;
}

/** The list's filters as given in a query: the window resolved against the server's clock. */
export function itemFilters(q: ItemFilterValues & { limit: number; cursor?: string }, now: Date): ItemFilters {
  const { date, days, since, until, ...rest } = q;
  return { ...rest, ...itemWindow({ date, days, since, until }, now) };
}

/** The items of one workspace that match the filters (no order, no page). */
function filtered(db: Kysely<DB>, workspaceId: string, f: Omit<ItemFilters, 'limit' | 'cursor'>) {
  let q = withItemTables(db).selectFrom('items').selectAll('items').where('items.workspace_id', '=', workspaceId);
  if (f.kind) q = q.where('items.kind', '=', f.kind);
  if (f.subject) q = q.where('items.subject', '=', f.subject);
  if (f.model) q = q.where('items.model', '=', f.model);
  if (f.task) q = q.where('items.task_id', '=', f.task);
  if (f.category) q = q.where('items.category', '=', f.category);
  if (f.hasAnalysis !== undefined) q = q.where('items.has_analysis', '=', f.hasAnalysis ? 1 : 0);
  if (f.since) q = q.where('items.created_at', '>=', f.since);
  if (f.until) q = q.where('items.created_at', '<', f.until);
  if (f.unrated) {
    q = q.where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('feedback')
            .select(sql.lit(1).as('one'))
            .whereRef('feedback.workspace_id', '=', 'items.workspace_id')
            .whereRef('feedback.target_key', '=', 'items.target_key')
            .where('feedback.deleted', '=', 0),
        ),
      ),
    );
  }
  return q;
}

/** Newest first by createdAt, keyset-paginated on (created_at, id), always within one workspace. */
export async function listItems(db: Kysely<DB>, workspaceId: string, f: ItemFilters): Promise<{ items: Item[]; nextCursor: string | null }> {
  let q = filtered(db, workspaceId, f);
  const c = f.cursor ? decodeCursor(f.cursor) : undefined;
  if (c) {
    const [createdAt, id] = c;
    q = q.where((eb) =>
      eb.or([eb('items.created_at', '<', createdAt), eb.and([eb('items.created_at', '=', createdAt), eb('items.id', '<', id)])]),
    );
  }
  const rows = await q.orderBy('items.created_at', 'desc').orderBy('items.id', 'desc').limit(f.limit + 1).execute();
  const page = rows.slice(0, f.limit);
  const last = page[page.length - 1];
  return { items: page.map(rowToItem), nextCursor: rows.length > f.limit && last ? encodeCursor(last) : null };
}

/**
 * The ids of the items just before (newer) and after (older) `at` in the list the filters give,
 * newest first: how the review page moves through its queue.
 */
export async function neighbourItems(
  db: Kysely<DB>,
  workspaceId: string,
  f: Omit<ItemFilters, 'limit' | 'cursor'>,
  at: { createdAt: string; id: string },
): Promise<{ previous?: string; next?: string }> {
  const older = await filtered(db, workspaceId, f)
    .where((eb) => eb.or([eb('items.created_at', '<', at.createdAt), eb.and([eb('items.created_at', '=', at.createdAt), eb('items.id', '<', at.id)])]))
    .orderBy('items.created_at', 'desc')
    .orderBy('items.id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const newer = await filtered(db, workspaceId, f)
    .where((eb) => eb.or([eb('items.created_at', '>', at.createdAt), eb.and([eb('items.created_at', '=', at.createdAt), eb('items.id', '>', at.id)])]))
    .orderBy('items.created_at', 'asc')
    .orderBy('items.id', 'asc')
    .limit(1)
    .executeTakeFirst();
  return { previous: newer?.id, next: older?.id };
}
