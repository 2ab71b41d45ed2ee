/**
 * Items that programs register for review: batch upsert, idempotent by external key within a
 * workspace, and the review-queue listing. Dialect-neutral Kysely.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { canonicalJson } from '../../shared/hash.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { Item, ItemInput, itemTargetKey, type ItemResult } from '../../shared/items.ts';
import { describeZodError } from '../../shared/schemas.ts';
import type { TextRedactor } from '../lib/program-text.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { withItemTables, type ItemsTable } from './items-tables.ts';
import type { DB } from './schema.ts';

export interface ItemActor {
  workspaceId: string;
  raterId: string;
  tokenId: string | null;
}

/** Applies redaction to the free text of an item (input, output, error and log context, reasoning). */
export function redactItem(item: ItemInput, redact: TextRedactor): ItemInput {
  const out: ItemInput = { ...item, output: redact.text(item.output) };
  if (item.input !== undefined) out.input = redact.text(item.input);
  if (item.context) out.context = redact.json(item.context) as ItemInput['context'];
  if (item.prediction?.reasoning !== undefined) out.prediction = { ...item.prediction, reasoning: redact.text(item.prediction.reasoning) };
  return out;
}

function keyOf(raw: unknown): string {
  if (raw && typeof raw === 'object' && 'key' in raw && typeof (raw as { key: unknown }).key === 'string') {
    return (raw as { key: string }).key.slice(0, 600);
  }
  return '';
}

/**
 * Registers items. Each is validated alone: a bad one is `rejected` with its reason, the others land.
 * The same key again with the same content is `unchanged`; with other content, `updated` (the latest
 * registration wins; the item keeps its id and creation time). Resolves after the commit.
 */
export async function upsertItems(
  db: Kysely<DB>,
  actor: ItemActor,
  raws: unknown[],
  redact: TextRedactor,
  now: Date = new Date(),
): Promise<ItemResult[]> {
  const at = now.toISOString();
  const results: ItemResult[] = [];
  const valid: { index: number; item: ItemInput; hash: string }[] = [];
  raws.forEach((raw, index) => {
    const parsed = ItemInput.safeParse(raw);
    if (!parsed.success) {
      results.push({ key: keyOf(raw), status: 'rejected', error: describeZodError(parsed.error) });
      return;
    }
    const item = redactItem(parsed.data, redact);
    valid.push({ index, item, hash: createHash('sha256').update(canonicalJson(item)).digest('hex') });
    results.push({ key: item.key, status: 'unchanged' });
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
    for (const { index, item, hash } of valid) {
      const cur = dirty.get(item.key) ?? stored.get(item.key);
      if (cur && cur.content_hash === hash) {
        results[index] = { key: item.key, id: cur.id, status: 'unchanged' };
        continue;
      }
      const row: ItemsTable = {
        id: cur?.id ?? uuidv7(now.getTime()),
        workspace_id: actor.workspaceId,
        external_key: item.key,
        target_key: itemTargetKey(item.key),
        kind: item.kind,
        subject: item.subject ?? null,
        model: item.model ?? null,
        intent: item.intent ?? null,
        project: item.project ?? null,
        body: JSON.stringify(item),
        content_hash: hash,
        created_at: cur?.created_at ?? at,
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
            body: eb.ref('excluded.body'),
            content_hash: eb.ref('excluded.content_hash'),
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
  return { ...body, id: row.id, targetKey: row.target_key, createdAt: row.created_at, updatedAt: row.updated_at };
}

export interface ItemFilters {
  unrated?: boolean;
  kind?: string;
  subject?: string;
  model?: string;
  limit: number;
  cursor?: string;
}

/** Newest first, keyset-paginated on (created_at, id), always within one workspace. */
export async function listItems(db: Kysely<DB>, workspaceId: string, f: ItemFilters): Promise<{ items: Item[]; nextCursor: string | null }> {
  let q = withItemTables(db).selectFrom('items').selectAll('items').where('items.workspace_id', '=', workspaceId);
  if (f.kind) q = q.where('items.kind', '=', f.kind);
  if (f.subject) q = q.where('items.subject', '=', f.subject);
  if (f.model) q = q.where('items.model', '=', f.model);
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
