/**
 * The correction shown as a word diff against the answer (jsdiff's diffWordsWithSpace). Long texts
 * could make the diff slow, so it gives up after DIFF_TIMEOUT_MS and the page shows both texts.
 */
import { diffWordsWithSpace } from 'diff';

export const DIFF_TIMEOUT_MS = 250;

export interface DiffPart {
  text: string;
  op: 'same' | 'added' | 'removed';
}

export function wordDiff(before: string, after: string): DiffPart[] | undefined {
  const changes = diffWordsWithSpace(before, after, { timeout: DIFF_TIMEOUT_MS });
  if (!changes) return undefined;
  return changes.map((ch) => ({ text: ch.value, op: ch.added ? 'added' : ch.removed ? 'removed' : 'same' }));
}
