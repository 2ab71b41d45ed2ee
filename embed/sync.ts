/**
 * The embed's sync: one run sends the outbox's pending mutations to `POST <server>/v1/sync` with the
 * public key, in batches, and settles them — the extension's sync run (extension/sync/client.ts)
 * without what a public key may not do (read its records back, fetch the extension config). A
 * `clock_ahead` refusal corrects the clock from `serverTime` and sends those rows again, once per
 * run. `EmbedSync` decides when: at load, soon after a rating, when the browser comes back online,
 * and after a retryable failure (429, 5xx, network; exponential backoff with jitter, at least the
 * server's Retry-After: shared/backoff.ts).
 */
import { backoffDelay, parseRetryAfter } from '../shared/backoff.ts';
import type { Mutation, MutationResult } from '../shared/schemas.ts';
import type { TargetStatus } from '../extension/messages.ts';
import { CLOCK_AHEAD, type EmbedOutbox } from './outbox.ts';

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface SyncTarget {
  server: string;
  publicKey: string;
  userId?: string;
}

export interface SyncFailure {
  retryable: boolean;
  message: string;
  status?: number;
  retryAfterMs?: number;
}

export interface RunReport {
  ok: boolean;
  failure?: SyncFailure;
  sent: number;
  changed: TargetStatus[];
}

const MAX_BATCHES_PER_RUN = 50;

interface SyncAnswer {
  results: MutationResult[];
  serverTime: string;
}

/** The answer's shape, checked by hand (no zod in the bundle). */
function parseAnswer(body: unknown): SyncAnswer | undefined {
  const b = body as Partial<SyncAnswer> | null;
  if (!b || !Array.isArray(b.results) || typeof b.serverTime !== 'string' || Number.isNaN(Date.parse(b.serverTime))) return undefined;
  if (!b.results.every((r) => r && typeof r.id === 'string' && typeof r.status === 'string')) return undefined;
  return b as SyncAnswer;
}

async function errorMessage(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: { message?: unknown } };
    if (typeof body?.error?.message === 'string') return body.error.message;
  } catch {
    // not JSON
  }
  return `HTTP ${res.status}`;
}

