/**
 * Adapter health through the real interface: visits sent with POST /v1/sync as the extension sends
 * them, the rule read back through GET /v1/sites/health, incidents' webhooks in the outbox (and one
 * delivered, signed, to a receiver on 127.0.0.1).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HEALTH_RULE } from '../../shared/site-health.ts';
import { createTestApp, makeFeedback, upsert } from '../../test/helpers/app.ts';
import { noAnswersVisit, noPromptVisit, siteVisit, syncVisits, visitsBefore } from '../../test/helpers/site-visits.ts';
import { dayOf } from '../insights/days.ts';
import { withGovernance } from '../store/governance-tables.ts';
import { verifySignature } from '../webhooks/signature.ts';
import { startWebhookWorker } from '../webhooks/worker.ts';
import { withHealth } from './tables.ts';

const HOUR = 3_600_000;
const { minVisits, minClients, healthyToRecover } = HEALTH_RULE;

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup() {
  // One test delivers to a receiver on 127.0.0.1, which needs private addresses allowed.
  const t = await createTestApp({ webhookAddresses: { allowPrivate: true, allowedHosts: [] } });
  cleanup.push(() => t.store.close());
  const admin = (await t.token('admin')).token;
  const analyst = (await t.token('analyst')).token;
  const rater = (await t.token('rater')).token;
  const send = async (clientId: string, health: unknown[], token = rater) => {
    const res = await syncVisits(t.call, token, clientId, health);
    expect(res.status, await res.clone().text()).toBe(200);
    return res.json();
  };
  const report = async (token = analyst) => {
    const res = await t.call(token, 'GET', '/v1/sites/health');
    expect(res.status).toBe(200);
    return res.json();
  };
  const site = async (name = 'chatgpt.com', token = analyst) => (await report(token)).sites.find((s: { site: string }) => s.site === name);
  const deliveries = async () =>
    (await withGovernance(t.store.db).selectFrom('webhook_deliveries').select(['event', 'payload']).orderBy('id').execute()).map((d) => ({
      event: d.event,
      data: JSON.parse(d.payload).data,
    }));
  return { ...t, admin, analyst, rater, send, report, site, deliveries };
}

/** `n` bad visits, one per request, from `clients` in turn, each dated when it is sent. */
async function sendSpread(s: Awaited<ReturnType<typeof setup>>, n: number, clients: string[], make = noAnswersVisit) {
  for (let i = 0; i < n; i++) await s.send(clients[i % clients.length]!, [make()]);
}

describe('site health visits', () => {
  it('are stored from sync and summed per site and day', async () => {
    const s = await setup();
    const now = Date.now();
    const answer = await s.send('client-a', [
      siteVisit({ at: new Date(now - 2 * 60_000).toISOString() }),
      siteVisit({ at: new Date(now - 60_000).toISOString(), layout: 'legacy', fallback: true, prompt: false }),
      noAnswersVisit({ at: new Date(now).toISOString() }),
      siteVisit({ site: 'claude.ai', adapter: 'claude', layout: 'pack', pack: 3 }),
    ]);
    expect(answer).toMatchObject({ results: [], healthAccepted: 4 });
    await s.send('client-b', [siteVisit({ userTurns: 0, prompt: false })]);

    const chatgpt = await s.site();
    expect(chatgpt).toMatchObject({ site: 'chatgpt.com', status: 'ok', brokenSince: null, reason: null });
    expect(chatgpt.days).toEqual([
      {
        day: dayOf(new Date()),
        visits: 4,
        clients: 2,
        answersShare: 3 / 4,
        // Of the visits with answers and user turns (the one without user turns had no prompt to read).
        promptShare: 1 / 2,
        fallbackShare: 1 / 4,
        layouts: { '2026-09': 2, legacy: 1, none: 1 },
        adapters: { chatgpt: 4 },
      },
    ]);
    expect((await s.site('claude.ai')).days[0]).toMatchObject({ visits: 1, layouts: { pack: 1 }, adapters: { claude: 1 } });
    const rows = await withHealth(s.store.db).selectFrom('site_visits').selectAll().where('site', '=', 'claude.ai').execute();
    expect(rows).toEqual([expect.objectContaining({ client_id: 'client-a', pack: 3, fallback: 0, prompt_read: 1, model_read: 1, conversation_read: 1 })]);
  });

  it('count at the receive time when dated in the future or more than 7 days back', async () => {
    const s = await setup();
    const now = Date.now();
    await s.send('c', [
      siteVisit({ at: new Date(now - 8 * 24 * HOUR).toISOString() }),
      siteVisit({ at: new Date(now + 48 * HOUR).toISOString() }),
      siteVisit({ at: new Date(now - 2 * 24 * HOUR).toISOString() }),
    ]);
    const days = (await (await s.call(s.analyst, 'GET', '/v1/sites/health?days=7')).json()).sites[0].days;
    expect(days.map((d: { day: string; visits: number }) => [d.day, d.visits])).toEqual([
      [dayOf(new Date(now - 2 * 24 * HOUR)), 1],
      [dayOf(new Date()), 2],
    ]);
  });

  it('with an unknown field make the whole request 422 and store nothing', async () => {
    const s = await setup();
    const feedback = makeFeedback();
    const res = await syncVisits(s.call, s.rater, 'c', [siteVisit(), { ...siteVisit(), pageText: 'Hello from the page' }], [upsert(feedback)]);
    expect(res.status).toBe(422);
    expect(JSON.stringify(await res.json())).toContain('pageText');
    expect(await withHealth(s.store.db).selectFrom('site_visits').selectAll().execute()).toEqual([]);
    expect((await s.call(s.rater, 'GET', `/v1/feedback/${feedback.id}`)).status).toBe(404);
  });
});

