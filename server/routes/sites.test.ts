/** GET /v1/sites/health: roles, the `days` window and its bounds, unknown parameters, the OpenAPI entry. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/helpers/app.ts';
import { siteVisit, syncVisits } from '../../test/helpers/site-visits.ts';
import { addDays, dayOf } from '../insights/days.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const DAY = 86_400_000;

let t: TestApp;
let analyst: string;
beforeAll(async () => {
  t = await createTestApp();
  analyst = (await t.token('analyst')).token;
  const rater = (await t.token('rater')).token;
  const now = Date.now();
  // Visits today, 3 days ago and 6 days ago (the oldest a visit can be dated is 7 days back).
  const res = await syncVisits(t.call, rater, 'client-1', [
    siteVisit({ at: new Date(now - 6 * DAY).toISOString() }),
    siteVisit({ at: new Date(now - 3 * DAY).toISOString() }),
    siteVisit(),
  ]);
  expect(res.status).toBe(200);
});
afterAll(async () => {
  await t.store.close();
});

const get = (query: string, token = analyst) => t.call(token, 'GET', `/v1/sites/health${query}`);
const dayList = async (query: string) => {
  const body = await (await get(query)).json();
  return { days: body.days, list: body.sites[0]?.days.map((d: { day: string }) => d.day) ?? [] };
};

describe('GET /v1/sites/health', () => {
  it('is for analysts and admins', async () => {
    const rater = (await t.token('rater')).token;
    const admin = (await t.token('admin')).token;
    expect((await get('', rater)).status).toBe(403);
    expect((await get('', admin)).status).toBe(200);
    expect((await t.app.request('/v1/sites/health')).status).toBe(401);
  });

  it('covers the last `days` UTC days, today included, 7 by default', async () => {
    const today = dayOf(new Date());
    expect(await dayList('')).toEqual({ days: 7, list: [addDays(today, -6), addDays(today, -3), today] });
    expect(await dayList('?days=')).toEqual({ days: 7, list: [addDays(today, -6), addDays(today, -3), today] });
    expect(await dayList('?days=4')).toEqual({ days: 4, list: [addDays(today, -3), today] });
    expect(await dayList('?days=1')).toEqual({ days: 1, list: [today] });
    expect((await dayList('?days=90')).days).toBe(90);
  });

  it('refuses days out of 1..90 with 422', async () => {
    for (const bad of ['0', '91', '-1', '2.5', 'week']) {
      const res = await get(`?days=${bad}`);
      expect(res.status, bad).toBe(422);
      expect((await res.json()).error.code).toBe('validation_failed');
    }
  });

  it('refuses an unknown query parameter with 400 unknown_parameter', async () => {
    const res = await get('?days=7&site=chatgpt.com');
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatchObject({ code: 'unknown_parameter', details: { unknown: ['site'], accepted: ['days'] } });
  });

  it('is described in the OpenAPI document', async () => {
    const doc = await (await t.app.request('/openapi.json')).json();
    expect(doc.paths['/v1/sites/health'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['days']);
    expect(doc.components.schemas.SitesHealth).toBeDefined();
  });
});
