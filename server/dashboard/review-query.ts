/**
 * The review pages' query (the queue and the page per item): the item filters of shared/items.ts
 * (the queue is always the unrated items, so `unrated` is not among them) and the pages' own
 * notices. Conflicting windows are a 400 page, as in the API.
 */
import { z } from 'zod';
import { ITEM_FILTER_SHAPE, itemFilterQuery, type ItemFilterValues } from '../../shared/items.ts';
import { refuseItemFilterConflicts } from '../lib/item-filter-conflicts.ts';
import { clockNow } from '../lib/clock.ts';
import { itemFilters, type ItemFilters } from '../store/items.ts';

const { unrated: _unrated, ...QUEUE_FILTERS } = ITEM_FILTER_SHAPE;
const blank = (v: unknown) => (v === '' ? undefined : v);
const notice = z.preprocess(blank, z.string().max(40).optional());

export const ReviewQueueQuery = z.object({ ...QUEUE_FILTERS, cursor: z.preprocess(blank, z.string().max(500).optional()), saved: notice, error: notice });
export const ReviewItemQuery = z.object({ ...QUEUE_FILTERS, saved: notice, error: notice });
export type QueueFilterValues = Omit<ItemFilterValues, 'unrated'>;

/** The queue's filters out of a parsed page query (notices and paging dropped). */
export function queueFilters(q: Partial<QueueFilterValues> & Record<string, unknown>): QueueFilterValues {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(QUEUE_FILTERS)) if (q[k] !== undefined) out[k] = q[k];
  return out as QueueFilterValues;
}

/** Refuses conflicting windows (400 conflicting_parameters), then resolves them against the server's clock. */
export function storeFilters(f: QueueFilterValues): Omit<ItemFilters, 'limit' | 'cursor'> {
  refuseItemFilterConflicts(f);
  const { limit: _l, cursor: _c, ...rest } = itemFilters({ ...f, unrated: true, limit: 1 }, clockNow());
  return rest;
}

/** The filters as a query string's values, for links that keep them. */
export const filterParams = (f: QueueFilterValues): Record<string, string> => itemFilterQuery(f);
