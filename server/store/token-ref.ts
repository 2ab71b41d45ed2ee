/**
 * Which token an operator means by `token revoke REF`: the exact id, or else the one active token
 * of the workspace whose id or shown prefix (`gt_` and 7 characters) starts with REF. Shown prefixes
 * are short and random, so two tokens can share one, and a short id prefix matches every token made
 * in the same minute: a ref that matches several is refused with their ids, never applied to all
 * (issue 13, item 8).
 */
import type { Kysely } from 'kysely';
import type { DB } from './schema.ts';
import { listTokens, type TokenInfo } from './tokens.ts';

export type TokenRef =
  | { kind: 'one'; token: TokenInfo }
  | { kind: 'many'; tokens: TokenInfo[] }
  /** `elsewhere`: workspaces holding an active token with exactly this id (for the operator's hint). */
  | { kind: 'none'; elsewhere: string[] };

export async function resolveTokenRef(db: Kysely<DB>, ref: string, workspaceId: string): Promise<TokenRef> {
  const active = (await listTokens(db, workspaceId)).filter((t) => !t.revokedAt);
  const exact = active.find((t) => t.id === ref);
  if (exact) return { kind: 'one', token: exact };
  const matches = ref ? active.filter((t) => t.id.startsWith(ref) || t.prefix.startsWith(ref)) : [];
  if (matches.length === 1) return { kind: 'one', token: matches[0]! };
  if (matches.length > 1) return { kind: 'many', tokens: matches };
  const elsewhere = (await db.selectFrom('tokens').select('workspace_id').where('id', '=', ref).where('revoked_at', 'is', null).execute()).map(
    (r) => r.workspace_id,
  );
  return { kind: 'none', elsewhere };
}
