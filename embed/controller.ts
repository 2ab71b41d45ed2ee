/**
 * One controller per server, public key and user id on a page: its outbox (in the page's IndexedDB,
 * one database each, so a batch always goes out with the key it was rated under), its sync schedule,
 * and the `<groundtruth-rating>` elements showing its rows. Elements that connect in one task get
 * their statuses in one IndexedDB read (a page of 300 answers is one transaction, not 300).
 */
import type { TargetStatus } from '../extension/messages.ts';
import { EmbedOutbox } from './outbox.ts';
import { applyEmbedPrivacy, type EmbedDraft } from './privacy.ts';
import { EmbedStore } from './store.ts';
import { EmbedSync, type Fetch, type RunReport, type SyncTarget } from './sync.ts';

/** What the controller needs of an element. */
export interface RatingHost {
  readonly rowKey: string;
  showStatus(status: TargetStatus): void;
}

export interface ControllerOptions {
  indexedDB?: IDBFactory;
  IDBKeyRange?: typeof IDBKeyRange;
  fetch?: Fetch;
  win?: Window;
  soonDelayMs?: number;
  onReport?(report: RunReport): void;
}

export const DB_PREFIX = 'groundtruth-embed';
/** Dispatched on the document each time elements that connected got their saved states. */
export const READY_EVENT = 'groundtruth-rating:ready';

export class EmbedController {
  readonly outbox: EmbedOutbox;
  readonly sync: EmbedSync;
  private readonly hosts = new Map<string, Set<RatingHost>>();
  private lookups = new Set<RatingHost>();
  private lookupQueued = false;
  private loaded = false;
  private readonly win?: Window;

  constructor(
    readonly target: SyncTarget,
    options: ControllerOptions = {},
  ) {
    const name = `${DB_PREFIX} ${target.server} ${target.publicKey} ${target.userId ?? ''}`;
    this.outbox = new EmbedOutbox(new EmbedStore(name, options));
    const win = (this.win = options.win ?? (typeof window === 'undefined' ? undefined : window));
    this.sync = new EmbedSync({
      outbox: this.outbox,
      target,
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
      onChange: (changed) => this.broadcast(changed),
      onReport: options.onReport,
      soonDelayMs: options.soonDelayMs,
    });
    // Back online: send what waited (DESIGN: a rating never waits for the network).
    win?.addEventListener('online', () => void this.sync.now());
    // Opens the database now, while the page renders the widgets: the status lookup after the task finds it open.
    this.outbox.loadClock().catch(() => undefined);
  }

  register(host: RatingHost): void {
    let set = this.hosts.get(host.rowKey);
    if (!set) this.hosts.set(host.rowKey, (set = new Set()));
    set.add(host);
    this.lookups.add(host);
    if (this.lookupQueued) return;
    this.lookupQueued = true;
    // After the current task: every element connected by it is looked up at once.
    setTimeout(() => void this.lookUp(), 0);
  }

  unregister(host: RatingHost): void {
    this.hosts.get(host.rowKey)?.delete(host);
    this.lookups.delete(host);
  }

  private async lookUp(): Promise<void> {
    this.lookupQueued = false;
    const first = !this.loaded;
    this.loaded = true;
    const hosts = [...this.lookups];
    this.lookups = new Set();
    const keys = [...new Set(hosts.map((h) => h.rowKey))];
    let statuses: TargetStatus[] = [];
    try {
      statuses = await this.outbox.statuses(keys);
    } catch {
      // no IndexedDB (a private window of some browsers): the widgets start empty
    }
    // Only rows with something to show: a pristine widget stays a cheap clone (widget/mount.ts).
    this.broadcast(statuses.filter((s) => s.state !== 'none'));
    // For pages and tests that wait for the widgets to show their saved state (test/e2e/embed.test.ts).
    this.win?.document.dispatchEvent(new CustomEvent(READY_EVENT, { detail: { widgets: hosts.length } }));
    // At load, once the widgets show their states: send what an earlier visit left pending.
    if (first) void this.sync.now();
  }

  private broadcast(statuses: readonly TargetStatus[]): void {
    for (const status of statuses) for (const host of this.hosts.get(status.key) ?? []) host.showStatus(status);
  }

  /** Saves a vote (after privacy) as pending, shows it on every element of that row, and syncs soon. */
  async rate(draft: EmbedDraft, privacy: { hashesOnly?: boolean } = {}): Promise<TargetStatus> {
    const input = await applyEmbedPrivacy(draft, privacy);
    const row = await this.outbox.save(input);
    const [status] = await this.outbox.statuses([row.key]);
    this.broadcast([status!]);
    this.sync.soon();
    return status!;
  }
}

const controllers = new Map<string, EmbedController>();

/** The page's controller for one server, key and user id. */
export function controllerFor(target: SyncTarget, options?: ControllerOptions): EmbedController {
  const id = JSON.stringify([target.server, target.publicKey, target.userId ?? null]);
  let c = controllers.get(id);
  if (!c) controllers.set(id, (c = new EmbedController(target, options)));
  return c;
}
