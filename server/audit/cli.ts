/**
 * Auditing from the CLI: the actor is "cli" with the OS user who ran it, the place is this
 * machine's host name. One call at the end of each command that changed something.
 */
import os from 'node:os';
import type { Kysely } from 'kysely';
import { withStore } from '../cli/context.ts';
import type { DB } from '../store/schema.ts';
import { recordAudit, type AuditAction } from './log.ts';

function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

export async function auditCli(
  db: Kysely<DB>,
  entry: { workspaceId: string; action: AuditAction; target?: { type: string; id: string }; details?: Record<string, unknown> },
): Promise<void> {
  const user = osUser();
  await recordAudit(db, { ...entry, actor: { type: 'cli', id: user, name: user, role: null }, via: 'cli', address: os.hostname() });
}

/** Every workspace, for actions that span them all (a purge without --workspace). */
export async function allWorkspaces(db: Kysely<DB>): Promise<string[]> {
  return (await db.selectFrom('workspaces').select('id').orderBy('id').execute()).map((w) => w.id);
}

/** For a command that has already closed its store: opens it again for the one entry. */
export async function auditCliWithStore(entry: Parameters<typeof auditCli>[1]): Promise<void> {
  await withStore((store) => auditCli(store.db, entry));
}
