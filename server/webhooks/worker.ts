/**
 * Sends the webhook outbox. A background loop started by `groundtruth serve`: it claims due
 * deliveries with a lease (so a delivery is never sent twice at once, also with several server
 * processes on one PostgreSQL), POSTs the signed body with a timeout, logs the attempt, and
 * reschedules failures with exponential backoff and jitter until `maxAttempts`.
 *
 * Nothing here runs inside a request or holds a transaction during network I/O, so a slow or dead
 * receiver costs ingestion nothing (see docs/decisions, webhook outbox).
 */
import type { Kysely } from 'kysely';
import { backoffDelay, parseRetryAfter } from '../../shared/backoff.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { withGovernance, type GovDB } from '../store/governance-tables.ts';
import type { DB } from '../store/schema.ts';
import { PUBLIC_ONLY, type WebhookAddressPolicy } from './address-policy.ts';
import { deliveryErrorText, postWebhook, type Resolve } from './send.ts';
import { SIGNATURE_HEADER, signatureHeader } from './signature.ts';
import { expectTick, jobStopped } from '../metrics/heartbeat.ts';
import { webhookDeliveries } from '../metrics/registry.ts';

export interface WebhookWorkerOptions {
  /** How often to look for due deliveries. */
  pollMs?: number;
  /** Per-attempt timeout: connect, send and answer. */
  timeoutMs?: number;
  /** First retry delay; doubles per attempt, capped at maxDelayMs. */
  retryBaseMs?: number;
  maxDelayMs?: number;
  /** Attempts before a delivery is marked failed. */
  maxAttempts?: number;
  /** Deliveries in flight at once. */
  concurrency?: number;
  /**
   * Which addresses deliveries may reach (env WEBHOOK_ALLOW_PRIVATE, WEBHOOK_ALLOWED_HOSTS); public
   * ones only by default. Checked on every connection, after DNS (see send.ts).
   */
  addresses?: WebhookAddressPolicy;
  /** DNS for webhook hosts; the system resolver by default (tests fake it). */
  resolve?: Resolve;
  log?: (line: string) => void;
  random?: () => number;
}

export interface WebhookWorker {
  /** Claims and sends what is due now; resolves when those attempts are recorded. For tests and the loop. */
  runOnce(): Promise<number>;
  /** Stops polling, aborts attempts in flight (they stay pending and are retried after the lease). */
  stop(): Promise<void>;
}

const USER_AGENT = 'Groundtruth-Webhooks/1';
const MAX_ERROR_CHARS = 500;