describe('the broken rule', () => {
  it(`flags a site after ${minVisits} visits with user turns and no answers from ${minClients} clients, since the day of the first`, async () => {
    const s = await setup();
    const first = Date.now() - 23 * HOUR;
    await s.send('client-a', [noAnswersVisit({ at: new Date(first).toISOString() })]);
    await sendSpread(s, minVisits - 2, ['client-a', 'client-b']);
    expect((await s.site()).status).toBe('ok');
    await s.send('client-b', [noAnswersVisit()]);
    expect(await s.site()).toMatchObject({ status: 'broken', brokenSince: dayOf(new Date(first)), reason: 'no_answers' });
    const broken = (await s.deliveries()).filter((d) => d.event === 'site.broken');
    expect(broken).toEqual([]); // no webhook subscribed: nothing queued
  });

  it(`does not flag ${minVisits} bad visits from one client`, async () => {
    const s = await setup();
    await sendSpread(s, minVisits * 2, ['only-client']);
    expect((await s.site()).status).toBe('ok');
  });

  it(`looks back ${HEALTH_RULE.windowHours} hours from the newest visit only`, async () => {
    const s = await setup();
    await s.send('client-a', [noAnswersVisit({ at: new Date(Date.now() - (HEALTH_RULE.windowHours + 2) * HOUR).toISOString() })]);
    await sendSpread(s, minVisits - 1, ['client-a', 'client-b']);
    expect((await s.site()).status).toBe('ok');
    const start = Date.now();
    await s.send('client-b', [noAnswersVisit()]);
    // The visit outside the window is not the first one.
    expect(await s.site()).toMatchObject({ status: 'broken', brokenSince: dayOf(new Date(start)) });
  });

  it(`flags a site whose prompt is read in under ${HEALTH_RULE.minPromptShare * 100} % of the visits with answers`, async () => {
    const s = await setup();
    const n = minVisits * 2;
    const withPrompt = Math.ceil(n * HEALTH_RULE.minPromptShare); // exactly the threshold: still healthy
    const visits = visitsBefore(n, (at) => noPromptVisit({ at }));
    for (let i = 0; i < withPrompt; i++) visits[i] = siteVisit({ at: visits[i]!.at });
    await s.send('client-a', visits.slice(0, n / 2));
    await s.send('client-b', visits.slice(n / 2));
    expect((await s.site()).status).toBe('ok');
    await s.send('client-b', [noPromptVisit()]);
    expect(await s.site()).toMatchObject({ status: 'broken', reason: 'no_prompt', brokenSince: dayOf(new Date(Date.parse(visits[withPrompt]!.at))) });
  });

  it('keeps sites and incidents of one workspace from another', async () => {
    const s = await setup();
    const otherRater = (await s.token('rater', { workspaceId: 'other' })).token;
    const otherAnalyst = (await s.token('analyst', { workspaceId: 'other' })).token;
    for (let i = 0; i < minVisits; i++) await s.send(`c${i % minClients}`, [noAnswersVisit({ site: 'gemini.google.com' })], otherRater);
    expect(await s.site('gemini.google.com', otherAnalyst)).toMatchObject({ status: 'broken' });
    expect((await s.report()).sites).toEqual([]);
    // The same site in the default workspace is judged on its own visits only.
    await s.send('c0', [noAnswersVisit({ site: 'gemini.google.com' })]);
    expect(await s.site('gemini.google.com')).toMatchObject({ status: 'ok' });
  });
});

