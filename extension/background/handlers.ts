/**
 * The background's answer to every message (extension/messages.ts), validated with zod at this
 * edge. Content scripts may rate, and read statuses, their page's config and its rated selections;
 * only the extension's own pages (popup, options) may ask for the summary, sync or test a
 * connection. Nothing sent to a content script carries the server URL or the token.
 */
import { describeZodError } from '../../shared/schemas.ts';
import { Message, type RatingDraft, type TargetStatus } from '../messages.ts';
import type { Outbox } from '../outbox/outbox.ts';
import type { SyncScheduler } from '../sync/scheduler.ts';
import type { ConnectionResult } from './connection.ts';
import type { ConnectResult } from './connect.ts';
import { applyPrivacy, clipOverlongDraft } from './privacy.ts';
import type { VisitQueue } from '../outbox/visits.ts';
import { contentConfigOf, loadRemoteConfig, loadSettings, serverCan, type KeyValueArea } from './settings.ts';
import { criterionRowKey } from '../criterion-key.ts';
import { pageSelections } from './page-selections.ts';
import { buildSummary } from './summary.ts';
import type { ToReview } from './to-review.ts';

export interface MessageSender {
  /** The URL of the sending document: the page for a content script, chrome-extension://… for our pages. */
  url?: string;
  tab?: { id?: number; url?: string };
}

interface HandlerDeps {
  outbox: Outbox;
  scheduler: SyncScheduler;
  storage: KeyValueArea;
  /** runtime.getURL('/'): senders under it are the extension's own pages. */
  extensionOrigin: string;
  broadcast(statuses: TargetStatus[], exceptTabId?: number): Promise<void>;
  testConnection(serverUrl: string, token: string): Promise<ConnectionResult>;
  /** "Connect with a code" (connect.ts): stores the token it gets; absent: not offered. */
  connectWithCode?(serverUrl: string, code: string, deviceName?: string): Promise<ConnectResult>;
  /** Health visits waiting for the next sync. */
  visits: Pick<VisitQueue, 'add'>;
  /** The rater's own ratings in a conversation, from the server, adopted by the outbox. */
  pullOwnRatings(site: string, conversationId: string): Promise<TargetStatus[]>;
  /** The rater's review queues, for the popup's "N to review" (to-review.ts); absent: none. */
  toReview?(): Promise<ToReview | null>;
}

/** A failure the sender sees as `{ error }`: the message was understood but cannot be done. */
export class MessageError extends Error {
  override name = 'MessageError';
}

const PRIVILEGED = new Set<Message['type']>(['get-summary', 'get-to-review', 'sync-now', 'test-connection', 'connect-with-code']);

function hostnameOf(url: string | undefined): string | undefined {
  try {
    return url ? new URL(url).hostname : undefined;
  } catch {
    return undefined;
  }
}

export function createMessageHandler(deps: HandlerDeps) {
  const { outbox, scheduler, storage } = deps;

  /**
   * The rates of one row, each run after the one before it settled. A save awaits more than an
   * undo does (the vote kept, redaction), so an undo clicked while a save was still on its way
   * used to reach the outbox first, and the save then put the rating back: the rater's last click
   * lost. Rows are independent: another target is not held back.
   */
  const rowQueues = new Map<string, Promise<unknown>>();
  function inRowOrder<T>(key: string, run: () => Promise<T>): Promise<T> {
    const result = (rowQueues.get(key) ?? Promise.resolve()).then(run);
    const settled = result.catch(() => undefined);
    rowQueues.set(key, settled);
    void settled.then(() => rowQueues.get(key) === settled && rowQueues.delete(key));
    return result;
  }

  function rate(draft: RatingDraft, sender: MessageSender, fromExtension: boolean): Promise<TargetStatus> {
    // An extra criterion is a record of its own, in a row of its own (criterion-key.ts).
    const key = criterionRowKey(draft.target.key, draft.criterion);
    return inRowOrder(key, () => rateRow(key, draft, sender, fromExtension));
  }

  async function rateRow(key: string, draft: RatingDraft, sender: MessageSender, fromExtension: boolean): Promise<TargetStatus> {
    const settings = await loadSettings(storage);
    if (key !== draft.target.key && !serverCan(await loadRemoteConfig(storage), 'criteria')) {
      // A content script may hold an older config: the server must say it takes criteria.
      throw new MessageError('This Groundtruth server does not take ratings of other criteria; only the overall rating is saved.');
    }
    if (!fromExtension) {
      const host = hostnameOf(sender.tab?.url ?? sender.url);
      const off = [host, draft.target.site].some((id) => id !== undefined && settings.siteEnabled[id] === false);
      if (off) throw new MessageError('Groundtruth is switched off for this site in the options.');
    }
    if (draft.remove) {
      await outbox.undo(key);
    } else {
      // A comment or correction sent alone keeps the vote already given.
      const rating = draft.rating ?? (await outbox.get(key))?.feedback?.rating;
      if (!rating) throw new MessageError('Choose thumbs up or down (or stars) before saving.');
      const input = await applyPrivacy({ ...draft, rating }, settings.privacy);
      await outbox.save(key === draft.target.key ? input : { ...input, criterion: draft.criterion });
    }
    const [status] = await outbox.statuses([key]);
    scheduler.soon();
    void deps.broadcast([status!], sender.tab?.id).catch(() => undefined);
    return status!;
  }

  async function summary() {
    const settings = await loadSettings(storage);
    return buildSummary(outbox, await scheduler.lastSync(), settings, await loadRemoteConfig(storage));
  }

  return async function handleMessage(raw: unknown, sender: MessageSender): Promise<unknown> {
    const parsed = Message.safeParse(await clipOverlongDraft(raw));
    if (!parsed.success) throw new MessageError(`Not a Groundtruth message: ${describeZodError(parsed.error)}`);
    const msg = parsed.data;
    const fromExtension = (sender.url ?? '').startsWith(deps.extensionOrigin);
    if (PRIVILEGED.has(msg.type) && !fromExtension) {
      throw new MessageError(`"${msg.type}" is only answered to the extension's own pages.`);
    }
    switch (msg.type) {
      case 'rate':
        return rate(msg.draft, sender, fromExtension);
      case 'get-statuses':
        return { statuses: await outbox.statuses(msg.keys) };
      case 'get-page-selections':
        return { selections: await pageSelections(outbox, msg.url) };
      case 'report-visit':
        // Only kept for a server that takes them (a content script may hold an older config).
        if (serverCan(await loadRemoteConfig(storage), 'health')) await deps.visits.add(msg.visit);
        return { ok: true };
      case 'open-conversation':
        return { statuses: await deps.pullOwnRatings(msg.site, msg.conversationId) };
      case 'get-content-config':
        return contentConfigOf(await loadSettings(storage), await loadRemoteConfig(storage));
      case 'get-summary':
        return summary();
      case 'get-to-review':
        return (await deps.toReview?.()) ?? null;
      case 'sync-now':
        await scheduler.trigger('sync-now');
        return summary();
      case 'test-connection':
        return deps.testConnection(msg.serverUrl, msg.token);
      case 'connect-with-code':
        if (!deps.connectWithCode) return { ok: false, message: 'This build cannot connect with a code; paste a token instead.' } satisfies ConnectResult;
        return deps.connectWithCode(msg.serverUrl, msg.code, msg.deviceName);
    }
  };
}
