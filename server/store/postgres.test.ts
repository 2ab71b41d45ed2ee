/**
 * What the PostgreSQL backend smooths over (ADR 0017), against a real PostgreSQL: numbers from
 * aggregates, the current schema only, NUL text, the migrator's refusal of a newer database,
 * and 503 (not 500) when no connection can be had. Needs PostgreSQL in every run, like CI.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { dropPostgresSchema, freshPostgresUrl } from '../../test/helpers/backend.ts';
import { StoreInputError, StoreUnavailableError } from './errors.ts';
import { openStore, type Store } from './open.ts';
import { openPostgres } from './postgres.ts';
import { createToken } from './tokens.ts';

describe('PostgreSQL backend', () => {
  let url: string;
  let store: Store;

  beforeAll(async () => {
    url = await freshPostgresUrl('pgunit');
    store = await openStore({ databaseUrl: url, poolSize: 3 });
  });
  afterAll(async () => {
    await store?.close();
    await dropPostgresSchema(url);
  });

  it('counts and sums come back as numbers, as on SQLite', async () => {
    await createToken(store.db, { role: 'admin', name: 'a' });
    const row = await store.db
      .selectFrom('tokens')
      .select((eb) => [eb.fn.countAll().as('n'), eb.fn.sum(sql<number>`1`).as('s'), eb.fn.avg(sql<number>`2`).as('a')])
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ n: 1, s: 1, a: 2 });
  });

  it('sees only its own schema: tables of another store in the same database are invisible', async () => {
    const otherUrl = await freshPostgresUrl('pgother');
    const other = await openStore({ databaseUrl: otherUrl, poolSize: 1 });
    const tables = await store.db.introspection.getTables({ withInternalKyselyTables: true });
    expect(new Set(tables.map((t) => t.schema))).toEqual(new Set([store.schema]));
    expect(tables.map((t) => t.name)).toContain('kysely_migration');
    await other.close();
    await dropPostgresSchema(otherUrl);
  });

  it('refuses NUL in text with a 422 error before PostgreSQL sees it', async () => {
    await expect(store.db.selectFrom('feedback').selectAll().where('id', '=', 'a\u0000b').execute()).rejects.toBeInstanceOf(StoreInputError);
    const app = createApp({ store, rateLimitPerMinute: 0 });
    const { token } = await createToken(store.db, { role: 'admin', name: 'b' });
    const res = await app.request('/v1/feedback/a%00b', { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('validation_failed');
  });

  it('refuses a database written by a newer version, and leaves it untouched', async () => {
    await sql`insert into kysely_migration (name, timestamp) values ('9990-from-the-future', ${new Date().toISOString()})`.execute(store.db);
    await expect(openStore({ databaseUrl: url, poolSize: 1 })).rejects.toThrow(/newer Groundtruth.*9990-from-the-future/);
    await sql`delete from kysely_migration where name = '9990-from-the-future'`.execute(store.db);
  });

  it('answers 503 with Retry-After when every pooled connection stays busy', async () => {
    const pg = await openPostgres({ url, poolSize: 1, connectTimeoutMillis: 200 });
    let release!: () => void;
    let holding!: () => void;
    const holds = new Promise<void>((r) => (holding = r));
    const held = pg.db.transaction().execute(() => {
      holding();
      return new Promise<void>((r) => (release = r));
    });
    await holds; // the only pooled connection is now taken
    await expect(pg.db.selectFrom('tokens').selectAll().execute()).rejects.toBeInstanceOf(StoreUnavailableError);
    const app = createApp({ store: { db: pg.db, dialect: 'postgres', location: pg.location, close: () => pg.db.destroy() }, rateLimitPerMinute: 0 });
    const res = await app.request('/v1/feedback', { headers: { Authorization: 'Bearer gt_anything' } });
    expect(res.status).toBe(503);
    expect(res.headers.get('Retry-After')).toBe('2');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unavailable');
    release();
    await held;
    await pg.db.destroy();
  });

  it('says where it could not connect, without the password', async () => {
    await expect(openStore({ databaseUrl: 'postgres://someone:s3cret@127.0.0.1:1/nowhere' })).rejects.toThrow(
      /Cannot reach PostgreSQL at postgres:\/\/someone:\*\*\*@127\.0\.0\.1:1\/nowhere: .*ECONNREFUSED/,
    );
  });
});
