/**
 * The one outbox of this extension. Imported by the background, popup and options only; a test
 * (outbox/isolation.test.ts) checks that content-script code never imports it.
 */
import { OutboxDB } from './db.ts';
import { Outbox } from './outbox.ts';

let outbox: Outbox | undefined;

export function getOutbox(): Outbox {
  outbox ??= new Outbox(new OutboxDB());
  return outbox;
}
