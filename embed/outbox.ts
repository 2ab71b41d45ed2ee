/**
 * The embed's outbox: the extension's outbox (extension/outbox/outbox.ts) over the page's own
 * IndexedDB (store.ts) instead of Dexie, with the same methods the sync run uses and the same state
 * machine — one row per target key (and criterion); save → pending → synced | rejected;
 * `clock_ahead` → pending, re-stamped by the corrected clock — through the same row logic
 * (extension/outbox/row-logic.ts: stamps, statuses, mutations).
 *
 * What it leaves out: undo (a public key may not delete; the widget's "un-rate" keeps the vote),
 * adopting the rater's records from the server (a public key cannot read), and zod validation on
 * save (zod is ~95 KB gzip; the server validates and a refusal shows with its reason).
 */
import { LIMITS } from '../shared/limits.ts';
import { uuidv7 } from '../shared/ids.ts';
import type { Mutation, MutationResult } from '../shared/schemas.ts';
import type { TargetStatus } from '../extension/messages.ts';
import type { RatingInput } from '../extension/outbox/outbox.ts';
import type { OutboxRow } from '../extension/outbox/rows.ts';
import { criterionRowKey } from '../extension/criterion-key.ts';
import { mutationOf, stampAfter, statusOf } from '../extension/outbox/row-logic.ts';
import type { EmbedStore } from './store.ts';

/** shared/schemas.ts CLOCK_AHEAD, repeated: importing schemas.ts brings all of zod into the bundle. */
export const CLOCK_AHEAD = 'clock_ahead';
const CLOCK_OFFSET_KEY = 'clockOffsetMs';
/** Synced rows kept so reloaded widgets show "Synced"; older ones are pruned. */
const DEFAULT_HISTORY_CAP = 2000;

export interface SentEntry {
  key: string;
  feedbackId: string;
  updatedAt: string;
}

export interface Batch {
  mutations: Mutation[];
  sent: SentEntry[];
  bytes: number;
  refused: OutboxRow[];
}

export interface EmbedOutboxOptions {
  now?: () => number;
  historyCap?: number;
}

const encoder = new TextEncoder();
const byteLength = (text: string) => encoder.encode(text).length;

export class EmbedOutbox {
  readonly now: () => number;
  readonly historyCap: number;
  private offsetMs = 0;
  private corrected = false;
  private offsetLoad?: Promise<void>;

  constructor(
    readonly store: EmbedStore,
    options: EmbedOutboxOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.historyCap = options.historyCap ?? DEFAULT_HISTORY_CAP;
  }

  clockNow(): number {
    return this.now() + this.offsetMs;
  }

  async clockOffset(): Promise<number | undefined> {
    const value = await this.store.tx('readonly', (t) => this.store.getMeta(t, CLOCK_OFFSET_KEY));
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  }

  async setClockOffset(ms: number): Promise<void> {
    this.offsetMs = Math.round(ms);
    this.corrected = true;
    this.offsetLoad = Promise.resolve();
    await this.store.tx('readwrite', (t) => this.store.setMeta(t, CLOCK_OFFSET_KEY, this.offsetMs));
  }

  async loadClock(): Promise<void> {
    this.offsetLoad ??= this.clockOffset().then((ms) => {
      if (ms !== undefined && !this.corrected) {
        this.offsetMs = ms;
        this.corrected = true;
      }
    });
    await this.offsetLoad;
  }

  private nextTimestamp(previous?: string): string {
    return new Date(stampAfter(this.clockNow(), previous, this.corrected)).toISOString();
  }

  /** Records a vote (new or changed) as pending: a re-vote keeps the feedback id, with a newer updatedAt. */
  async save(input: RatingInput): Promise<OutboxRow> {
    await this.loadClock();
    const { store } = this;
    return store.tx('readwrite', async (t) => {
      const key = criterionRowKey(input.target.key, input.criterion);
      const prev = await store.get(t, key);
      const updatedAt = this.nextTimestamp(prev?.updatedAt);
      const id = prev?.feedbackId ?? uuidv7(this.clockNow());
      const feedback = {
        id,
        target: input.target,
        rating: input.rating,
        ...(key !== input.target.key ? { criterion: input.criterion } : {}),
        ...(input.comment ? { comment: input.comment } : {}),
        ...(input.correction && (input.correction.output || input.correction.fields) ? { correction: input.correction } : {}),
        ...(input.tags?.length ? { tags: input.tags } : {}),
        createdAt: prev?.feedback?.createdAt ?? updatedAt,
        updatedAt,
      };
      const row: OutboxRow = {
        key,
        feedbackId: id,
        op: 'upsert',
        feedback,
        state: 'pending',
        updatedAt,
        ...(prev?.sentUpdatedAt ? { sentUpdatedAt: prev.sentUpdatedAt } : {}),
        ...(prev?.settledUpdatedAt ? { settledUpdatedAt: prev.settledUpdatedAt } : {}),
      };
      await store.bulkPut(t, [row]);
      return row;
    });
  }

  async get(key: string): Promise<OutboxRow | undefined> {
    return this.store.tx('readonly', (t) => this.store.get(t, key));
  }

  async statuses(keys: readonly string[]): Promise<TargetStatus[]> {
    const rows = await this.store.tx('readonly', (t) => this.store.bulkGet(t, keys));
    return keys.map((key, i) => statusOf(rows[i], key));
  }

