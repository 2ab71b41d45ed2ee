/** A connect code for a rater, straight from the store (tests outside server/ that need one without a dashboard session). */
import { createConnectCode } from '../../server/store/connect-codes.ts';
import type { Store } from '../../server/store/open.ts';

export async function makeConnectCode(store: Store, raterId: string, workspaceId = 'default'): Promise<string> {
  return (await createConnectCode(store.db, { workspaceId, raterId, createdBy: 'test' }, new Date())).code;
}
