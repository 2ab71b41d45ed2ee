/**
 * One sync run: send the outbox's pending mutations in batches (POST /v1/sync, ≤ 500 mutations,
 * ≤ 1 MiB each), settle them from the per-mutation results, then fetch the published extension
 * config. Stops at the first failure and reports it; retry timing is the scheduler's business.
 *
 * A mutation refused as `clock_ahead` is not dropped (DESIGN, "Clocks"): the offset of this clock is
 * taken from the answer's `serverTime` and kept, the rows are re-stamped by the corrected clock and
 * sent again in the same run — once; a row refused twice waits for the next run.
 */
import { ExtensionConfigResponse } from '../../shared/extension-config.ts';
import { LIMITS } from '../../shared/limits.ts';
import { CLOCK_AHEAD, SyncResponse, type Mutation, type MutationResult } from '../../shared/schemas.ts';
import type { TargetStatus } from '../messages.ts';
import type { Outbox } from '../outbox/outbox.ts';
import type { VisitQueue } from '../outbox/visits.ts';
import type { SiteVisit } from '../../shared/site-health.ts';
import { serverApi } from './api.ts';
import { requestJson, type Failure, type Fetch } from './http.ts';

export interface ServerSettings {
  serverUrl: string;
  token: string;
}

export interface SyncDeps {
  outbox: Outbox;
  fetch: Fetch;
  getServer(): Promise<ServerSettings>;
  /** Whether the extension may reach this URL (host permission); absent: assume yes. */
  hasPermission?(serverUrl: string): Promise<boolean>;
  /** Stores the published config (rules, switched-off adapters, selector packs) for content scripts. */
  saveRemoteConfig?(config: ExtensionConfigResponse): Promise<void>;
  /** The version of the config last fetched: a sync answer naming another one fetches it again. */
  configVersion?(): Promise<number | undefined>;
  /** Whether the server takes votes on extra criteria (`criteria` capability); absent: yes. */
  takesCriteria?(): Promise<boolean>;
  /** Health visits waiting, sent with the first request of the run (only to servers that take them). */
  visits?: Pick<VisitQueue, 'peek' | 'drop'>;
  now?: () => number;
}

export interface SyncReport {
  ok: boolean;
  failure?: Failure;
  /** Mutations sent in this run. */
  sent: number;
  /** Settled as synced (applied, unchanged or stale). */
  synced: number;
  rejected: number;
  /** Statuses that changed, for the widgets in open tabs. */
  changed: TargetStatus[];
  configFetched: boolean;
  startedAt: number;
  finishedAt: number;
}

export interface SyncOptions {
  fetchConfig?: boolean;
  maxMutations?: number;
  maxBytes?: number;
}

const MAX_BATCHES_PER_RUN = 200;

const isClockAhead = (r: MutationResult) => r.status === 'rejected' && r.reason === CLOCK_AHEAD;

