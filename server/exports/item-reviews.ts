/**
 * Training examples from feedback on items (`target.key` = "item:" + the item's key), ADR 0037.
 * Such a record often carries no prompt or answer of its own (a pipeline posts the error and its
 * analysis as an item; the reviewer posts stars and corrected fields), so it is read here with
 * its item, not from the examples projection: records by (target key, created_at, id) in pages,
 * each page's items read through the store (rowToItem) in one query, so every review of an item
 * is adjacent and memory holds one page.
 *
 * A review becomes (analyses.ts says where each part comes from):
 * - `corrected_analysis` — it corrects analysis fields: the original analysis with the corrected
 *   fields over it is the answer (and the original, when there is one, the rejected side of a pair);
 * - `rated_analysis` — it only rates an item that carries an analysis: its vote rates that analysis;
 * - otherwise as any other record (`rated_output`, `corrected_output`), with the item's prompt
 *   and output where the record has none.
 */
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { canonicalJson } from '../../shared/hash.ts';
import { ITEM_KEY_PREFIX } from '../../shared/items.ts';
import { applyFeedbackFilters } from '../store/feedback-filters.ts';
import { withItemTables } from '../store/items-tables.ts';
import { rowToItem } from '../store/items.ts';
import type { DB, FeedbackTable } from '../store/schema.ts';
import {
  analysisJson,
  correctedAnalysis,
  correctedFields,
  itemPromptTarget,
  originalAnalysis,
  type ItemRecord,
  type ItemView,
} from './analyses.ts';
import type { ParsedExample } from './examples.ts';
import { promptTurns } from './formats/chat.ts';
import type { ResolvedFilters } from './filters.ts';
import type { LeftOutReason } from './tally.ts';

/** Records per page of the item pass (and items per lookup). */
export const ITEM_REVIEW_PAGE = 500;

/** Every column of the record (item reviews are a small share of an export: no projection is chosen for speed). */
export type ItemReviewRow = FeedbackTable;

/** `target_key` starts with "item:", the same in both dialects (LIKE is case-blind in SQLite only). */
export function itemKeyPrefix(column: string) {
  return sql<string>`substr(${sql.ref(column)}, 1, ${sql.lit(ITEM_KEY_PREFIX.length)})`;
}

function hash32(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/** What one review brings, or why it is left out. */
export function itemReviewExample(record: ItemRecord, item: ItemView | undefined): ParsedExample | LeftOutReason {
  const promptTarget = itemPromptTarget(item, record);
  if (!promptTarget) return 'no_prompt';
  // As the examples projection hashes a prompt (insights/rollups.ts, exampleHashes).
  const promptHash = hash32(canonicalJson([promptTarget.messages ?? [], promptTarget.prompt ?? '']));
  const prompt = () => promptTurns(promptTarget);
  const answer = (output: string, how: 'rated_output' | 'rated_analysis') => ({ key: hash32(canonicalJson([promptHash, how, output])), output, how });

  const original = originalAnalysis(item, record);
  const originalJson = original ? analysisJson(original.analysis) : '';
  const fields = correctedFields(record);
  if (fields) {
    const corrected = correctedAnalysis(original?.analysis ?? null, fields);
    if (!corrected) return 'invalid_corrected_analysis';
    const correctedJson = analysisJson(corrected);
    // Corrected to what it already was: a confirmation of the analysis, rated by the vote.
    if (correctedJson === originalJson) return { promptHash, prompt, answer: answer(originalJson, 'rated_analysis') };
    return { promptHash, prompt, correction: { corrected: correctedJson, original: originalJson, how: 'corrected_analysis' } };
  }
  const textCorrection = record.correction?.output?.trim() ? record.correction.output : '';
  if (original && !textCorrection) return { promptHash, prompt, answer: answer(originalJson, 'rated_analysis') };

  const output = record.target?.output?.trim() ? record.target.output : (item?.output ?? '');
  if (!output.trim() && !textCorrection) return 'no_answer';
  return {
    promptHash,
    prompt,
    answer: output.trim() ? answer(output, 'rated_output') : undefined,
    correction: textCorrection && textCorrection !== output ? { corrected: textCorrection, original: output, how: 'corrected_output' } : undefined,
  };
}

async function itemsOf(db: Kysely<DB>, workspaceId: string, targetKeys: string[]): Promise<Map<string, ItemView>> {
  const out = new Map<string, ItemView>();
  const keys = [...new Set(targetKeys)].map((k) => k.slice(ITEM_KEY_PREFIX.length));
  if (!keys.length) return out;
  const rows = await withItemTables(db).selectFrom('items').selectAll().where('workspace_id', '=', workspaceId).where('external_key', 'in', keys).execute();
  for (const row of rows) {
    try {
      const item = rowToItem(row);
      out.set(row.target_key, item);
    } catch {
      // An unreadable body: the review is taken on its own fields.
    }
  }
  return out;
}

/** Reviews of items matching the export's filters, with their items, one page at a time. */
export async function* itemReviews(
  db: Kysely<DB>,
  workspaceId: string,
  filters: ResolvedFilters,
  page = ITEM_REVIEW_PAGE,
): AsyncGenerator<{ row: ItemReviewRow; record: ItemRecord; item: ItemView | undefined }> {
  let after: ItemReviewRow | undefined;
  for (;;) {
    let q = db
      .selectFrom('feedback as f')
      .selectAll('f')
      .where('f.workspace_id', '=', workspaceId)
      .where('f.deleted', '=', 0)
      .where(itemKeyPrefix('f.target_key'), '=', ITEM_KEY_PREFIX);
    q = applyFeedbackFilters(q, filters, { alias: 'f' });
    if (after) {
      const a = after;
      q = q.where((eb) =>
        eb.or([
          eb('f.target_key', '>', a.target_key),
          eb.and([
            eb('f.target_key', '=', a.target_key),
            eb.or([eb('f.created_at', '>', a.created_at), eb.and([eb('f.created_at', '=', a.created_at), eb('f.id', '>', a.id)])]),
          ]),
        ]),
      );
    }
    const rows = (await q.orderBy('f.target_key').orderBy('f.created_at').orderBy('f.id').limit(page).execute()) as ItemReviewRow[];
    if (!rows.length) return;
    const items = await itemsOf(db, workspaceId, rows.map((r) => r.target_key));
    for (const row of rows) {
      let record: ItemRecord = {};
      try {
        record = row.record ? (JSON.parse(row.record) as ItemRecord) : {};
      } catch {
        // Read as a record without contents: left out below with its reason.
      }
      yield { row, record, item: items.get(row.target_key) };
    }
    if (rows.length < page) return;
    after = rows[rows.length - 1];
  }
}
