import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/helpers/app.ts';
import type { Store } from '../store/open.ts';
import { expectTick, jobStopped, resetJobBeats } from './heartbeat.ts';
import { readiness, TICK_GRACE_MS } from './readyz.ts';

afterEach(() => resetJobBeats());

describe('GET /readyz', () => {
  it('is 200 when the store answers, migrations are current and the jobs tick, with the work queue\'s lag; /healthz stays cheap', async () => {
    const t = await createTestApp();
    expectTick('webhooks', 1000);
    expectTick('retention', 5000);
    expectTick('indexer', 500);
    const res = await t.app.request('/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ok: true,
      checks: [
        { name: 'store', ok: true }, { name: 'migrations', ok: true },
        { name: 'job:webhooks', ok: true }, { name: 'job:retention', ok: true }, { name: 'job:indexer', ok: true },
      ],
      queue: { pending: 0, oldestPendingSeconds: 0 },
    });
    expect(await (await t.app.request('/healthz')).json()).toEqual({ ok: true });
    await t.store.close();
  });

  it('is 503 naming the failing check: jobs not started, stopped, or a tick overdue', async () => {
    const t = await createTestApp();
    let res = await t.app.request('/readyz');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ ok: false, failing: 'job:webhooks' });
    expectTick('webhooks', 1000);
    expectTick('retention', 1000);
    expectTick('indexer', 1000);
    jobStopped('retention');
    res = await t.app.request('/readyz');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ failing: 'job:retention' });
    const now = Date.now();
    expectTick('webhooks', 1000, now);
    expectTick('retention', 1000, now);
    expectTick('indexer', 1000, now);
    expect((await readiness(t.store, now + 1000 + TICK_GRACE_MS)).ok).toBe(true);
    const late = await readiness(t.store, now + 1001 + TICK_GRACE_MS);
    expect(late.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['job:webhooks', 'job:retention', 'job:indexer']);
    await t.store.close();
  });

  it('fails on pending migrations and on a store that does not answer', async () => {
    expectTick('webhooks', 1000);
    expectTick('retention', 1000);
    expectTick('indexer', 1000);
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
    const blank = { db, dialect: 'sqlite', location: ':memory:', close: () => db.destroy() } as unknown as Store;
    const pending = await readiness(blank);
    expect(pending.ok).toBe(false);
    expect(pending.checks.find((c) => c.name === 'migrations')).toMatchObject({ ok: false, error: expect.stringMatching(/^pending: 0010/) });
    await db.destroy();
    const closed = await readiness(blank);
    expect(closed.checks.find((c) => c.name === 'store')).toMatchObject({ ok: false });
  });
});
