/**
 * Deterministic train/validation split by hash of the conversation (or of the target key when a
 * record has no conversation): every record of a conversation lands on the same side, and a
 * record keeps its side from one export to the next, on any machine, whatever else is exported
 * with it. See docs/decisions/0022-export-split-and-merging.md.
 */
import { createHash } from 'node:crypto';

export type Side = 'train' | 'validation';

/** The key a record is split by: its conversation, else its target. */
export function splitKeyOf(row: { conversation_id: string | null; target_key: string }): string {
  return row.conversation_id ? `conversation:${row.conversation_id}` : `target:${row.target_key}`;
}

/** A number in [0, 1) from the first 52 bits of SHA-256(key): uniform, and exact in a double. */
export function unitHash(key: string): number {
  const hex = createHash('sha256').update(key).digest('hex').slice(0, 13);
  return parseInt(hex, 16) / 2 ** 52;
}

/** `validationShare` of keys (e.g. 0.1) go to validation, the rest to train. */
export function sideOf(key: string, validationShare: number): Side {
  return unitHash(key) < validationShare ? 'validation' : 'train';
}
