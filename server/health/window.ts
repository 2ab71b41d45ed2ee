/** The counts the rule needs over one site's window, in one indexed query (workspace_id, site, at). */
import { sql, type Kysely } from 'kysely';
import type { WindowCounts } from './rule.ts';
import type { HealthDB } from './tables.ts';

const n = (v: unknown) => Number(v ?? 0);

/** Visits of `site` with `after` < at <= `until` (PostgreSQL returns counts as strings: Number()). */
export async function windowCounts(db: Kysely<HealthDB>, workspaceId: string, site: string, after: string, until: string): Promise<WindowCounts> {
  const noAnswers = sql`user_turns > 0 and answers = 0`;
  const base = sql`answers > 0 and user_turns > 0`;
  const row = await db
    .selectFrom('site_visits')
    .select([
      sql<number>`count(*)`.as('visits'),
      sql<number>`count(distinct client_id)`.as('clients'),
      sql<number>`sum(case when answers > 0 then 1 else 0 end)`.as('with_answers'),
      sql<number>`sum(case when ${base} then 1 else 0 end)`.as('prompt_base'),
      sql<number>`count(distinct case when ${base} then client_id end)`.as('prompt_base_clients'),
      sql<number>`sum(case when ${base} and prompt_read = 1 then 1 else 0 end)`.as('with_prompt'),
      sql<number>`sum(case when ${noAnswers} then 1 else 0 end)`.as('no_answers'),
      sql<number>`count(distinct case when ${noAnswers} then client_id end)`.as('no_answers_clients'),
      sql<string | null>`min(case when ${noAnswers} then at end)`.as('first_no_answers_at'),
      sql<string | null>`min(case when ${base} and prompt_read = 0 then at end)`.as('first_no_prompt_at'),
    ])
    .where('workspace_id', '=', workspaceId)
    .where('site', '=', site)
    .where('at', '>', after)
    .where('at', '<=', until)
    .executeTakeFirstOrThrow();
  return {
    visits: n(row.visits),
    clients: n(row.clients),
    withAnswers: n(row.with_answers),
    promptBase: n(row.prompt_base),
    promptBaseClients: n(row.prompt_base_clients),
    withPrompt: n(row.with_prompt),
    noAnswers: n(row.no_answers),
    noAnswersClients: n(row.no_answers_clients),
    firstNoAnswersAt: row.first_no_answers_at ?? null,
    firstNoPromptAt: row.first_no_prompt_at ?? null,
  };
}
