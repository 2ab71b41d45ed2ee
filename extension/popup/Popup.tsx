/**
 * The popup: how many ratings wait, went through or were refused, when the last sync was and what
 * went wrong in words, a "Sync now" button, "N to review" in the rater's review queues (each
 * linked to its dashboard page), and the recent ratings. A pure view over PopupSummary and
 * ToReview; PopupApp (below) fetches them from the background: the summary every refresh (it is
 * local), the queues when the popup opens, after "Sync now" and every `toReviewRefreshMs` (they
 * come from the server).
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { PopupSummary, RecentRating } from '../background/summary.ts';
import type { ToReview } from '../background/to-review.ts';
import { queueLinkText, ratingText, relativeTime, STATE_WORDS, toReviewText } from './words.ts';

interface PopupViewProps {
  summary: PopupSummary | undefined;
  /** The rater's review queues; null or undefined (no such server, offline, nothing to do): no line. */
  toReview?: ToReview | null;
  syncing: boolean;
  /** A failure to reach the background itself. */
  error?: string;
  now: number;
  onSyncNow(): void;
  onOpenOptions(): void;
}

function LastSyncLine({ summary, now }: { summary: PopupSummary; now: number }) {
  const last = summary.lastSync;
  if (!last) return <p data-gt="last-sync">Not synced yet.</p>;
  if (last.ok) {
    return (
      <p data-gt="last-sync">
        Last sync {relativeTime(last.at, now)}
        {last.sent > 0 ? ` (${last.sent} sent)` : ''}.
      </p>
    );
  }
  return (
    <div data-gt="last-sync" class="problem" role="alert">
      <p>Last attempt {relativeTime(last.at, now)} failed:</p>
      <p data-gt="sync-error">{last.error}</p>
      {last.nextAttemptAt && last.nextAttemptAt > now ? <p class="muted">Next try {relativeTime(last.nextAttemptAt, now)}.</p> : null}
    </div>
  );
}

