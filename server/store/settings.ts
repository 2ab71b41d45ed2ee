/** Per-workspace governance settings (migration 0040): retention, and redaction of program text. */
import type { Kysely } from 'kysely';
import { withGovernance, type WorkspaceSettingsTable } from './governance-tables.ts';
import type { DB } from './schema.ts';

export interface WorkspaceSettings {
  /** Days to keep feedback, applied daily by the server; null keeps it forever. */
  retentionDays: number | null;
  /** Redact text that programs send over HTTP (items, traces, feedback); on by default. */
  redactProgramText: boolean;
  /** When the retention setting was last applied. */
  lastPurgedAt: string | null;
  updatedAt: string | null;
}

export const DEFAULT_SETTINGS: WorkspaceSettings = { retentionDays: null, redactProgramText: true, lastPurgedAt: null, updatedAt: null };

function toSettings(row: WorkspaceSettingsTable | undefined): WorkspaceSettings {
  if (!row) return { ...DEFAULT_SETTINGS };
  return {
    retentionDays: row.retention_days,
    redactProgramText: row.redact_program_text !== 0,
    lastPurgedAt: row.last_purged_at,
    updatedAt: row.updated_at,
  };
}

export async function getSettings(db: Kysely<DB>, workspaceId: string): Promise<WorkspaceSettings> {
  return toSettings(await withGovernance(db).selectFrom('workspace_settings').selectAll().where('workspace_id', '=', workspaceId).executeTakeFirst());
}

export async function updateSettings(
  db: Kysely<DB>,
  workspaceId: string,
  patch: { retentionDays?: number | null; redactProgramText?: boolean },
  by: string | null = null,
): Promise<WorkspaceSettings> {
  const now = new Date().toISOString();
  const gov = withGovernance(db);
  const changes: Partial<WorkspaceSettingsTable> = { updated_at: now, updated_by: by };
  if (patch.retentionDays !== undefined) changes.retention_days = patch.retentionDays;
  if (patch.redactProgramText !== undefined) changes.redact_program_text = patch.redactProgramText ? 1 : 0;
  await gov
    .insertInto('workspace_settings')
    .values({
      workspace_id: workspaceId,
      retention_days: patch.retentionDays ?? null,
      redact_program_text: patch.redactProgramText === false ? 0 : 1,
      last_purged_at: null,
      updated_at: now,
      updated_by: by,
    })
    .onConflict((oc) => oc.column('workspace_id').doUpdateSet(changes))
    .execute();
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
}
