/**
 * The health visits waiting to be sent (extension/content/health.ts counts them), kept in the
 * outbox database's meta table so that a worker restart loses none. At most SITE_VISITS_MAX wait:
 * the oldest go first when a server is away for long (they are statistics, not ratings).
 */
import { SITE_VISITS_MAX, type SiteVisit } from '../../shared/site-health.ts';
import type { OutboxDB } from './db.ts';

const KEY = 'healthVisits';

export class VisitQueue {
  constructor(private readonly db: OutboxDB) {}

  private async read(): Promise<SiteVisit[]> {
    const value = (await this.db.meta.get(KEY))?.value;
    return Array.isArray(value) ? (value as SiteVisit[]) : [];
  }

  async add(visit: SiteVisit): Promise<void> {
    await this.db.transaction('rw', this.db.meta, async () => {
      const visits = [...(await this.read()), visit].slice(-SITE_VISITS_MAX);
      await this.db.meta.put({ key: KEY, value: visits });
    });
  }

  /** The visits to send now, oldest first. */
  async peek(): Promise<SiteVisit[]> {
    return this.read();
  }

  async size(): Promise<number> {
    return (await this.read()).length;
  }

  /** Drops the visits a server stored (those sent; any added meanwhile stay). */
  async drop(sent: readonly SiteVisit[]): Promise<void> {
    const gone = new Set(sent.map((v) => JSON.stringify(v)));
    await this.db.transaction('rw', this.db.meta, async () => {
      const left = (await this.read()).filter((v) => !gone.delete(JSON.stringify(v)));
      await this.db.meta.put({ key: KEY, value: left });
    });
  }

  async clear(): Promise<void> {
    await this.db.meta.delete(KEY);
  }
}