/** "N to review": one queue, the line is its link; several, a link per queue below it. Hidden at 0. */
function ToReviewLine({ toReview }: { toReview: ToReview }) {
  if (toReview.total <= 0 || toReview.queues.length === 0) return null;
  const [only] = toReview.queues;
  if (toReview.queues.length === 1 && only) {
    return (
      <p class="to-review">
        <a data-gt="to-review" href={only.url} target="_blank" rel="noopener noreferrer" title={only.name}>
          {toReviewText(toReview.total)}
        </a>
      </p>
    );
  }
  return (
    <div class="to-review">
      <p data-gt="to-review">{toReviewText(toReview.total)}</p>
      <ul>
        {toReview.queues.map((q) => (
          <li key={q.id}>
            <a data-gt="to-review-queue" href={q.url} target="_blank" rel="noopener noreferrer">
              {queueLinkText(q.name, q.toReview)}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

function RecentItem({ item }: { item: RecentRating }) {
  const undone = item.op === 'delete';
  return (
    <li data-gt="recent-item" data-gt-state={item.state}>
      <span class={`badge ${item.state}`}>{undone ? 'undo, ' : ''}{STATE_WORDS[item.state]}</span>{' '}
      <span class="rating">{undone ? '' : ratingText(item.rating)}</span>
      <div class="snippet" title={item.snippet}>
        {item.snippet}
      </div>
      <div class="muted">
        {[item.site, item.model].filter(Boolean).join(' · ')}
      </div>
      {item.error ? <div class="reason">Reason: {item.error}</div> : null}
    </li>
  );
}

export function PopupView({ summary, toReview, syncing, error, now, onSyncNow, onOpenOptions }: PopupViewProps) {
  return (
    <main>
      <h1>Groundtruth</h1>
      {error ? (
        <p class="problem" role="alert">
          {error}
        </p>
      ) : null}
      {summary ? (
        <>
          <dl class="counts">
            <div>
              <dt>Waiting</dt>
              <dd data-gt="pending-count">{summary.counts.pending}</dd>
            </div>
            <div>
              <dt>Synced</dt>
              <dd data-gt="synced-count">{summary.counts.synced}</dd>
            </div>
            <div>
              <dt>Not accepted</dt>
              <dd data-gt="rejected-count">{summary.counts.rejected}</dd>
            </div>
          </dl>
          <LastSyncLine summary={summary} now={now} />
          {toReview ? <ToReviewLine toReview={toReview} /> : null}
          {!summary.hasToken ? (
            <p class="problem">
              No token yet.{' '}
              <button type="button" class="link" onClick={onOpenOptions}>
                Open the options
              </button>{' '}
              to connect to your server.
            </p>
          ) : null}
          <div class="actions">
            <button type="button" data-gt="sync-now" onClick={onSyncNow} disabled={syncing}>
              {syncing ? 'Syncing…' : 'Sync now'}
            </button>
            <button type="button" class="link" data-gt="open-options" onClick={onOpenOptions}>
              Settings
            </button>
          </div>
          {summary.packs ? (
            <p data-gt="packs" class="muted">
              {summary.packs.sites.length > 0
                ? `Selector pack v${summary.packs.version} in use for ${summary.packs.sites.join(', ')}.`
                : `Selector pack v${summary.packs.version} published.`}
              {summary.packs.ignored.length > 0 ? ` Not usable by this version: ${summary.packs.ignored.join(', ')}.` : ''}
            </p>
          ) : null}
          <h2>Recent ratings</h2>
          {summary.recent.length ? (
            <ul class="recent">
              {summary.recent.map((item) => (
                <RecentItem key={item.key} item={item} />
              ))}
            </ul>
          ) : (
            <p class="muted">No ratings yet. Rate an AI answer with the buttons below it.</p>
          )}
        </>
      ) : error ? null : (
        <p class="muted">Loading…</p>
      )}
    </main>
  );
}

interface PopupAppProps {
  send(message: { type: 'get-summary' } | { type: 'sync-now' } | { type: 'get-to-review' }): Promise<unknown>;
  openOptions(): void;
  /** How often to refresh while open. */
  refreshMs?: number;
  /** How often to ask again for the review queues (a server request) while open. */
  toReviewRefreshMs?: number;
}

function asSummary(answer: unknown): { summary?: PopupSummary; error?: string } {
  if (answer && typeof answer === 'object' && 'counts' in answer) return { summary: answer as PopupSummary };
  const error = answer && typeof answer === 'object' && 'error' in answer ? String((answer as { error: unknown }).error) : 'No answer from the extension.';
  return { error };
}

/** The background's answer to get-to-review, or null when it is anything else. */
function asToReview(answer: unknown): ToReview | null {
  if (!answer || typeof answer !== 'object' || !('total' in answer) || !('queues' in answer)) return null;
  const { total, queues } = answer as { total: unknown; queues: unknown };
  return typeof total === 'number' && Array.isArray(queues) ? (answer as ToReview) : null;
}

export function PopupApp({ send, openOptions, refreshMs = 2000, toReviewRefreshMs = 60_000 }: PopupAppProps) {
  const [summary, setSummary] = useState<PopupSummary>();
  const [toReview, setToReview] = useState<ToReview | null>(null);
  const [error, setError] = useState<string>();
  const [syncing, setSyncing] = useState(false);
  const [now, setNow] = useState(Date.now());

  const load = useCallback(async (type: 'get-summary' | 'sync-now') => {
    try {
      const res = asSummary(await send({ type }));
      if (res.summary) setSummary(res.summary);
      setError(res.error);
    } catch (err) {
      setError(`The extension did not answer: ${err instanceof Error ? err.message : String(err)}`);
    }
    setNow(Date.now());
  }, [send]);

  const loadToReview = useCallback(async () => {
    try {
      setToReview(asToReview(await send({ type: 'get-to-review' })));
    } catch {
      // An older background without the message, or none: no line, the rest of the popup stands.
      setToReview(null);
    }
  }, [send]);

  useEffect(() => {
    void load('get-summary');
    const timer = setInterval(() => void load('get-summary'), refreshMs);
    return () => clearInterval(timer);
  }, [load, refreshMs]);

  useEffect(() => {
    void loadToReview();
    const timer = setInterval(() => void loadToReview(), toReviewRefreshMs);
    return () => clearInterval(timer);
  }, [loadToReview, toReviewRefreshMs]);

  const onSyncNow = async () => {
    setSyncing(true);
    await load('sync-now');
    setSyncing(false);
    void loadToReview();
  };
  return (
    <PopupView summary={summary} toReview={toReview} syncing={syncing} error={error} now={now} onSyncNow={() => void onSyncNow()} onOpenOptions={openOptions} />
  );
}
