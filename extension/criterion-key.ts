/**
 * Where a rating of an extra criterion lives on this device (docs/decisions/0030-criteria.md). The
 * outbox keeps one row per target key for the bar's rating (`overall`), and one row per target key
 * and criterion for each extra criterion of the detail form: its own record (own id, same target,
 * `criterion` set). Their row key — also the key of its status in messages to content scripts — is
 * the target key, U+0000, the criterion name: the server refuses U+0000 in a target key, so no real
 * target key can look like one. Pure, no zod: the content script imports it.
 */
const SEPARATOR = '\u0000';
const OVERALL = 'overall';

/** The row (and status) key of a target's rating on `criterion` (the target key itself for `overall`). */
export function criterionRowKey(targetKey: string, criterion?: string | null): string {
  return criterion && criterion !== OVERALL ? `${targetKey}${SEPARATOR}${criterion}` : targetKey;
}

/** The target key and criterion of a row key (`criterion` undefined: `overall`). */
export function splitRowKey(key: string): { targetKey: string; criterion?: string } {
  const at = key.indexOf(SEPARATOR);
  return at < 0 ? { targetKey: key } : { targetKey: key.slice(0, at), criterion: key.slice(at + 1) };
}
