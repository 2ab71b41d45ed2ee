/**
 * Server-side redaction of feedback that programs send in the native shape (POST and PATCH
 * /v1/feedback): the same shared detectors as the extension, on unless the workspace turned
 * `redactProgramText` off (PATCH /v1/settings). The extension's own path, /v1/sync, is redacted
 * on the device before it is queued, under the user's control, and is left alone here. Drop-in
 * shapes, items and traces are redacted by their own routes through the same setting.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { redact } from '../../shared/redact.ts';
import { redactFeedbackText } from '../../shared/redact-feedback.ts';
import type { FeedbackInput, FeedbackPatch } from '../../shared/schemas.ts';
import { getSettings } from '../store/settings.ts';
import type { DB } from '../store/schema.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function redacting(db: Kysely<DB>, workspaceId: string): Promise<boolean> {
  return (await getSettings(db, workspaceId)).redactProgramText;
}

/** The record with its free text redacted; the hashes of the original prompt and output are kept. */
export function redactNativeFeedback(input: FeedbackInput): FeedbackInput {
  const { feedback } = redactFeedbackText(input);
  const t = input.target;
  const target = { ...feedback.target };
  // Of the text as sent, so a program can still match records to its own logs.
  if (t.prompt !== undefined && target.prompt !== t.prompt && !target.promptHash) target.promptHash = sha256(t.prompt);
  if (t.output !== undefined && target.output !== t.output && !target.outputHash) target.outputHash = sha256(t.output);
  return { ...feedback, target };
}

export async function redactProgramFeedback(db: Kysely<DB>, workspaceId: string, input: FeedbackInput): Promise<FeedbackInput> {
  return (await redacting(db, workspaceId)) ? redactNativeFeedback(input) : input;
}

/** The text a PATCH brings (comment, correction); the stored record's other text is not touched. */
export async function redactProgramPatch(db: Kysely<DB>, workspaceId: string, patch: FeedbackPatch): Promise<FeedbackPatch> {
  if (!(await redacting(db, workspaceId))) return patch;
  const next: FeedbackPatch = { ...patch };
  if (typeof patch.comment === 'string') next.comment = redact(patch.comment).text;
  if (patch.correction) {
    next.correction = redactFeedbackText({ target: {}, correction: patch.correction }).feedback.correction;
  }
  return next;
}
