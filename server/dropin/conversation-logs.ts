/**
 * FilAgent's reads of one conversation (seed 004): `get_interaction_logs(conversation_id=…)` and
 * `get_feedback_stats(conversation_id=…)`, over the records its API wrote (target key
 * `conversation:…`, live ones), and whether the workspace knows the conversation at all (an item
 * with `context.conversation_id`, or any feedback naming it). Aggregates run in SQL, both dialects.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { ConversationStats, InteractionLog } from '../../shared/conversation-feedback.ts';
import { withItemTables } from '../store/items-tables.ts';
import { isPostgres } from '../store/postgres.ts';
import type { DB } from '../store/schema.ts';
import { CONVERSATION_KEY_PREFIX, interactionLogOf } from './conversation.ts';

/** Whose logs: a rater token reads its own (DESIGN, roles), analysts and admins the workspace's. */
export interface LogScope {
  workspaceId: string;
  raterId?: string;
}

function interactions(db: Kysely<DB>, scope: LogScope, conversationId: string) {
  let q = db
    .selectFrom('feedback')
    .where('workspace_id', '=', scope.workspaceId)
    .where('conversation_id', '=', conversationId)
    .where('deleted', '=', 0)
    .where('target_key', 'like', `${CONVERSATION_KEY_PREFIX}%`);
  if (scope.raterId !== undefined) q = q.where('rater_id', '=', scope.raterId);
  return q;
}

/** Newest first, as get_interaction_logs orders them. */
export async function conversationLogs(db: Kysely<DB>, scope: LogScope, conversationId: string, limit: number): Promise<InteractionLog[]> {
  const rows = await interactions(db, scope, conversationId)
    .select(['id', 'conversation_id', 'stars', 'created_at', 'record'])
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(interactionLogOf);
}

/** A number in target.context, or NULL (so AVG skips it, as SQL's AVG skips FilAgent's NULL columns). */
function contextNumber(db: Kysely<DB>, field: 'latency_ms' | 'tokens_used'): RawBuilder<number | null> {
  if (isPostgres(db)) {
    const path = sql.lit(`{target,context,${field}}`);
    return sql`case when jsonb_typeof(record::jsonb #> ${path}) = 'number' then (record::jsonb #>> ${path})::float8 end`;
  }
  const path = sql.lit(`$.target.context.${field}`);
  return sql`case when json_type(record, ${path}) in ('integer', 'real') then json_extract(record, ${path}) end`;
}

const count = (v: unknown) => Number(v ?? 0);
const mean = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export async function conversationStats(db: Kysely<DB>, scope: LogScope, conversationId: string): Promise<ConversationStats> {
  const stars = (n: number) => sql<number>`sum(case when stars = ${sql.lit(n)} then 1 else 0 end)`;
  const row = await interactions(db, scope, conversationId)
    .select([
      sql<number>`count(*)`.as('total_count'),
      sql<number | null>`avg(stars * 1.0)`.as('avg_score'),
      stars(1).as('score_1'),
      stars(2).as('score_2'),
      stars(3).as('score_3'),
      stars(4).as('score_4'),
      stars(5).as('score_5'),
      sql<number | null>`avg(${contextNumber(db, 'latency_ms')})`.as('avg_latency_ms'),
      sql<number | null>`avg(${contextNumber(db, 'tokens_used')})`.as('avg_tokens'),
    ])
    .executeTakeFirstOrThrow();
  return {
    total_count: count(row.total_count),
    avg_score: mean(row.avg_score),
    score_1: count(row.score_1),
    score_2: count(row.score_2),
    score_3: count(row.score_3),
    score_4: count(row.score_4),
    score_5: count(row.score_5),
    avg_latency_ms: mean(row.avg_latency_ms),
    avg_tokens: mean(row.avg_tokens),
  };
}

/**
 * The expression migration 0140 indexes (items_ws_conversation): written the same way here, or
 * the index is not used.
 */
function conversationOfItem(db: Kysely<DB>): RawBuilder<string | null> {
  return isPostgres(db) ? sql`(body::jsonb #>> '{context,conversation_id}')` : sql`json_extract(body, '$.context.conversation_id')`;
}

/** Does any item (`context.conversation_id`) or feedback record (live or deleted) of the workspace name it? */
export async function conversationIsKnown(db: Kysely<DB>, workspaceId: string, conversationId: string): Promise<boolean> {
  const feedback = await db
    .selectFrom('feedback')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('conversation_id', '=', conversationId)
    .limit(1)
    .executeTakeFirst();
  if (feedback) return true;
  const item = await withItemTables(db)
    .selectFrom('items')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where(conversationOfItem(db), '=', conversationId)
    .limit(1)
    .executeTakeFirst();
  return item !== undefined;
}
