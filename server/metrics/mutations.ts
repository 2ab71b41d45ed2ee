/**
 * Mutation results by result and source (issue 18). The store reports each applyMutations answer
 * here (store/feedback.ts, one line); the request's metrics middleware (http.ts) has opened a tally
 * for the request and, once the route is known, adds it under the request's source. Outside a
 * request (CLI import) nothing is counted.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export type MutationResultName = 'applied' | 'unchanged' | 'stale' | 'rejected';

export type Tally = Map<MutationResultName, number>;

const current = new AsyncLocalStorage<Tally>();

/** Runs `fn` with a tally of the mutation results the store reports meanwhile. */
export function withMutationTally<T>(tally: Tally, fn: () => Promise<T>): Promise<T> {
  return current.run(tally, fn);
}

/** Called by the store with the results it answers. */
export function reportMutationResults(results: readonly { status: MutationResultName }[]): void {
  const tally = current.getStore();
  if (!tally) return;
  for (const r of results) tally.set(r.status, (tally.get(r.status) ?? 0) + 1);
}
