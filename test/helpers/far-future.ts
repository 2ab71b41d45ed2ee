/**
 * Rows as the server stored them before client times were checked (issue 13, item 4): written
 * straight through the store, past the HTTP edge that now refuses times from the future.
 */
import { applyMutations } from '../../server/store/feedback.ts';
import type { TokenInfo } from '../../server/store/tokens.ts';
import type { createTestApp } from './app.ts';

export const FAR_FUTURE = '9999-12-31T23:59:59.999Z';

export async function storeAsBefore(t: Awaited<ReturnType<typeof createTestApp>>, rater: TokenInfo, mutations: unknown[]) {
  return applyMutations(t.store.db, { workspaceId: rater.workspaceId, raterId: rater.raterId, role: 'rater', tokenId: rater.id, clientId: 'old-laptop' }, mutations);
}
