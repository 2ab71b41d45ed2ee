/**
 * One-time connect codes (issue 15, item 3; ADR 0049): a signed-in person makes one in the
 * dashboard's rater area and types it into a browser's extension options; the extension trades
 * it (POST /v1/connect, routes/connect.ts) for a new rater token of that person's rater id — a
 * second device of the same rater, with no token typed or pasted.
 *
 * A code is 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L, U), shown as
 * ABCD-EFGH: 30^8 ≈ 6.6·10^11 codes, for 10 minutes, once, behind the per-address limit. Only its
 * SHA-256 is stored. Times come from the server's settable clock (lib/clock.ts).
 */
import { randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import { uuidv7 } from '../../shared/ids.ts';
import { withConnectTables, type ConnectCodesTable } from './connect-tables.ts';
import type { DB } from './schema.ts';
import { createToken, hashToken, listTokens, type TokenInfo } from './tokens.ts';

export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CODE_LENGTH = 8;
export const CODE_TTL_MS = 10 * 60 * 1000;


/** What a person types, as it is hashed: dashes, spaces and case do not matter. */
export function normaliseCode(typed: string): string {
  return typed.toUpperCase().replace(/[\s-]+/g, '');
}

/** Whether a normalised code can be one at all (checked before any lookup). */
export function looksLikeCode(code: string): boolean {
  return code.length === CODE_LENGTH && [...code].every((ch) => CODE_ALPHABET.includes(ch));
}

/** `ABCDEFGH` → `ABCD-EFGH`, as the dashboard shows it. */
export function groupCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

export function newCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

export interface NewConnectCode {
  id: string;
  /** Grouped (ABCD-EFGH): the only time it exists outside the page that shows it. */
  code: string;
  expiresAt: string;
}

/** Makes a code that connects a browser as `raterId`; `createdBy` is the session's token id. */
export async function createConnectCode(
  db: Kysely<DB>,
  input: { workspaceId: string; raterId: string; createdBy: string },
  now: Date,
): Promise<NewConnectCode> {
  const t = withConnectTables(db);
  // Sweep codes a day past their expiry while writing anyway (the audit log keeps their story).
  await t.deleteFrom('connect_codes').where('expires_at', '<', new Date(now.getTime() - 86_400_000).toISOString()).execute();
  for (;;) {
    const code = newCode();
    const row: ConnectCodesTable = {
      id: uuidv7(now.getTime()),
      workspace_id: input.workspaceId,
      code_hash: hashToken(code),
      rater_id: input.raterId,
      created_by: input.createdBy,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + CODE_TTL_MS).toISOString(),
      used_at: null,
      token_id: null,
    };
    // A collision with a live code (unlikely: 6.6·10^11 codes) just draws again.
    const clash = await t.selectFrom('connect_codes').select('id').where('code_hash', '=', row.code_hash).executeTakeFirst();
    if (clash) continue;
    await t.insertInto('connect_codes').values(row).execute();
    return { id: row.id, code: groupCode(code), expiresAt: row.expires_at };
  }
}

export type RedeemResult =
  | { ok: true; code: ConnectCodesTable; token: string; info: TokenInfo }
  | { ok: false; reason: 'not_found' | 'expired' | 'used'; code?: ConnectCodesTable };

/**
 * Uses a code once: a new rater token for its rater, named `name`. The use is one conditional
 * UPDATE (unused and unexpired), so of two browsers sending the same code at once only one wins.
 */
export async function redeemConnectCode(db: Kysely<DB>, typed: string, name: string, now: Date): Promise<RedeemResult> {
  const normalised = normaliseCode(typed);
  if (!looksLikeCode(normalised)) return { ok: false, reason: 'not_found' };
  const t = withConnectTables(db);
  const hash = hashToken(normalised);
  const row = await t.selectFrom('connect_codes').selectAll().where('code_hash', '=', hash).executeTakeFirst();
  if (!row) return { ok: false, reason: 'not_found' };
  if (row.used_at) return { ok: false, reason: 'used', code: row };
  if (row.expires_at <= now.toISOString()) return { ok: false, reason: 'expired', code: row };
  const taken = await t
    .updateTable('connect_codes')
    .set({ used_at: now.toISOString() })
    .where('id', '=', row.id)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirst();
  if (Number(taken.numUpdatedRows) !== 1) return { ok: false, reason: 'used', code: row };
  const { token, info } = await createToken(db, { role: 'rater', name, workspaceId: row.workspace_id, raterId: row.rater_id });
  await t.updateTable('connect_codes').set({ token_id: info.id }).where('id', '=', row.id).execute();
  return { ok: true, code: { ...row, used_at: now.toISOString(), token_id: info.id }, token, info };
}

/** The tokens of one rater in one workspace (their browsers, and whatever else holds their id), oldest first. */
export async function raterTokens(db: Kysely<DB>, workspaceId: string, raterId: string): Promise<TokenInfo[]> {
  return (await listTokens(db, workspaceId)).filter((t) => t.raterId === raterId);
}