export async function syncOnce(deps: SyncDeps, options: SyncOptions = {}): Promise<SyncReport> {
  const now = deps.now ?? Date.now;
  const report: SyncReport = { ok: true, sent: 0, synced: 0, rejected: 0, changed: [], configFetched: false, startedAt: now(), finishedAt: 0 };
  const finish = (failure?: Failure): SyncReport => {
    report.finishedAt = now();
    if (failure) {
      report.ok = false;
      report.failure = failure;
    }
    return report;
  };

  const { serverUrl, token } = await deps.getServer();
  if (!token) {
    return finish({ kind: 'not-configured', message: 'No token yet: open the Groundtruth options and paste your token.' });
  }
  if (deps.hasPermission && !(await deps.hasPermission(serverUrl))) {
    return finish({
      kind: 'no-permission',
      message: `Groundtruth may not reach ${serverUrl} yet: open the options and save the server URL to allow it.`,
    });
  }

  const { outbox } = deps;
  await outbox.loadClock();
  const clientId = await outbox.clientId();
  /** Once the server has said this clock is ahead, every answer keeps the offset current. */
  let offsetKept = (await outbox.clockOffset()) !== undefined;
  /** Feedback ids re-stamped in this run (at most once each), and the keys held back after a second refusal. */
  const corrected = new Set<string>();
  const held = new Set<string>();
  let maxMutations = options.maxMutations ?? LIMITS.syncMaxMutations;
  /** Visits not yet sent in this run; they ride with the first request. */
  let health: SiteVisit[] = (await deps.visits?.peek()) ?? [];
  let serverConfigVersion: number | undefined;
  const criteria = deps.takesCriteria ? await deps.takesCriteria() : true;
  const api = serverApi(deps.fetch, serverUrl, token);
  const post = (mutations: Mutation[]) =>
    requestJson(
      serverUrl,
      () => api.v1.sync.$post({ json: { clientId, mutations, ...(health.length > 0 ? { health } : {}) } }),
      (body) => {
        const parsed = SyncResponse.safeParse(body);
        return parsed.success ? parsed.data : undefined;
      },
    );
  const settleHealth = async (configVersion: number | undefined) => {
    serverConfigVersion = configVersion ?? serverConfigVersion;
    if (health.length === 0) return;
    await deps.visits?.drop(health);
    health = [];
  };
  for (let round = 0; round < MAX_BATCHES_PER_RUN; round++) {
    const batch = await outbox.takeBatch(clientId, { maxMutations, maxBytes: options.maxBytes, skip: held, criteria });
    for (const row of batch.refused) {
      report.rejected++;
      report.changed.push({ key: row.key, state: 'rejected', error: row.error });
    }
    if (batch.mutations.length === 0) {
      if (batch.refused.length) continue;
      break;
    }
    const sentAt = outbox.now();
    const res = await post(batch.mutations);
    const answeredAt = outbox.now();
    if (!res.ok) {
      // A proxy with a smaller body limit than ours: halve the batch and go on.
      if (res.failure.status === 413 && maxMutations > 1) {
        maxMutations = Math.max(1, Math.floor(batch.mutations.length / 2));
        continue;
      }
      if (res.failure.status === 413) {
        const changed = await outbox.applyResults(batch.sent, [
          { id: batch.sent[0]!.feedbackId, status: 'rejected', error: 'too large for this server (HTTP 413)' },
        ]);
        report.rejected += changed.length;
        report.changed.push(...changed);
        continue;
      }
      return finish(res.failure);
    }
    await settleHealth(res.body.configVersion);
    report.sent += batch.mutations.length;
    const ahead = new Set(res.body.results.filter(isClockAhead).map((r) => r.id));
    if (ahead.size > 0 || offsetKept) {
      // The server's time at the middle of the round trip, against this clock's.
      await outbox.setClockOffset(Date.parse(res.body.serverTime) - (sentAt + answeredAt) / 2);
      offsetKept = true;
    }
    const changed = await outbox.applyResults(batch.sent, res.body.results);
    for (const s of changed) {
      if (s.state === 'rejected') report.rejected++;
      else report.synced++;
    }
    report.changed.push(...changed);
    let moved = changed.length;
    if (ahead.size > 0) {
      const refused = batch.sent.filter((s) => ahead.has(s.feedbackId));
      const again = refused.filter((s) => !corrected.has(s.feedbackId));
      // Refused again after its correction: held back for the rest of this run, the others go on.
      const twice = refused.filter((s) => corrected.has(s.feedbackId) && !held.has(s.key));
      for (const s of twice) held.add(s.key);
      for (const s of again) corrected.add(s.feedbackId);
      moved += (await outbox.restamp(again)).length + twice.length;
    }
    // A server that answers without settling anything would make this loop spin: stop.
    if (moved === 0) break;
  }

  if (health.length > 0) {
    // Nothing to sync but visits: send them alone.
    const res = await post([]);
    if (!res.ok) return finish(res.failure);
    await settleHealth(res.body.configVersion);
  }

  const versionChanged =
    serverConfigVersion !== undefined && deps.configVersion !== undefined && serverConfigVersion !== (await deps.configVersion());
  if (options.fetchConfig !== false || versionChanged) {
    const config = await requestJson(serverUrl, () => api.v1['extension-config'].$get(), (body) => {
      const parsed = ExtensionConfigResponse.safeParse(body);
      return parsed.success ? parsed.data : undefined;
    });
    if (!config.ok) return finish(config.failure);
    await deps.saveRemoteConfig?.(config.body);
    report.configFetched = true;
  }
  return finish();
}
