/**
 * A Kysely handle on an open transaction whose own `transaction()` runs inside it instead of
 * opening another (Kysely refuses nested transactions). It makes several store writes, each of
 * which opens its own transaction (applyMutations does), one atomic unit: `groundtruth import`
 * restores a file whole or not at all. A failure anywhere rolls the outer transaction back; a
 * conflict that the inner write would retry fails the whole unit instead.
 */
import type { Kysely, Transaction } from 'kysely';

export function joinTransaction<T>(trx: Transaction<T>): Kysely<T> {
  const joined: Kysely<T> = new Proxy(trx, {
    get(target, prop) {
      if (prop === 'transaction') {
        const builder = {
          setIsolationLevel: () => builder,
          setAccessMode: () => builder,
          execute: <R>(fn: (t: Transaction<T>) => Promise<R>) => fn(joined as Transaction<T>),
        };
        return () => builder;
      }
      // Kysely keeps its state in private fields: call its methods on the transaction itself.
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return joined;
}