export function startWebhookWorker(db: Kysely<DB>, options: WebhookWorkerOptions = {}): WebhookWorker {
  const {
    pollMs = 1000,
    timeoutMs = 10_000,
    retryBaseMs = 10_000,
    maxDelayMs = 60 * 60_000,
    maxAttempts = 8,
    concurrency = 8,
    addresses = PUBLIC_ONLY,
    resolve,
    log = () => {},
    random = Math.random,
  } = options;
  const gov: Kysely<GovDB> = withGovernance(db);
  const inFlight = new Set<Promise<void>>();
  const shutdown = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let ticking: Promise<void> | undefined;

  async function attempt(d: { id: string; webhook_id: string; event: string; payload: string; attempts: number; url: string; secret: string }) {
    const started = Date.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    let retryAfter: number | undefined;
    // Our own controller and timer, not AbortSignal.any([AbortSignal.timeout(), …]): a timeout
    // signal is held only weakly by its timer, and once collected it never fires, leaving the
    // attempt hanging (seen here; cf. nodejs/undici#4068, nodejs/node#55428). The timer below also
    // settles the attempt by itself (and so does a shutdown), whether or not the request honours the abort.
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let onShutdown = () => {};
    const timedOut = new Promise<never>((_, reject) => {
      const stop = (err: unknown) => {
        controller.abort(err);
        reject(err);
      };
      timer = setTimeout(() => stop(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
      onShutdown = () => stop(shutdown.signal.reason);
    });
    timedOut.catch(() => {});
    shutdown.signal.addEventListener('abort', onShutdown, { once: true });
    try {
      const sending = postWebhook(d.url, {
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': USER_AGENT,
          'X-Groundtruth-Event': d.event,
          'X-Groundtruth-Delivery': d.id,
          [SIGNATURE_HEADER]: signatureHeader(d.secret, d.payload),
        },
        body: d.payload,
        signal: controller.signal,
        policy: addresses,
        resolve,
      });
      sending.catch(() => {}); // when the timer wins the race, the aborted request's rejection is nobody's
      const res = await Promise.race([sending, timedOut]);
      statusCode = res.status;
      retryAfter = parseRetryAfter(res.retryAfter, Date.now());
      // A redirect is an answer, not an invitation to post the payload somewhere else (never followed).
      if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
    } catch (err) {
      // Shutting down: leave the delivery pending; its lease runs out and it is sent after restart.
      if (shutdown.signal.aborted) return;
      // Fixed texts only: the log must not tell an admin which internal addresses or ports answer.
      error = (err as Error).name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : deliveryErrorText(err);
    } finally {
      clearTimeout(timer);
      shutdown.signal.removeEventListener('abort', onShutdown);
    }
    const now = new Date();
    const attempts = d.attempts + 1;
    const ok = error === null;
    const giveUp = !ok && attempts >= maxAttempts;
    const delay = Math.min(maxDelayMs, backoffDelay(attempts, retryAfter, { baseMs: retryBaseMs, maxMs: maxDelayMs, random }));
    await gov.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('webhook_deliveries')
        .set({
          status: ok ? 'delivered' : giveUp ? 'failed' : 'pending',
          attempts,
          last_attempt_at: now.toISOString(),
          last_status_code: statusCode,
          last_error: error && error.slice(0, MAX_ERROR_CHARS),
          delivered_at: ok ? now.toISOString() : null,
          next_attempt_at: ok || giveUp ? null : new Date(now.getTime() + delay).toISOString(),
        })
        .where('id', '=', d.id)
        .executeTakeFirst();
      // Deleted meanwhile (webhook deleted, rater erased, retention): leave no orphan attempt behind.
      if (Number(updated.numUpdatedRows) === 0) return;
      await trx
        .insertInto('webhook_attempts')
        .values({
          id: uuidv7(now.getTime()),
          delivery_id: d.id,
          webhook_id: d.webhook_id,
          at: now.toISOString(),
          status_code: statusCode,
          error: error && error.slice(0, MAX_ERROR_CHARS),
          duration_ms: now.getTime() - started,
        })
        .execute();
    });
    webhookDeliveries.inc({ outcome: ok ? 'delivered' : giveUp ? 'failed' : 'retry' });
    log(`webhook ${d.event} ${d.id} → ${ok ? `delivered (${statusCode})` : `${error}${giveUp ? ', giving up' : `, retry in ${delay} ms`}`}`);
  }

  /** Claims what is due and starts sending it; resolves once claimed, with the attempts in flight. */
  async function claim(): Promise<Promise<void>[]> {
    const free = concurrency - inFlight.size;
    if (stopped || free <= 0) return [];
    const now = new Date();
    const due = await gov
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
      .select(['d.id', 'd.webhook_id', 'd.event', 'd.payload', 'd.attempts', 'd.next_attempt_at', 'w.url', 'w.secret'])
      .where('d.status', '=', 'pending')
      .where('d.next_attempt_at', '<=', now.toISOString())
      .orderBy('d.next_attempt_at')
      .limit(free)
      .execute();
    // The lease: long enough for one attempt to finish and be recorded.
    const lease = new Date(now.getTime() + timeoutMs + 30_000).toISOString();
    const started: Promise<void>[] = [];
    for (const d of due) {
      if (stopped) break;
      const claimed = await gov
        .updateTable('webhook_deliveries')
        .set({ next_attempt_at: lease })
        .where('id', '=', d.id)
        .where('status', '=', 'pending')
        .where('next_attempt_at', '=', d.next_attempt_at)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) continue; // another worker took it
      const p: Promise<void> = attempt(d)
        .catch((err) => log(`webhook worker: could not record attempt ${d.id}: ${(err as Error).message}`))
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
      started.push(p);
    }
    return started;
  }

  async function runOnce(): Promise<number> {
    const started = await claim();
    await Promise.all(started);
    return started.length;
  }

  function schedule() {
    if (stopped) return;
    timer = setTimeout(() => {
      // Only the claim is awaited, never the sends: a hanging receiver must not hold up the others.
      ticking = claim()
        .catch((err) => log(`webhook worker: ${(err as Error).message}`))
        .then(() => undefined)
        .finally(schedule);
    }, pollMs);
    timer.unref?.();
    expectTick('webhooks', pollMs); // readiness (metrics/heartbeat.ts)
  }

  schedule();

  return {
    runOnce,
    async stop() {
      stopped = true;
      jobStopped('webhooks');
      clearTimeout(timer);
      shutdown.abort();
      await ticking?.catch(() => {});
      await Promise.allSettled([...inFlight]);
    },
  };
}
