/**
 * Server-side redaction of text that programs send over HTTP (items, traces, drop-in feedback):
 * on by default, switched per workspace by `workspace_settings.redact_program_text` (migration 0040).
 * The detectors themselves live in shared/redact.ts, the same ones the extension runs before queueing.
 */
import type { Kysely } from 'kysely';
import { redact } from '../../shared/redact.ts';
import type { DB } from '../store/schema.ts';

export interface TextRedactor {
  /** One free-text value. */
  text(value: string): string;
  /** Every string inside a JSON value (keys are left alone). */
  json<T>(value: T): T;
}

function mapStrings(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, fn)]));
  return value;
}

function redactor(fn: (s: string) => string): TextRedactor {
  return { text: fn, json: <T>(value: T) => mapStrings(value, fn) as T };
}

export const redactingText = redactor((s) => redact(s).text);
export const keepingText = redactor((s) => s);

/** The redactor a workspace asked for: redacting unless its settings turned it off. */
export async function programTextRedactor(db: Kysely<DB>, workspaceId: string): Promise<TextRedactor> {
  const row = await db
    .withTables<{ workspace_settings: { workspace_id: string; redact_program_text: number } }>()
    .selectFrom('workspace_settings')
    .select('redact_program_text')
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  return row && row.redact_program_text === 0 ? keepingText : redactingText;
}