  async counts(): Promise<{ pending: number; synced: number; rejected: number }> {
    const { store } = this;
    return store.tx('readonly', async (t) => {
      const [pending, synced, rejected] = await Promise.all([store.countState(t, 'pending'), store.countState(t, 'synced'), store.countState(t, 'rejected')]);
      return { pending, synced, rejected };
    });
  }

  async hasPending(): Promise<boolean> {
    return (await this.store.tx('readonly', (t) => this.store.countState(t, 'pending'))) > 0;
  }

  /**
   * The oldest pending rows as one batch within the protocol's limits (`extra`: the other envelope
   * fields, counted in the size), marked as sent; a row too large alone is rejected here.
   */
  async takeBatch(clientId: string, limits: { maxMutations?: number; maxBytes?: number; skip?: ReadonlySet<string>; extra?: Record<string, unknown> } = {}): Promise<Batch> {
    const maxMutations = limits.maxMutations ?? LIMITS.syncMaxMutations;
    const maxBytes = limits.maxBytes ?? LIMITS.maxBodyBytes;
    const { store } = this;
    return store.tx('readwrite', async (t) => {
      let rows = await store.byState(t, 'pending');
      if (limits.skip?.size) rows = rows.filter((row) => !limits.skip!.has(row.key));
      rows = rows.slice(0, maxMutations);
      const envelope = byteLength(JSON.stringify({ clientId, ...limits.extra, mutations: [] }));
      let bytes = envelope;
      const mutations: Mutation[] = [];
      const sent: SentEntry[] = [];
      const taken: OutboxRow[] = [];
      const refused: OutboxRow[] = [];
      for (const row of rows) {
        const mutation = mutationOf(row);
        const size = byteLength(JSON.stringify(mutation)) + (mutations.length ? 1 : 0);
        if (envelope + size > maxBytes) {
          refused.push({
            ...row,
            state: 'rejected',
            error: `too large to send (${Math.ceil(size / 1024)} KiB; a request may carry at most ${Math.floor(maxBytes / 1024)} KiB)`,
          });
          continue;
        }
        if (bytes + size > maxBytes) break;
        bytes += size;
        mutations.push(mutation);
        sent.push({ key: row.key, feedbackId: row.feedbackId, updatedAt: row.updatedAt });
        taken.push({ ...row, sentUpdatedAt: row.updatedAt });
      }
      await store.bulkPut(t, [...taken, ...refused]);
      return { mutations, sent, bytes, refused };
    });
  }

  /** Settles the sent versions from the server's answer, as Outbox.applyResults; returns the statuses that changed. */
  async applyResults(sent: readonly SentEntry[], results: readonly MutationResult[]): Promise<TargetStatus[]> {
    const byId = new Map(sent.map((s) => [s.feedbackId, s]));
    const syncedAt = this.now();
    const { store } = this;
    return store.tx('readwrite', async (t) => {
      const entries = results.flatMap((r) => {
        const s = byId.get(r.id);
        return s ? [{ result: r, sent: s }] : [];
      });
      const rows = await store.bulkGet(t, entries.map((e) => e.sent.key));
      const puts: OutboxRow[] = [];
      const statuses: TargetStatus[] = [];
      entries.forEach(({ result, sent: s }, i) => {
        const row = rows[i];
        if (!row || row.feedbackId !== s.feedbackId || row.updatedAt !== s.updatedAt || row.state !== 'pending') return;
        if (result.status === 'rejected' && result.reason === CLOCK_AHEAD) return;
        if (result.status === 'rejected') {
          const next: OutboxRow = { ...row, state: 'rejected', error: result.error ?? 'rejected by the server' };
          puts.push(next);
          statuses.push(statusOf(next, row.key));
        } else {
          const next: OutboxRow = { ...row, state: 'synced', syncedAt, settledUpdatedAt: row.updatedAt };
          delete next.error;
          puts.push(next);
          statuses.push(statusOf(next, row.key));
        }
      });
      await store.bulkPut(t, puts);
      const excess = (await store.countState(t, 'synced')) - this.historyCap;
      if (excess > 0) await store.bulkDelete(t, await store.oldestKeys(t, 'synced', excess));
      return statuses;
    });
  }

  /** Puts the versions refused as `clock_ahead` back in the queue, stamped by the corrected clock (Outbox.restamp). */
  async restamp(sent: readonly SentEntry[]): Promise<OutboxRow[]> {
    if (sent.length === 0) return [];
    const { store } = this;
    return store.tx('readwrite', async (t) => {
      const rows = await store.bulkGet(t, sent.map((s) => s.key));
      const puts: OutboxRow[] = [];
      sent.forEach((s, i) => {
        const row = rows[i];
        if (!row || row.feedbackId !== s.feedbackId || row.updatedAt !== s.updatedAt || row.state !== 'pending') return;
        const updatedAt = this.nextTimestamp(row.settledUpdatedAt);
        const fb = row.feedback;
        const feedback = fb ? { ...fb, createdAt: Date.parse(fb.createdAt) > Date.parse(updatedAt) ? updatedAt : fb.createdAt, updatedAt } : undefined;
        puts.push({ ...row, updatedAt, ...(feedback ? { feedback } : {}) });
      });
      await store.bulkPut(t, puts);
      return puts;
    });
  }

  /** This browser's id for this outbox, sent as `clientId` (the server's anonymous rater is per clientId). */
  async clientId(): Promise<string> {
    const { store } = this;
    return store.tx('readwrite', async (t) => {
      const existing = await store.getMeta(t, 'clientId');
      if (typeof existing === 'string') return existing;
      const id = `embed-${uuidv7(this.now())}`;
      await store.setMeta(t, 'clientId', id);
      return id;
    });
  }
}
