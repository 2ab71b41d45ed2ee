/**
 * The outbox database. It lives in the extension's own origin: only the background, popup and
 * options pages open it. A content script would open the host page's IndexedDB instead (DESIGN,
 * "Known facts"), so content scripts reach it by messaging.
 */
import Dexie, { type DexieOptions, type EntityTable } from 'dexie';
import type { MetaRow, OutboxRow } from './rows.ts';

const OUTBOX_DB_NAME = 'groundtruth-outbox';

export class OutboxDB extends Dexie {
  ratings!: EntityTable<OutboxRow, 'key'>;
  meta!: EntityTable<MetaRow, 'key'>;

  constructor(name: string = OUTBOX_DB_NAME, options?: DexieOptions) {
    super(name, options);
    // Only indexed fields are listed; the rest of each row is stored as is.
    this.version(1).stores({
      ratings: 'key, &feedbackId, [state+updatedAt], updatedAt',
      meta: 'key',
    });
  }
}
