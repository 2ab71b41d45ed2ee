/**
 * Per-workspace governance settings (migration 0040): retention, and redaction of program text;
 * since 0140 also whether the drop-in conversation API knows only conversations the workspace names.
 */
import type { Kysely } from 'kysely';
import { withGovernance, type WorkspaceSettingsTable } from './governance-tables.ts';
import type { DB } from './schema.ts';
import { readCache } from './read-cache.ts';

/** The row with the column of migration 0140 (typed here, beside the 0040 table type). */
type SettingsRow = WorkspaceSettingsTable & { known_conversations_only: number };
const settingsTable = (db: Kysely<DB>) => withGovernance(db).withTables<{ workspace_settings: SettingsRow }>();

export interface WorkspaceSettings {
  /** Days to keep feedback, applied daily by the server; null keeps it forever. */
  retentionDays: number | null;
  /** Redact text that programs send over HTTP (items, traces, feedback); on by default. */
  redactProgramText: boolean;
  /**
   * `/api/v1/feedback/{conversation_id}`: a conversation that no item (`context.conversation_id`) or
   * feedback record of the workspace names is 404, as in FilAgent's document; off by default.
   */
  knownConversationsOnly: boolean;
  /** When the retention setting was last applied. */
  lastPurgedAt: string | null;
  updatedAt: string | null;
}

export const DEFAULT_SETTINGS: WorkspaceSettings = {
  retentionDays: null,
  redactProgramText: true,
  knownConversationsOnly: false,
  lastPurgedAt: null,
  updatedAt: null,
};

function toSettings(row: SettingsRow | undefined): WorkspaceSettings {
  if (!row) return { ...DEFAULT_SETTINGS };
  return {
    retentionDays: row.retention_days,
    redactProgramText: row.redact_program_text !== 0,
    knownConversationsOnly: row.known_conversations_only === 1,
    lastPurgedAt: row.last_purged_at,
    updatedAt: row.updated_at,
  };
}

/** Settings reads, reused for at most READ_CACHE_MS (server/store/read-cache.ts says how changes are seen). */
const settingsReads = readCache<WorkspaceSettings>();

export async function getSettings(db: Kysely<DB>, workspaceId: string): Promise<WorkspaceSettings> {
  return (await settingsReads.get(db, workspaceId, async () =>
    toSettings(await settingsTable(db).selectFrom('workspace_settings').selectAll().where('workspace_id', '=', workspaceId).executeTakeFirst()),
  ))!;
}

export async function updateSettings(
  db: Kysely<DB>,
  workspaceId: string,
  patch: { retentionDays?: number | null; redactProgramText?: boolean; knownConversationsOnly?: boolean },
  by: string | null = null,
): Promise<WorkspaceSettings> {
  const now = new Date().toISOString();
  const gov = settingsTable(db);
  const changes: Partial<SettingsRow> = { updated_at: now, updated_by: by };
  if (patch.retentionDays !== undefined) changes.retention_days = patch.retentionDays;
  if (patch.redactProgramText !== undefined) changes.redact_program_text = patch.redactProgramText ? 1 : 0;
  if (patch.knownConversationsOnly !== undefined) changes.known_conversations_only = patch.knownConversationsOnly ? 1 : 0;
  await gov
    .insertInto('workspace_settings')
    .values({
      workspace_id: workspaceId,
      retention_days: patch.retentionDays ?? null,
      redact_program_text: patch.redactProgramText === false ? 0 : 1,
      known_conversations_only: patch.knownConversationsOnly ? 1 : 0,
      last_purged_at: null,
      updated_at: now,
      updated_by: by,
    })
    .onConflict((oc) => oc.column('workspace_id').doUpdateSet(changes))
    .execute();
  settingsReads.changed();
  return getSettings(db, workspaceId);
}

/** Workspaces whose retention is set and has not been applied since `dueBefore`. */
export async function workspacesDueForRetention(db: Kysely<DB>, dueBefore: Date): Promise<{ workspaceId: string; retentionDays: number }[]> {
  const rows = await withGovernance(db)
    .selectFrom('workspace_settings')
    .select(['workspace_id', 'retention_days'])
    .where('retention_days', 'is not', null)
    .where((eb) => eb.or([eb('last_purged_at', 'is', null), eb('last_purged_at', '<', dueBefore.toISOString())]))
    .orderBy('workspace_id')
    .execute();
  return rows.map((r) => ({ workspaceId: r.workspace_id, retentionDays: r.retention_days! }));
}

export async function markPurged(db: Kysely<DB>, workspaceId: string, at: Date): Promise<void> {
  await withGovernance(db).updateTable('workspace_settings').set({ last_purged_at: at.toISOString() }).where('workspace_id', '=', workspaceId).execute();
  settingsReads.changed();
}
