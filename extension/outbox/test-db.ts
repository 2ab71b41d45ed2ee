/** A fresh outbox on fake-indexeddb for unit tests (one private IndexedDB per call). */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { OutboxDB } from './db.ts';
import { Outbox, type OutboxOptions } from './outbox.ts';

let n = 0;
export function testOutbox(options: OutboxOptions = {}): Outbox {
  const db = new OutboxDB(`outbox-test-${n++}`, { indexedDB: new IDBFactory(), IDBKeyRange });
  return new Outbox(db, options);
}
