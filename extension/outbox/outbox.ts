/**
 * The outbox state machine, one row per target key:
 *
 *   save ──▶ pending ──(server: applied | unchanged | stale)──▶ synced
 *                    ├─(server: rejected, or too large to send)─▶ rejected (with the reason; never retried)
 *                    └─(server: rejected as clock_ahead)─▶ pending, re-stamped by the corrected clock (restamp)
 *
 * `clock_ahead` is the one rejection that is not dropped (DESIGN, "Clocks"): the sync client learns
 * the offset of this device's clock from the server's `serverTime`, keeps it in the meta table, and
 * every stamp after that (re-stamps, new votes, undos) is taken from the corrected clock.
 *
 * A re-vote rewrites the row as pending with the same feedback id and a newer updatedAt; an undo
 * turns it into a pending delete (or drops it, if it never left the device). A result only
 * settles the version that was sent: a row changed while its batch was in flight stays pending.
 * No network call or timer runs inside a transaction (the sync client calls takeBatch, then the
 * server, then applyResults).
 *
 *   adopt (the rater's own record, read from the server) ──▶ synced, under the server's feedback id
 *
 * so a vote made on another device, or before a reinstall, shows in the widget, and a re-vote here
 * updates that record instead of adding one.
 */
import Dexie from 'dexie';
import { LIMITS } from '../../shared/limits.ts';
import { uuidv7 } from '../../shared/ids.ts';
import {
  Feedback,
  FeedbackInput,
  describeZodError,
  feedbackToInput,
  type Correction,
  type Mutation,
  type MutationResult,
  type Rating,
  type Target,
  CLOCK_AHEAD,
} from '../../shared/schemas.ts';
import type { TargetStatus } from '../messages.ts';
import type { OutboxDB } from './db.ts';
import type { OutboxRow, OutboxState } from './rows.ts';
import { criterionRowKey } from '../criterion-key.ts';
import { mutationOf, stampAfter, statusOf } from './row-logic.ts';

export { statusOf };

/** Synced rows kept for the popup's history and the widgets' states; older ones are pruned. */
const DEFAULT_HISTORY_CAP = 2000;

/** Meta key of the offset (ms) to add to this device's clock, learnt from the server (clock_ahead). */
const CLOCK_OFFSET_KEY = 'clockOffsetMs';

export interface OutboxOptions {
  now?: () => number;
  historyCap?: number;
}

/** What the background hands over after validation and privacy processing. */
export interface RatingInput {
  target: Target;
  rating: Rating;
  comment?: string;
  correction?: Correction;
  tags?: string[];
  /** An extra criterion (its own record, in the row criterionRowKey names); absent: `overall`. */
  criterion?: string;
}

export class InvalidRatingError extends Error {
  override name = 'InvalidRatingError';
}

interface SentEntry {
  key: string;
  feedbackId: string;
  updatedAt: string;
}

interface TakeOptions {
  maxMutations?: number;
  maxBytes?: number;
  /** Target keys to leave out of this batch (rows the sync run holds back). */
  skip?: ReadonlySet<string>;
  /** false: votes on extra criteria stay queued (the server does not say it takes `criterion`). */
  criteria?: boolean;
}

interface Batch {
  mutations: Mutation[];
  sent: SentEntry[];
  /** Size of the request body `{ clientId, mutations }` in UTF-8 bytes. */
  bytes: number;
  /** Rows refused before sending (too large); already marked rejected. */
  refused: OutboxRow[];
}

interface Counts {
  pending: number;
  synced: number;
  rejected: number;
}

const encoder = new TextEncoder();
const byteLength = (text: string) => encoder.encode(text).length;

function stateRange(state: OutboxState): [unknown[], unknown[]] {
  return [
    [state, Dexie.minKey],
    [state, Dexie.maxKey],
  ];
}

export class Outbox {
  /** This device's clock, as is. */
  readonly now: () => number;
  readonly historyCap: number;
  /** Added to `now` for every stamp (CLOCK_OFFSET_KEY). */
  private offsetMs = 0;
  /** Whether the clock has been corrected against the server's (an offset is kept). */
  private corrected = false;
  private offsetLoad?: Promise<void>;

  constructor(
    readonly db: OutboxDB,
    options: OutboxOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.historyCap = options.historyCap ?? DEFAULT_HISTORY_CAP;
  }

  /** This device's clock corrected by the offset learnt from the server (0 until a clock_ahead). */
  clockNow(): number {
    return this.now() + this.offsetMs;
  }

  /** The kept offset in ms, if the server ever said this clock was ahead. */
  async clockOffset(): Promise<number | undefined> {
    const value = await this.getMeta<unknown>(CLOCK_OFFSET_KEY);
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  }

