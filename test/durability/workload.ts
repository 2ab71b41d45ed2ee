/**
 * Shared pieces of the durability tests and benches: feedback versions with known content, a sync
 * client that behaves like the extension's outbox (keeps what was not acknowledged, retries it),
 * and the checks of what a store holds afterwards.
 */
import { uuidv7 } from '../../shared/ids.ts';
import type { Store } from '../../server/store/open.ts';

export type Status = 'applied' | 'unchanged' | 'stale' | 'rejected';

/** One version of one record, as a client sends it. */
export interface Version {
  id: string;
  key: string;
  /** ms since epoch; unique across the whole run, so last-writer-wins has no ties. */
  at: number;
  deleted: boolean;
  thumb: 'up' | 'down';
  stars: number;
  comment: string;
}

let clock = Date.UTC(2026, 1, 1);
/** A strictly increasing timestamp for this process. */
export function tick(): number {
  return ++clock;
}

export function newVersion(key: string, id = uuidv7()): Version {
  const at = tick();
  return { id, key, at, deleted: false, thumb: at % 2 ? 'up' : 'down', stars: 1 + (at % 5), comment: `v${at}` };
}

export function nextVersion(prev: Version, deleted = false, key = prev.key): Version {
  const at = tick();
  return { ...prev, key, at, deleted, thumb: at % 2 ? 'up' : 'down', stars: 1 + (at % 5), comment: `v${at}` };
}

export function toMutation(v: Version) {
  const iso = new Date(v.at).toISOString();
  if (v.deleted) return { id: v.id, op: 'delete' as const, updatedAt: iso };
  return {
    id: v.id,
    op: 'upsert' as const,
    updatedAt: iso,
    feedback: {
      id: v.id,
      target: {
        kind: 'chat_response',
        key: v.key,
        site: 'chatgpt',
        model: ['gpt-5', 'claude-4', 'gemini-3'][v.at % 3],
        conversationId: `conv-${v.key.length % 7}`,
        prompt: `Prompt for ${v.key}`,
        output: `Answer for ${v.key}: `.padEnd(300, 'lorem ipsum '),
        context: { latency_ms: 500 + (v.at % 900), tokens_used: 100 + (v.at % 300) },
      },
      rating: { thumb: v.thumb, stars: v.stars },
      comment: v.comment,
      createdAt: iso,
      updatedAt: iso,
    },
  };
}

export interface SyncAnswer {
  httpStatus: number;
  results?: { id: string; status: Status; error?: string }[];
  error?: string;
  /** Network failures: the system error code (ECONNREFUSED: nobody listening; ECONNRESET…: cut in flight). */
  code?: string;
}

