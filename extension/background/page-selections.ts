/**
 * A page's rated text selections, for the content script to show their widgets again
 * (content/selections.ts): the outbox rows keyed under the page's selection prefix whose record
 * still holds its quote (a vote, not an undo; not one kept as hashes only), with their status.
 */
import type { PageSelection } from '../messages.ts';
import { statusOf, type Outbox } from '../outbox/outbox.ts';
import { selectionKeyPrefix } from '../content/selection-key.ts';
import { splitRowKey } from '../criterion-key.ts';

/** More than anyone rates on one page; a bound on what one message carries. */
const PAGE_SELECTIONS_MAX = 200;

export async function pageSelections(outbox: Outbox, pageUrl: string): Promise<PageSelection[]> {
  let url: URL;
  try {
    url = new URL(pageUrl);
  } catch {
    return [];
  }
  const rows = await outbox.withKeyPrefix(selectionKeyPrefix(url), PAGE_SELECTIONS_MAX);
  return rows.flatMap((row) => {
    const quote = row.op === 'upsert' ? row.feedback?.target.quote : undefined;
    // Extra criteria of a selection are rows of their own: the widget is found by the overall one.
    if (!quote || splitRowKey(row.key).criterion !== undefined) return [];
    return [{ quote, status: statusOf(row, row.key) }];
  });
}