  /** Keeps the offset (from the sync answer's serverTime); every later stamp uses it. */
  async setClockOffset(ms: number): Promise<void> {
    this.offsetMs = Math.round(ms);
    this.corrected = true;
    this.offsetLoad = Promise.resolve();
    await this.setMeta(CLOCK_OFFSET_KEY, this.offsetMs);
  }

  /**
   * Reads the kept offset once per instance (a restarted service worker starts without it). Not
   * inside a caller's transaction, which may not include the meta table: there the offset in
   * memory is used as it is.
   */
  async loadClock(): Promise<void> {
    if (Dexie.currentTransaction) return;
    this.offsetLoad ??= this.clockOffset().then((ms) => {
      if (ms !== undefined && !this.corrected) {
        this.offsetMs = ms;
        this.corrected = true;
      }
    });
    await this.offsetLoad;
  }

  /**
   * A strictly newer timestamp than `previous` on the corrected clock, so the server's
   * last-writer-wins sees every change — unless `previous` is from a clock far ahead (stampAfter).
   */
  private nextTimestamp(previous?: string): string {
    return new Date(stampAfter(this.clockNow(), previous, this.corrected)).toISOString();
  }

  /** Records a vote (new or changed) as pending. Throws InvalidRatingError if it could never be accepted. */
  async save(input: RatingInput): Promise<OutboxRow> {
    const { db } = this;
    await this.loadClock();
    return db.transaction('rw', db.ratings, async () => {
      const key = criterionRowKey(input.target.key, input.criterion);
      const prev = await db.ratings.get(key);
      const updatedAt = this.nextTimestamp(prev?.updatedAt);
      const id = prev?.feedbackId ?? uuidv7(this.clockNow());
      const candidate = {
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
      const parsed = FeedbackInput.safeParse(candidate);
      if (!parsed.success) throw new InvalidRatingError(describeZodError(parsed.error));
      const row: OutboxRow = {
        key,
        feedbackId: id,
        op: 'upsert',
        feedback: parsed.data,
        state: 'pending',
        updatedAt,
        ...(prev?.sentUpdatedAt ? { sentUpdatedAt: prev.sentUpdatedAt } : {}),
        ...(prev?.settledUpdatedAt ? { settledUpdatedAt: prev.settledUpdatedAt } : {}),
      };
      await db.ratings.put(row);
      return row;
    });
  }

  /** Undoes the vote on a target: a pending delete, or nothing at all if it never left the device. */
  async undo(key: string): Promise<OutboxRow | undefined> {
    const { db } = this;
    await this.loadClock();
    return db.transaction('rw', db.ratings, async () => {
      const prev = await db.ratings.get(key);
      if (!prev) return undefined;
      if (prev.sentUpdatedAt === undefined) {
        await db.ratings.delete(key);
        return undefined;
      }
      if (prev.op === 'delete' && prev.state === 'pending') return prev;
      const row: OutboxRow = {
        key,
        feedbackId: prev.feedbackId,
        op: 'delete',
        ...(prev.feedback ? { feedback: prev.feedback } : {}),
        state: 'pending',
        updatedAt: this.nextTimestamp(prev.updatedAt),
        sentUpdatedAt: prev.sentUpdatedAt,
        ...(prev.settledUpdatedAt ? { settledUpdatedAt: prev.settledUpdatedAt } : {}),
      };
      await db.ratings.put(row);
      return row;
    });
  }

  async get(key: string): Promise<OutboxRow | undefined> {
    return this.db.ratings.get(key);
  }

  /** Rows whose key starts with `prefix` (a page's rated selections, content/selection-key.ts), at most `limit`. */
  async withKeyPrefix(prefix: string, limit: number): Promise<OutboxRow[]> {
    return this.db.ratings.where('key').startsWith(prefix).limit(limit).toArray();
  }

  async statuses(keys: string[]): Promise<TargetStatus[]> {
    const rows = await this.db.ratings.bulkGet(keys);
    return keys.map((key, i) => statusOf(rows[i], key));
  }

  async counts(): Promise<Counts> {
    const count = (state: OutboxState) =>
      this.db.ratings
        .where('[state+updatedAt]')
        .between(...stateRange(state), true, true)
        .count();
    const [pending, synced, rejected] = await Promise.all([count('pending'), count('synced'), count('rejected')]);
    return { pending, synced, rejected };
  }

  /** The most recently changed rows, newest first. */
  async recent(limit = 20): Promise<OutboxRow[]> {
    return this.db.ratings.orderBy('updatedAt').reverse().limit(limit).toArray();
  }

  async hasPending(): Promise<boolean> {
    return (await this.db.ratings.where('[state+updatedAt]').between(...stateRange('pending'), true, true).first()) !== undefined;
  }

  /**
   * Takes the oldest pending rows as one batch within the protocol's limits and marks them as
   * sent. A row that alone exceeds the body limit is rejected here, with the reason, since the
   * server could never accept it.
   */
  async takeBatch(clientId: string, limits: TakeOptions = {}): Promise<Batch> {
    const maxMutations = limits.maxMutations ?? LIMITS.syncMaxMutations;
    const maxBytes = limits.maxBytes ?? LIMITS.maxBodyBytes;
    const skip = limits.skip;
    const { db } = this;
    return db.transaction('rw', db.ratings, async () => {
      let pending = db.ratings.where('[state+updatedAt]').between(...stateRange('pending'), true, true);
      if (skip?.size) pending = pending.filter((row) => !skip.has(row.key));
      // An older server would drop `criterion` and take the vote for the overall one: wait for one that takes it.
      if (limits.criteria === false) pending = pending.filter((row) => !(row.op === 'upsert' && row.feedback?.criterion));
      const rows = await pending.limit(maxMutations).toArray();
      const envelope = byteLength(JSON.stringify({ clientId, mutations: [] }));
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
      await db.ratings.bulkPut([...taken, ...refused]);
      return { mutations, sent, bytes, refused };
    });
  }

  /**
   * Settles the sent versions from the server's answer: applied, unchanged and stale (the server
   * holds a newer write) are synced; rejected keeps the reason and is never sent again — except
   * `clock_ahead`, which leaves the row pending for restamp. Returns the statuses that changed.
   */
  async applyResults(sent: SentEntry[], results: MutationResult[]): Promise<TargetStatus[]> {
    const byId = new Map(sent.map((s) => [s.feedbackId, s]));
    const { db } = this;
    const syncedAt = this.now();
    const changed = await db.transaction('rw', db.ratings, async () => {
      const entries = results.flatMap((r) => {
        const s = byId.get(r.id);
        return s ? [{ result: r, sent: s }] : [];
      });
      const rows = await db.ratings.bulkGet(entries.map((e) => e.sent.key));
      const puts: OutboxRow[] = [];
      const deletes: string[] = [];
      const statuses: TargetStatus[] = [];
      entries.forEach(({ result, sent: s }, i) => {
        const row = rows[i];
        // Changed (re-voted, undone) while the batch was in flight: the newer version stays pending.
        if (!row || row.feedbackId !== s.feedbackId || row.updatedAt !== s.updatedAt || row.state !== 'pending') return;
        // Not dropped: the sync client corrects the clock and re-stamps the row (restamp).
        if (result.status === 'rejected' && result.reason === CLOCK_AHEAD) return;
        if (result.status === 'rejected') {
          const next: OutboxRow = { ...row, state: 'rejected', error: result.error ?? 'rejected by the server' };
          puts.push(next);
          statuses.push(statusOf(next, row.key));
        } else if (row.op === 'delete') {
          deletes.push(row.key);
          statuses.push({ key: row.key, state: 'none' });
        } else {
          const next: OutboxRow = { ...row, state: 'synced', syncedAt, settledUpdatedAt: row.updatedAt };
          delete next.error;
          puts.push(next);
          statuses.push(statusOf(next, row.key));
        }
      });
      await db.ratings.bulkPut(puts);
      await db.ratings.bulkDelete(deletes);
      await this.pruneHistory();
      return statuses;
    });
    return changed;
  }

  /**
   * Puts the sent versions the server refused as `clock_ahead` back in the queue, stamped by the
   * corrected clock (setClockOffset first): updatedAt, and createdAt where it is later than that,
   * still strictly after the row's last settled version (unless that one is from a clock far
   * ahead, see stampAfter). A row changed meanwhile is left alone: its newer version goes next.
   * Returns the rows re-stamped.
   */
  async restamp(sent: SentEntry[]): Promise<OutboxRow[]> {
    const { db } = this;
    if (sent.length === 0) return [];
    return db.transaction('rw', db.ratings, async () => {
      const rows = await db.ratings.bulkGet(sent.map((s) => s.key));
      const puts: OutboxRow[] = [];
      sent.forEach((s, i) => {
        const row = rows[i];
        if (!row || row.feedbackId !== s.feedbackId || row.updatedAt !== s.updatedAt || row.state !== 'pending') return;
        const updatedAt = this.nextTimestamp(row.settledUpdatedAt);
        const fb = row.feedback;
        const feedback = fb
          ? { ...fb, createdAt: Date.parse(fb.createdAt) > Date.parse(updatedAt) ? updatedAt : fb.createdAt, updatedAt: row.op === 'upsert' ? updatedAt : fb.updatedAt }
          : undefined;
        puts.push({ ...row, updatedAt, ...(feedback ? { feedback } : {}) });
      });
      await db.ratings.bulkPut(puts);
      return puts;
    });
  }

  /**
   * Takes in this rater's own records from the server (GET /v1/feedback?conversationId=…&includeDeleted=true):
   * each becomes the synced row of its target, under the server's feedback id, unless the local row
   * is pending or rejected (not sent yet, or its reason still shown) or at least as new (local wins).
   * A tombstone removes the synced row of that very record (same id, not newer): a record superseded
   * by another device's vote comes back as a tombstone beside the live one, and must not remove it.
   * Returns the statuses that changed, for the widgets.
   */
  async adopt(records: Feedback[]): Promise<TargetStatus[]> {
    const { db } = this;
    const syncedAt = this.now();
    return db.transaction('rw', db.ratings, async () => {
      const byKey = new Map<string, OutboxRow | undefined>();
      const byId = new Map<string, OutboxRow>();
      // A record of another criterion than overall has a row of its own (criterion-key.ts).
      const keys = [...new Set(records.map((r) => criterionRowKey(r.target.key, r.criterion)))];
      (await db.ratings.bulkGet(keys)).forEach((row, i) => byKey.set(keys[i]!, row));
      // Rows holding these ids (feedbackId is unique), wherever they are keyed.
      const holders = await db.ratings.where('feedbackId').anyOf([...new Set(records.map((r) => r.id))]).toArray();
      for (const row of [...byKey.values(), ...holders]) {
        if (!row) continue;
        byId.set(row.feedbackId, row);
        if (!byKey.has(row.key)) byKey.set(row.key, row);
      }
      const changed = new Map<string, OutboxRow | undefined>();
      const set = (key: string, row: OutboxRow | undefined) => {
        const before = byKey.get(key);
        if (before) byId.delete(before.feedbackId);
        byKey.set(key, row);
        if (row) byId.set(row.feedbackId, row);
        changed.set(key, row);
      };

      for (const record of records) {
        const at = Date.parse(record.updatedAt);
        if (Number.isNaN(at)) continue;
        if (record.deleted) {
          const local = byId.get(record.id);
          if (local && local.state === 'synced' && Date.parse(local.updatedAt) <= at) set(local.key, undefined);
          continue;
        }
        // A stored record as the server returns it; only its FeedbackInput fields are kept.
        const parsed = Feedback.safeParse(record);
        if (!parsed.success) continue;
        const feedback = feedbackToInput(parsed.data);
        const key = criterionRowKey(feedback.target.key, feedback.criterion);
        const local = byKey.get(key);
        if (local && (local.state !== 'synced' || Date.parse(local.updatedAt) >= at)) continue;
        const holder = byId.get(record.id);
        if (holder && holder.key !== key) {
          if (holder.state !== 'synced') continue;
          set(holder.key, undefined);
        }
        const updatedAt = new Date(at).toISOString();
        set(key, {
          key,
          feedbackId: record.id,
          op: 'upsert',
          feedback: { ...feedback, updatedAt },
          state: 'synced',
          updatedAt,
          // The server knows this id: an undo here must send a delete, a re-vote an update.
          sentUpdatedAt: updatedAt,
          settledUpdatedAt: updatedAt,
          syncedAt,
        });
      }

      const entries = [...changed];
      // Deletes first: an id may move to another key, and feedbackId is a unique index.
      await db.ratings.bulkDelete(entries.filter(([, row]) => !row).map(([key]) => key));
      const puts = entries.flatMap(([, row]) => (row ? [row] : []));
      await db.ratings.bulkPut(puts);
      // Old votes just adopted are the oldest synced rows: keep them while their page is open.
      await this.pruneHistory(new Set(puts.map((r) => r.key)));
      return entries.map(([key, row]) => statusOf(row, key));
    });
  }

  /** Keeps at most `historyCap` synced rows, dropping the oldest (except those in `keep`). */
  private async pruneHistory(keep: ReadonlySet<string> = new Set()): Promise<void> {
    const synced = this.db.ratings.where('[state+updatedAt]').between(...stateRange('synced'), true, true);
    const excess = (await synced.count()) - this.historyCap;
    if (excess <= 0) return;
    const oldest = await this.db.ratings
      .where('[state+updatedAt]')
      .between(...stateRange('synced'), true, true)
      .limit(excess + keep.size)
      .primaryKeys();
    await this.db.ratings.bulkDelete(oldest.filter((key) => !keep.has(key)).slice(0, excess));
  }

  /** A small fact kept beside the queue (client id, last sync, backoff). */
  async getMeta<T>(key: string): Promise<T | undefined> {
    return (await this.db.meta.get(key))?.value as T | undefined;
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    await this.db.meta.put({ key, value });
  }

  /** This installation's id, sent as `clientId` with every batch. */
  async clientId(): Promise<string> {
    const { db } = this;
    return db.transaction('rw', db.meta, async () => {
      const existing = (await db.meta.get('clientId'))?.value;
      if (typeof existing === 'string') return existing;
      const id = `ext-${uuidv7(this.now())}`;
      await db.meta.put({ key: 'clientId', value: id });
      return id;
    });
  }
}
