/** What the popup shows: counts, the last sync in words, and the recent ratings with their state. */
import { z } from 'zod';
import { Rating, TargetKind } from '../../shared/schemas.ts';
import type { OutboxRow } from '../outbox/rows.ts';
import { OutboxState } from '../outbox/rows.ts';
import type { Outbox } from '../outbox/outbox.ts';
import type { LastSync } from '../sync/scheduler.ts';
import { remotePacks, type StoredRemoteConfig } from './settings.ts';

export const RecentRating = z.object({
  key: z.string(),
  state: OutboxState,
  /** 'delete': an undone vote on its way to the server. */
  op: z.enum(['upsert', 'delete']),
  error: z.string().optional(),
  kind: TargetKind.optional(),
  site: z.string().optional(),
  model: z.string().optional(),
  rating: Rating.optional(),
  /** The beginning of the rated text (or of its quote), for the rater to recognise it. */
  snippet: z.string(),
  updatedAt: z.string(),
});
export type RecentRating = z.infer<typeof RecentRating>;

export const PopupSummary = z.object({
  counts: z.object({ pending: z.number(), synced: z.number(), rejected: z.number() }),
  lastSync: z
    .object({
      at: z.number(),
      ok: z.boolean(),
      kind: z.string().optional(),
      error: z.string().optional(),
      sent: z.number(),
      synced: z.number(),
      rejected: z.number(),
      nextAttemptAt: z.number().optional(),
    })
    .nullable(),
  serverUrl: z.string(),
  hasToken: z.boolean(),
  recent: z.array(RecentRating),
  /** Selector packs the admin published and this extension uses, by site id (null: none). */
  packs: z.object({ version: z.number(), sites: z.array(z.string()), ignored: z.array(z.string()) }).nullable().default(null),
});
export type PopupSummary = z.infer<typeof PopupSummary>;

const SNIPPET_CHARS = 120;

function snippetOf(row: OutboxRow): string {
  const t = row.feedback?.target;
  const text = t?.quote?.exact ?? t?.output ?? (t?.outputHash ? `SHA-256 ${t.outputHash.slice(0, 12)}…` : row.key);
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > SNIPPET_CHARS ? `${flat.slice(0, SNIPPET_CHARS - 1)}…` : flat;
}

function recentOf(row: OutboxRow): RecentRating {
  const t = row.feedback?.target;
  return {
    key: row.key,
    state: row.state,
    op: row.op,
    ...(row.error ? { error: row.error } : {}),
    ...(t?.kind ? { kind: t.kind } : {}),
    ...(t?.site ? { site: t.site } : {}),
    ...(t?.model ? { model: t.model } : {}),
    ...(row.feedback?.rating ? { rating: row.feedback.rating } : {}),
    snippet: snippetOf(row),
    updatedAt: row.updatedAt,
  };
}

export async function buildSummary(
  outbox: Outbox,
  lastSync: LastSync | undefined,
  server: { serverUrl: string; token: string },
  remote?: StoredRemoteConfig,
  recentLimit = 15,
): Promise<PopupSummary> {
  const [counts, recent] = await Promise.all([outbox.counts(), outbox.recent(recentLimit)]);
  const { packs, ignored } = remotePacks(remote);
  const sites = Object.keys(packs);
  return {
    counts,
    lastSync: lastSync ?? null,
    serverUrl: server.serverUrl,
    hasToken: server.token.length > 0,
    recent: recent.map(recentOf),
    packs: sites.length + ignored.length > 0 ? { version: remote?.version ?? 0, sites, ignored: ignored.map((i) => i.site) } : null,
  };
}
