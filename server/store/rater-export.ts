/**
 * Everything the store holds about one rater, as one JSON document written in pieces (a rater
 * with a million votes is streamed page by page, never held in memory). The counterpart of
 * eraseRater in erase.ts: the same tables, read instead of deleted.
 */
import type { Kysely } from 'kysely';
import { hasTable } from './erase.ts';
import { rowToFeedback } from './feedback-read.ts';
import { withItemTables } from './items-tables.ts';
import { withLinkTables } from './link-tables.ts';
import { toFeedbackLink } from './feedback-links.ts';
import type { DB } from './schema.ts';

const PAGE = 500;

function parse(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Pages of rows ordered by a unique text column, each mapped to a JSON-ready value. */
async function* pages<T extends Record<string, unknown>>(
  next: (after: string) => Promise<T[]>,
  key: (row: T) => string,
  map: (row: T) => unknown,
): AsyncGenerator<unknown> {
  let after = '';
  for (;;) {
    const rows = await next(after);
    for (const row of rows) yield map(row);
    if (rows.length < PAGE) return;
    after = key(rows[rows.length - 1]!);
  }
}

/** Yields the export as JSON text pieces; concatenated they are one valid JSON object. */
export async function* raterExportJson(db: Kysely<DB>, workspaceId: string, raterId: string, now = new Date()): AsyncGenerator<string> {
  const head = { format: 'groundtruth-rater-export', version: 1, workspaceId, raterId, exportedAt: now.toISOString() };
  yield JSON.stringify(head).slice(0, -1);

  const sections: [string, AsyncGenerator<unknown>][] = [
    [
      'tokens',
      pages(
        (after) =>
          db.selectFrom('tokens').selectAll().where('workspace_id', '=', workspaceId).where('rater_id', '=', raterId).where('id', '>', after).orderBy('id').limit(PAGE).execute(),
        (r) => r.id,
        // Never the hash: it identifies the secret.
        (r) => ({ id: r.id, name: r.name, role: r.role, prefix: r.prefix, createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at }),
      ),
    ],
    [
      'feedback',
      pages(
        (after) =>
          db.selectFrom('feedback').selectAll().where('workspace_id', '=', workspaceId).where('rater_id', '=', raterId).where('id', '>', after).orderBy('id').limit(PAGE).execute(),
        (r) => r.id,
        (r) =>
          r.record
            ? rowToFeedback(r)
            : { id: r.id, deleted: true, updatedAt: r.updated_at, receivedAt: r.received_at, raterId: r.rater_id, workspaceId: r.workspace_id },
      ),
    ],
    [
      'events',
      pages(
        (after) =>
          db
            .selectFrom('feedback_events')
            .selectAll()
            .where('workspace_id', '=', workspaceId)
            .where((eb) =>
              eb.or([
                eb('actor_rater_id', '=', raterId),
                eb('feedback_id', 'in', eb.selectFrom('feedback').select('id').where('workspace_id', '=', workspaceId).where('rater_id', '=', raterId)),
              ]),
            )
            .where('id', '>', after)
            .orderBy('id')
            .limit(PAGE)
            .execute(),
        (r) => r.id,
        (r) => ({ id: r.id, feedbackId: r.feedback_id, op: r.op, at: r.at, actorRaterId: r.actor_rater_id, clientId: r.client_id, before: parse(r.before), after: parse(r.after) }),
      ),
    ],
    [
      'items',
      pages(
        (after) =>
          withItemTables(db).selectFrom('items').selectAll().where('workspace_id', '=', workspaceId).where('rater_id', '=', raterId).where('id', '>', after).orderBy('id').limit(PAGE).execute(),
        (r) => r.id,
        (r) => ({ id: r.id, externalKey: r.external_key, kind: r.kind, body: parse(r.body), createdAt: r.created_at, updatedAt: r.updated_at }),
      ),
    ],
    [
      'traceEvents',
      pages(
        (after) =>
          withItemTables(db).selectFrom('trace_events').selectAll().where('workspace_id', '=', workspaceId).where('rater_id', '=', raterId).where('id', '>', after).orderBy('id').limit(PAGE).execute(),
        (r) => r.id,
        (r) => ({ id: r.id, type: r.type, investigationId: r.investigation_id, subject: r.subject, data: parse(r.data), at: r.at, receivedAt: r.received_at }),
      ),
    ],
    [
      'notes',
      pages(
        async (after) => {
          if (!(await hasTable(db, 'subject_notes'))) return [];
          return (db as unknown as Kysely<any>)
            .selectFrom('subject_notes')
            .selectAll()
            .where('workspace_id', '=', workspaceId)
            .where('author_rater_id', '=', raterId)
            .where('id', '>', after)
            .orderBy('id')
            .limit(PAGE)
            .execute();
        },
        (r) => r.id,
        (r) => ({ id: r.id, subject: r.subject, body: r.body, authorName: r.author_name, createdAt: r.created_at }),
      ),
    ],
    [
      // Rating links made for this person (`user:<id>`, issue 17): never their secret or its hash.
      'feedbackLinks',
      pages(
        async (after) =>
          raterId.startsWith('user:')
            ? withLinkTables(db).selectFrom('feedback_links').selectAll().where('workspace_id', '=', workspaceId).where('user_id', '=', raterId.slice('user:'.length)).where('id', '>', after).orderBy('id').limit(PAGE).execute()
            : [],
        (r) => r.id,
        (r) => toFeedbackLink(r, now),
      ),
    ],
  ];
  for (const [name, rows] of sections) {
    yield `,${JSON.stringify(name)}:[`;
    let first = true;
    for await (const row of rows) {
      yield `${first ? '' : ','}${JSON.stringify(row)}`;
      first = false;
    }
    yield ']';
  }
  yield '}\n';
}