describe('incidents', () => {
  it(`fire site.broken once, end after ${healthyToRecover} healthy visits in a row with site.recovered, and can open again`, async () => {
    const s = await setup();
    const subscribe = async (events: string[]) => (await s.call(s.admin, 'POST', '/v1/webhooks', { url: 'https://hooks.example.com/x', events })).json();
    await subscribe(['site.broken', 'site.recovered']);
    await subscribe(['feedback.negative']);
    const otherAdmin = (await s.token('admin', { workspaceId: 'other' })).token;
    await s.call(otherAdmin, 'POST', '/v1/webhooks', { url: 'https://hooks.example.com/other', events: ['site.broken'] });

    await sendSpread(s, minVisits, ['a', 'b']);
    // More bad visits while it is open raise nothing more.
    await sendSpread(s, 3, ['a', 'c']);
    const since = (await s.site()).brokenSince;
    let events = await s.deliveries();
    expect(events).toEqual([
      {
        event: 'site.broken',
        data: {
          site: 'chatgpt.com',
          incidentId: expect.any(String),
          brokenSince: since,
          reason: 'no_answers',
          figures: { visits: minVisits, clients: 2, answersShare: 0, promptShare: null },
        },
      },
    ]);

    // Healthy visits one short of recovery, then a bad one: the streak starts again.
    for (let i = 0; i < healthyToRecover - 1; i++) await s.send('a', [siteVisit()]);
    await s.send('b', [noAnswersVisit()]);
    for (let i = 0; i < healthyToRecover - 1; i++) await s.send('a', [siteVisit()]);
    expect((await s.site()).status).toBe('broken');
    // Neutral visits (nothing on the page) neither count nor reset.
    await s.send('a', [siteVisit({ answers: 0, userTurns: 0, prompt: false })]);
    await s.send('b', [siteVisit()]);
    expect(await s.site()).toMatchObject({ status: 'ok', brokenSince: null, reason: null });
    events = await s.deliveries();
    expect(events.map((e) => e.event)).toEqual(['site.broken', 'site.recovered']);
    expect(events[1]!.data).toMatchObject({ site: 'chatgpt.com', incidentId: events[0]!.data.incidentId, brokenSince: since, reason: 'no_answers', recoveredAt: expect.any(String) });

    // The bad visits that opened the first incident do not open a second one…
    await s.send('a', [noAnswersVisit()]);
    expect((await s.site()).status).toBe('ok');
    // …new ones do, once.
    await sendSpread(s, minVisits - 1, ['b', 'c']);
    await sendSpread(s, 2, ['a', 'b']);
    expect((await s.site()).status).toBe('broken');
    events = await s.deliveries();
    expect(events.map((e) => e.event)).toEqual(['site.broken', 'site.recovered', 'site.broken']);
    expect(events[2]!.data.incidentId).not.toBe(events[0]!.data.incidentId);

    const incidents = await withHealth(s.store.db).selectFrom('site_incidents').selectAll().orderBy('id').execute();
    expect(incidents.map((i) => [i.workspace_id, i.ended_at === null])).toEqual([
      ['default', false],
      ['default', true],
    ]);
  });

  it('ignore healthy visits made before the incident opened (a client syncing late)', async () => {
    const s = await setup();
    const before = Date.now() - HOUR;
    await sendSpread(s, minVisits, ['a', 'b']);
    await s.send('late', visitsBefore(healthyToRecover, (at) => siteVisit({ at }), before));
    expect((await s.site()).status).toBe('broken');
    const incidents = await withHealth(s.store.db).selectFrom('site_incidents').select(['ended_at', 'healthy_streak']).execute();
    expect(incidents).toEqual([{ ended_at: null, healthy_streak: 0 }]);
  });

  it('are delivered signed by the webhook worker', async () => {
    const s = await setup();
    const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise((r) => server.close(r)));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const { secret } = await (await s.call(s.admin, 'POST', '/v1/webhooks', { url, events: ['site.broken'] })).json();

    await sendSpread(s, minVisits, ['a', 'b']);
    const worker = startWebhookWorker(s.store.db, { pollMs: 60_000, addresses: { allowPrivate: true, allowedHosts: [] } });
    cleanup.push(() => worker.stop());
    expect(await worker.runOnce()).toBe(1);
    expect(received).toHaveLength(1);
    expect(received[0]!.headers['x-groundtruth-event']).toBe('site.broken');
    expect(verifySignature(received[0]!.headers['x-groundtruth-signature'] as string, received[0]!.body, secret).ok).toBe(true);
    expect(JSON.parse(received[0]!.body)).toMatchObject({ type: 'site.broken', workspaceId: 'default', data: { site: 'chatgpt.com', reason: 'no_answers' } });
  });
});
