/**
 * Notes people add about a subject ("known quirks"): who wrote it, when. Each note is indexed for
 * search in the same transaction that stores it.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { uuidv7 } from '../../shared/ids.ts';
import { LIMITS } from '../../shared/limits.ts';
import { searchBackendFor } from '../search/index.ts';
import { withDashboardTables, type SubjectNotesTable } from '../store/dashboard-schema.ts';
import type { DB } from '../store/schema.ts';

export const NOTE_MAX_CHARS = 5000;

export const SubjectId = z
  .string()
  .min(1, 'must not be empty')
  .max(LIMITS.shortTextMaxChars, `at most ${LIMITS.shortTextMaxChars} characters`);

export const NoteInput = z.object({
  body: z
    .string()
    .trim()
    .min(1, 'a note needs some text')
    .max(NOTE_MAX_CHARS, `at most ${NOTE_MAX_CHARS} characters`),
}).strict();
export type NoteInput = z.infer<typeof NoteInput>;

export const Note = z.object({
  id: z.string(),
  subject: z.string(),
  body: z.string(),
  author: z.object({ raterId: z.string(), name: z.string() }),
  createdAt: z.string(),
});
export type Note = z.infer<typeof Note>;

export function toNote(row: SubjectNotesTable): Note {
  return {
    id: row.id,
    subject: row.subject,
    body: row.body,
    author: { raterId: row.author_rater_id, name: row.author_name },
    createdAt: row.created_at,
  };
}

export interface NoteAuthor {
  workspaceId: string;
  raterId: string;
  name: string;
}

export async function addNote(db: Kysely<DB>, author: NoteAuthor, subject: string, input: NoteInput, now = new Date()): Promise<Note> {
  const row: SubjectNotesTable = {
    id: uuidv7(now.getTime()),
    workspace_id: author.workspaceId,
    subject,
    body: input.body,
    author_rater_id: author.raterId,
    author_name: author.name,
    created_at: now.toISOString(),
  };
  await db.transaction().execute(async (trx) => {
    await withDashboardTables(trx).insertInto('subject_notes').values(row).execute();
    await searchBackendFor(trx).indexNote(trx, row);
  });
  return toNote(row);
}

export async function listNotes(db: Kysely<DB>, workspaceId: string, subject: string, limit = 50): Promise<Note[]> {
  const rows = await withDashboardTables(db)
    .selectFrom('subject_notes')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('subject', '=', subject)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toNote);
}
