import type { Kysely } from 'kysely';

/**
 * A rater's own records in one conversation (GET /v1/feedback?conversationId=…, which the extension
 * asks when a conversation opens), newest first: the rater scope, the filter and the list's keyset
 * order (created_at, id) in one index, so the read never scans the rater's whole history.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('feedback_ws_rater_conversation')
    .on('feedback')
    .columns(['workspace_id', 'rater_id', 'conversation_id', 'created_at', 'id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('feedback_ws_rater_conversation').execute();
}
