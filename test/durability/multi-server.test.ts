/**
 * Several stateless servers on one PostgreSQL (issue 7, "several servers"): three real server
 * processes, eight clients (four raters with two devices each) and an admin, all syncing at once
 * through random servers. The same records are re-voted from both devices, the same targets get
 * new ids from each device, and the admin deletes records its raters own. Afterwards: no 5xx, the
 * newest version of every record is the stored one (no lost update), one live record per target
 * (no duplicate), no version applied twice in the event log.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuildRollups } from '../../server/insights/rollups.ts';
import { openStore, type Store } from '../../server/store/open.ts';
import { createToken } from '../../server/store/tokens.ts';
import { dropPostgresSchema, freshPostgresUrl } from '../helpers/backend.ts';
import { startServer, type ServerHandle } from '../helpers/server.ts';
import { checkStore, Ledger, newVersion, nextVersion, postSync, type Version } from './workload.ts';

const RATERS = 4;

/** The servers' connections carry this name, so the test can tell when they are gone. */
const APP_NAME = `gt_multi_${process.pid}`;

/** rollup_distinct, rollup_agreement and the targets' disagreement, as sorted lines. */
async function flatRollups(store: Store): Promise<Record<string, string[]>> {
  const lines = async (table: string) =>
    (await (store.db as any).selectFrom(table).selectAll().execute()).map((r: Record<string, unknown>) => Object.values(r).map(String).join('|')).sort();
  return { distinct: await lines('rollup_distinct'), agreement: await lines('rollup_agreement'), targets: await lines('rollup_targets') };
}