async function post(fetchFn: Fetch, target: SyncTarget, body: unknown): Promise<{ ok: true; answer: SyncAnswer } | { ok: false; failure: SyncFailure }> {
  let res: Response;
  try {
    res = await fetchFn(`${target.server.replace(/\/+$/, '')}/v1/sync`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${target.publicKey}` },
      body: JSON.stringify(body),
      // The key is the only credential: never the server site's cookies.
      credentials: 'omit',
      mode: 'cors',
    });
  } catch {
    // Offline, the server down, or a CORS refusal (this origin is not on the key's allowlist): a
    // page cannot tell these apart, so all are retried with backoff.
    return { ok: false, failure: { retryable: true, message: `Cannot reach ${target.server}` } };
  }
  if (!res.ok) {
    const retryable = res.status === 429 || res.status >= 500;
    return {
      ok: false,
      failure: { retryable, status: res.status, retryAfterMs: parseRetryAfter(res.headers.get('Retry-After')), message: await errorMessage(res) },
    };
  }
  const answer = parseAnswer(await res.json().catch(() => undefined));
  if (!answer) return { ok: false, failure: { retryable: false, status: res.status, message: `${target.server} did not answer like a Groundtruth server` } };
  return { ok: true, answer };
}

const isClockAhead = (r: MutationResult) => r.status === 'rejected' && r.reason === CLOCK_AHEAD;

/** One sync run; stops at the first failure and reports it. */
export async function syncRun(outbox: EmbedOutbox, target: SyncTarget, fetchFn: Fetch, options: { maxMutations?: number; maxBytes?: number } = {}): Promise<RunReport> {
  const report: RunReport = { ok: true, sent: 0, changed: [] };
  // Most page loads have nothing to send: one read, no write transaction.
  if (!(await outbox.hasPending())) return report;
  await outbox.loadClock();
  const clientId = await outbox.clientId();
  const extra = target.userId ? { userId: target.userId } : {};
  let offsetKept = (await outbox.clockOffset()) !== undefined;
  const corrected = new Set<string>();
  const held = new Set<string>();
  for (let round = 0; round < MAX_BATCHES_PER_RUN; round++) {
    const batch = await outbox.takeBatch(clientId, { ...options, skip: held, extra });
    for (const row of batch.refused) report.changed.push({ key: row.key, state: 'rejected', error: row.error });
    if (batch.mutations.length === 0) {
      if (batch.refused.length) continue;
      break;
    }
    const sentAt = outbox.now();
    const res = await post(fetchFn, target, { clientId, mutations: batch.mutations satisfies Mutation[], ...extra });
    const answeredAt = outbox.now();
    if (!res.ok) {
      if (!res.failure.retryable && res.failure.status !== undefined && res.failure.status < 500 && res.failure.status !== 401 && res.failure.status !== 403) {
        // The server refused the batch itself (400/413/422): each row with the reason, never retried.
        report.changed.push(
          ...(await outbox.applyResults(
            batch.sent,
            batch.sent.map((s) => ({ id: s.feedbackId, status: 'rejected' as const, error: res.failure.message })),
          )),
        );
      }
      report.ok = false;
      report.failure = res.failure;
      return report;
    }
    report.sent += batch.mutations.length;
    const ahead = new Set(res.answer.results.filter(isClockAhead).map((r) => r.id));
    if (ahead.size > 0 || offsetKept) {
      await outbox.setClockOffset(Date.parse(res.answer.serverTime) - (sentAt + answeredAt) / 2);
      offsetKept = true;
    }
    const changed = await outbox.applyResults(batch.sent, res.answer.results);
    report.changed.push(...changed);
    let moved = changed.length;
    if (ahead.size > 0) {
      const refused = batch.sent.filter((s) => ahead.has(s.feedbackId));
      const again = refused.filter((s) => !corrected.has(s.feedbackId));
      const twice = refused.filter((s) => corrected.has(s.feedbackId) && !held.has(s.key));
      for (const s of twice) held.add(s.key);
      for (const s of again) corrected.add(s.feedbackId);
      moved += (await outbox.restamp(again)).length + twice.length;
    }
    if (moved === 0) break;
  }
  return report;
}

export interface EmbedSyncDeps {
  outbox: EmbedOutbox;
  target: SyncTarget;
  fetch: Fetch;
  /** Statuses that changed (for the widgets). */
  onChange(changed: TargetStatus[]): void;
  /** Every run's report (tests, the demo page). */
  onReport?(report: RunReport): void;
  soonDelayMs?: number;
  random?: () => number;
}

/** When to sync: one run at a time; triggers meanwhile fold into one more run. */
export class EmbedSync {
  private running?: Promise<void>;
  private again = false;
  private failures = 0;
  private soonTimer?: ReturnType<typeof setTimeout>;
  private retryTimer?: ReturnType<typeof setTimeout>;

  constructor(private readonly deps: EmbedSyncDeps) {}

  /** A rating was saved: sync shortly, once for a burst. */
  soon(): void {
    clearTimeout(this.soonTimer);
    this.soonTimer = setTimeout(() => void this.now(), this.deps.soonDelayMs ?? 200);
  }

  /** Syncs now (or right after the run in progress). Resolves when the runs it caused are done. */
  now(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    clearTimeout(this.retryTimer);
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.runOnce();
        } while (this.again);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private async runOnce(): Promise<void> {
    let report: RunReport;
    try {
      report = await syncRun(this.deps.outbox, this.deps.target, this.deps.fetch);
    } catch (err) {
      // IndexedDB failed (private mode, quota): nothing to send; try again later.
      report = { ok: false, sent: 0, changed: [], failure: { retryable: true, message: String(err) } };
    }
    if (report.changed.length) this.deps.onChange(report.changed);
    this.deps.onReport?.(report);
    if (report.ok) {
      this.failures = 0;
      return;
    }
    // A trigger that came during this run (the `online` event, a new rating) still runs next.
    if (report.failure?.retryable) {
      this.failures++;
      const delay = backoffDelay(this.failures, report.failure.retryAfterMs, { random: this.deps.random });
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => void this.now(), delay);
    }
  }

  stop(): void {
    clearTimeout(this.soonTimer);
    clearTimeout(this.retryTimer);
  }
}