/** POST /v1/sync over real HTTP. Network failures come back as httpStatus 0. */
export async function postSync(url: string, token: string, clientId: string, versions: Version[], timeoutMs = 15_000): Promise<SyncAnswer> {
  try {
    const res = await fetch(`${url}/v1/sync`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ clientId, mutations: versions.map(toMutation) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    if (res.status !== 200) return { httpStatus: res.status, error: text.slice(0, 300) };
    return { httpStatus: 200, results: (JSON.parse(text) as { results: SyncAnswer['results'] }).results };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    return { httpStatus: 0, error: (err as Error).message, code: cause?.code ?? (err as Error).name };
  }
}

/** What the clients learnt: every version sent and the status it was acknowledged with. */
export class Ledger {
  readonly versions = new Map<string, Version[]>();
  /** version identity (id@at) → statuses received for it (a retry can add 'unchanged' after 'applied'). */
  readonly acks = new Map<string, Status[]>();
  http = { ok: 0, errors5xx: 0, network: 0, other: 0 };
  bodies5xx: string[] = [];

  sent(v: Version): void {
    const list = this.versions.get(v.id) ?? [];
    if (!list.some((x) => x.at === v.at)) list.push(v);
    this.versions.set(v.id, list);
  }

  answer(versions: Version[], a: SyncAnswer): boolean {
    if (a.httpStatus === 200 && a.results) {
      this.http.ok++;
      a.results.forEach((r, i) => {
        const v = versions[i]!;
        const k = `${v.id}@${v.at}`;
        this.acks.set(k, [...(this.acks.get(k) ?? []), r.status]);
      });
      return true;
    }
    if (a.httpStatus >= 500) {
      this.http.errors5xx++;
      if (this.bodies5xx.length < 5) this.bodies5xx.push(a.error ?? '');
    } else if (a.httpStatus === 0) this.http.network++;
    else this.http.other++;
    return false;
  }

  acked(v: Version): Status[] {
    return this.acks.get(`${v.id}@${v.at}`) ?? [];
  }

  /** The newest version of each id (unique timestamps: the last writer). */
  latest(): Map<string, Version> {
    const out = new Map<string, Version>();
    for (const [id, list] of this.versions) out.set(id, list.reduce((a, b) => (b.at > a.at ? b : a)));
    return out;
  }

  get mutationsSent(): number {
    let n = 0;
    for (const list of this.versions.values()) n += list.length;
    return n;
  }
}

export interface StoredRow {
  id: string;
  rater_id: string;
  target_key: string;
  updated_at: string;
  deleted: number;
  record: string | null;
}

export async function storedRows(store: Store): Promise<Map<string, StoredRow>> {
  const rows = await store.db.selectFrom('feedback').select(['id', 'rater_id', 'target_key', 'updated_at', 'deleted', 'record']).execute();
  return new Map(rows.map((r) => [r.id, r as StoredRow]));
}

/** Problems found: each a readable line; an empty list means the store is as the clients were told. */
export async function checkStore(store: Store, ledger: Ledger): Promise<string[]> {
  const problems: string[] = [];
  const rows = await storedRows(store);
  const latest = ledger.latest();
  // Records that share a target with another id (a re-vote from a second device): the newest vote
  // of the target is the live one, the others are superseded.
  const idsByKey = new Map<string, Set<string>>();
  for (const list of ledger.versions.values()) for (const v of list) idsByKey.set(v.key, (idsByKey.get(v.key) ?? new Set()).add(v.id));
  const shared = (id: string) => (idsByKey.get(latest.get(id)!.key)?.size ?? 1) > 1;
  // Nothing unexpected: every stored row is a record some client sent.
  for (const id of rows.keys()) if (!ledger.versions.has(id)) problems.push(`unexpected row ${id}`);
  // Every acknowledged version is stored, or overtaken by a newer version of the same record.
  for (const [id, list] of ledger.versions) {
    const row = rows.get(id);
    const ackedApplied = list.filter((v) => ledger.acked(v).includes('applied'));
    if (ackedApplied.length && !row) {
      problems.push(`lost: ${id} was acknowledged as applied but is not stored`);
      continue;
    }
    if (!row) continue;
    const storedAt = Date.parse(row.updated_at);
    const newestApplied = ackedApplied.reduce<Version | undefined>((a, b) => (!a || b.at > a.at ? b : a), undefined);
    if (newestApplied && storedAt < newestApplied.at) {
      problems.push(`lost update: ${id} stores ${row.updated_at}, but ${new Date(newestApplied.at).toISOString()} was acknowledged`);
    }
    if (!shared(id)) {
      const want = latest.get(id)!;
      if (storedAt !== want.at) problems.push(`${id}: stores ${row.updated_at}, the newest version sent is ${new Date(want.at).toISOString()}`);
      else if (want.deleted !== (row.deleted === 1)) problems.push(`${id}: deleted=${row.deleted} but the newest version says ${want.deleted}`);
      else if (!want.deleted) {
        const rec = JSON.parse(row.record ?? '{}') as { comment?: string; rating?: { thumb?: string; stars?: number } };
        if (rec.comment !== want.comment || rec.rating?.thumb !== want.thumb || rec.rating?.stars !== want.stars) {
          problems.push(`${id}: stored content differs from the newest version sent`);
        }
      }
    }
  }
  for (const [key, ids] of idsByKey) {
    if (ids.size < 2) continue;
    const newest = [...ids].map((id) => latest.get(id)!).reduce((a, b) => (b.at > a.at ? b : a));
    const liveIds = [...ids].filter((id) => rows.get(id) && !rows.get(id)!.deleted);
    const want = newest.deleted ? [] : [newest.id];
    if (liveIds.join() !== want.join()) problems.push(`target ${key}: live ${JSON.stringify(liveIds)}, expected ${JSON.stringify(want)} (the newest vote)`);
  }
  // Nothing duplicated: one live record per rater and target.
  const live = new Map<string, string[]>();
  for (const r of rows.values()) {
    if (r.deleted) continue;
    const k = `${r.rater_id}\u0000${r.target_key}`;
    live.set(k, [...(live.get(k) ?? []), r.id]);
  }
  for (const [k, ids] of live) if (ids.length > 1) problems.push(`duplicate live records for ${k.replace('\u0000', ' / ')}: ${ids.join(', ')}`);
  // The event log: no version applied twice (a create or update carries the version's JSON).
  const events = await store.db.selectFrom('feedback_events').select(['feedback_id', 'op', 'after']).execute();
  const seen = new Set<string>();
  for (const e of events) {
    if (e.op !== 'create' && e.op !== 'update') continue;
    const k = `${e.feedback_id}\u0000${e.after}`;
    if (seen.has(k)) problems.push(`event log: version of ${e.feedback_id} applied twice`);
    seen.add(k);
  }
  return problems;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