/** Deadlocks PostgreSQL has counted in this database (pg_stat_database). */
async function deadlocks(store: Store): Promise<number> {
  await sql`select pg_stat_clear_snapshot()`.execute(store.db);
  const { rows } = await sql<{ n: number }>`select deadlocks as n from pg_stat_database where datname = current_database()`.execute(store.db);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Stops the servers and returns once PostgreSQL has ended each of their connections. A backend
 * reports its pending statistics (deadlocks among them) before it leaves pg_stat_activity, so
 * after this the count is complete — the event to wait for, instead of PostgreSQL's flush interval.
 */
async function stopAndSettle(servers: ServerHandle[], store: Store): Promise<void> {
  await Promise.all(servers.map((s) => s.stop()));
  for (;;) {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where application_name = ${APP_NAME}`.execute(store.db);
    if (Number(rows[0]!.n) === 0) return;
    await sql`select pg_sleep(0.02)`.execute(store.db); // a poll between looks, not a deadline
  }
}

/** A count that can be awaited: `reached(n)` resolves once it is n or more. */
function counter() {
  let n = 0;
  const waiting: { n: number; resolve: () => void }[] = [];
  return {
    add() {
      n++;
      for (const w of waiting.filter((w) => n >= w.n)) w.resolve();
    },
    reached: (target: number) => (n >= target ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ n: target, resolve }))),
  };
}
const ROUNDS = 25;

describe('several servers on one PostgreSQL', () => {
  let url: string;
  let servers: ServerHandle[] = [];
  let store: Store;

  beforeAll(async () => {
    url = await freshPostgresUrl('multi');
    // All three start together on the empty schema: one migrates while the others wait.
    const serverUrl = new URL(url);
    serverUrl.searchParams.set('application_name', APP_NAME);
    const env = { DATABASE_URL: serverUrl.toString(), RATE_LIMIT_PER_MINUTE: '0' };
    servers = await Promise.all([startServer({ env }), startServer({ env }), startServer({ env })]);
    store = await openStore({ databaseUrl: url, poolSize: 2 });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await store?.close();
    await dropPostgresSchema(url);
  });

  it('started together on an empty database, they migrate once and print one admin token', async () => {
    expect(servers.filter((s) => s.adminToken)).toHaveLength(1);
    const tokens = await store.db.selectFrom('tokens').select('role').execute();
    expect(tokens).toEqual([{ role: 'admin' }]);
    const migrations = await store.db.selectFrom('kysely_migration' as never).select('name' as never).execute();
    expect(new Set((migrations as { name: string }[]).map((m) => m.name)).size).toBe(migrations.length);
  });

  it('the CLI works against PostgreSQL and a token it makes is accepted by every server', async () => {
    const token = await servers[1]!.createToken('analyst', 'cli-on-postgres');
    for (const s of servers) {
      const res = await fetch(`${s.url}/v1/feedback?limit=1`, { headers: { Authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
    }
  }, 60_000);

  it('concurrent syncs of the same and of different records lose no update and create no duplicate', async () => {
    const ledger = new Ledger();
    const deadlocksBefore = await deadlocks(store);
    const admin = (await createToken(store.db, { role: 'admin', name: 'ms-admin' })).token;
    const clients: { token: string; clientId: string; rater: number; device: number }[] = [];
    for (let r = 0; r < RATERS; r++) {
      const first = await createToken(store.db, { role: 'rater', name: `r${r}-d0` });
      const second = await createToken(store.db, { role: 'rater', name: `r${r}-d1`, raterId: first.info.raterId });
      clients.push({ token: first.token, clientId: `r${r}-d0`, rater: r, device: 0 });
      clients.push({ token: second.token, clientId: `r${r}-d1`, rater: r, device: 1 });
    }
    // Per rater: records both devices re-vote (A), targets each device votes on with its own id (B).
    const shared = Array.from({ length: RATERS }, (_, r) => Array.from({ length: 12 }, (_, i) => newVersion(`r${r}:a${i}`)));
    const perDeviceKey = (r: number, i: number, device: number) => `r${r}:b${i}#${device}`;
    const bIds = new Map<string, string>();
    const owned: Version[] = []; // C records, deleted by the admin later
    let current = new Map<string, Version>(shared.flat().map((v) => [v.id, v]));
    const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;

    const sendVia = async (token: string, clientId: string, batch: Version[]) => {
      batch.forEach((v) => ledger.sent(v));
      const answer = await postSync(pick(servers).url, token, clientId, batch);
      ledger.answer(batch, answer);
      return answer;
    };

    const clientRounds = counter();
    const runClient = async (c: (typeof clients)[number]) => {
      for (let round = 0; round < ROUNDS; round++) {
        const batch: Version[] = [];
        for (let k = 0; k < 4; k++) {
          const prev = current.get(pick(shared[c.rater]!).id)!;
          const v = nextVersion(prev);
          current.set(v.id, v);
          batch.push(v);
        }
        for (let k = 0; k < 2; k++) {
          const i = Math.floor(Math.random() * 6);
          // Both devices vote on target b<i>, each under its own record id.
          const key = `r${c.rater}:b${i}`;
          const idKey = perDeviceKey(c.rater, i, c.device);
          const id = bIds.get(idKey);
          const v = id ? nextVersion(current.get(id)!) : newVersion(key);
          bIds.set(idKey, v.id);
          current.set(v.id, v);
          batch.push(v);
        }
        const fresh = newVersion(`r${c.rater}:c${round}-${c.device}`);
        batch.push(fresh);
        const answer = await sendVia(c.token, c.clientId, batch.filter((v, i, all) => all.findIndex((x) => x.id === v.id) === i));
        if (answer.results?.at(-1)?.status === 'applied') owned.push(fresh);
        clientRounds.add();
      }
    };
    const runAdmin = async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const victims = owned.splice(0, 2).map((v) => nextVersion(v, true));
        if (victims.length) await sendVia(admin, 'admin-console', victims);
        // Keep pace with the raters (a round of theirs per round of the admin's), not with a clock.
        await clientRounds.reached((round + 1) * clients.length);
      }
    };
    await Promise.all([...clients.map(runClient), runAdmin()]);

    expect(ledger.bodies5xx).toEqual([]);
    expect(ledger.http).toMatchObject({ errors5xx: 0, network: 0, other: 0 });
    const rejected = [...ledger.acks.values()].flat().filter((s) => s === 'rejected').length;
    expect(rejected).toBe(0);
    expect(await checkStore(store, ledger)).toEqual([]);
    // Batches that share rows (rollups of one day and model) must lock them in one order: a
    // deadlock is retried, so nothing is lost, but each costs a second (deadlock_timeout).
    await stopAndSettle(servers, store);
    expect(await deadlocks(store), 'deadlocks: write shared rows in key order (docs/decisions, several servers)').toBe(deadlocksBefore);
    // The rollups kept by concurrent batches (distinct members and agreement tallies, issue 19)
    // equal a serial rebuild from the rows: the advisory lock per member and the targets' row
    // locks kept them exact.
    const kept = await flatRollups(store);
    await rebuildRollups(store.db);
    expect(await flatRollups(store)).toEqual(kept);
    // The re-votes really raced: some arrived after a newer version (stale), most applied.
    const statuses = [...ledger.acks.values()].flat();
    expect(statuses.filter((s) => s === 'applied').length).toBeGreaterThan(ledger.mutationsSent / 2);
    console.log(
      `[multi-server] ${servers.length} servers, ${clients.length} clients + admin: ${ledger.mutationsSent} versions, ` +
        `${ledger.http.ok} batches; applied ${statuses.filter((s) => s === 'applied').length}, ` +
        `stale ${statuses.filter((s) => s === 'stale').length}, unchanged ${statuses.filter((s) => s === 'unchanged').length}`,
    );
  }, 180_000);
});
