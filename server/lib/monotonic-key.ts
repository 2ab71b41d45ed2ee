/**
 * Sortable keys that grow strictly within this process, even several in the same millisecond or
 * when the clock steps back: `<ms, 13 digits>-<counter, 6 digits>-<8 random hex>`. Used to keep an
 * append-only log in arrival order without an auto-increment column, which SQLite and PostgreSQL
 * spell differently. Two processes writing at once interleave by millisecond; the random tail
 * only keeps their keys distinct.
 */
import { randomBytes } from 'node:crypto';

let lastMs = 0;
let counter = 0;
const tail = randomBytes(4).toString('hex');

export function monotonicKey(now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    counter = 0;
  } else if (++counter > 999_999) {
    lastMs += 1;
    counter = 0;
  }
  return `${String(lastMs).padStart(13, '0')}-${String(counter).padStart(6, '0')}-${tail}`;
}
