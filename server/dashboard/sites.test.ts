/** The dashboard's Sites page through app.request: figures per site and day, the broken badge, names from clients escaped. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEALTH_RULE } from '../../shared/site-health.ts';
import { createTestApp } from '../../test/helpers/app.ts';
import { noAnswersVisit, siteVisit, syncVisits } from '../../test/helpers/site-visits.ts';
import { dayOf } from '../insights/days.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const HOSTILE_LAYOUT = '<img src=x onerror=alert(1)>';
const HOSTILE_SITE = '<script>alert("site")</script>';

let t: TestApp;
let tokens: { analyst: string; rater: string };
beforeAll(async () => {
  t = await createTestApp();
  tokens = { analyst: (await t.token('analyst')).token, rater: (await t.token('rater')).token };
  const send = async (clientId: string, health: unknown[]) => expect((await syncVisits(t.call, tokens.rater, clientId, health)).status).toBe(200);
  await send('c1', [siteVisit({ site: 'claude.ai', adapter: 'claude' }), siteVisit({ site: 'claude.ai', adapter: 'claude', layout: HOSTILE_LAYOUT, prompt: false })]);
  await send('c1', [siteVisit({ site: HOSTILE_SITE, adapter: 'custom' })]);
  for (let i = 0; i < HEALTH_RULE.minVisits; i++) await send(`c${i % HEALTH_RULE.minClients}`, [noAnswersVisit()]);
});
afterAll(async () => {
  await t.store.close();
});

async function signIn(token: string): Promise<string> {
  const res = await t.app.request('/dashboard/sign-in', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://localhost' },
    body: new URLSearchParams({ token }).toString(),
  });
  expect(res.status).toBe(303);
  return (res.headers.get('Set-Cookie') ?? '').split(';')[0]!;
}

describe('dashboard Sites page', () => {
  it('shows each site with its status and per-day figures, broken first', async () => {
    const cookie = await signIn(tokens.analyst);
    const res = await t.app.request('/dashboard/sites', { headers: { Cookie: cookie } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('href="/dashboard/sites"'); // in the navigation
    expect(html).toContain(`broken since ${dayOf(new Date())}`);
    expect(html.indexOf('chatgpt.com')).toBeLessThan(html.indexOf('claude.ai'));
    const claude = html.slice(html.indexOf('data-site="claude.ai"'));
    expect(claude).toMatch(/healthy/);
    expect(claude).toMatch(/<td class="n">2<\/td>/); // visits
    expect(claude).toMatch(/<td class="n">50 %<\/td>/); // with prompt
  });

  it('escapes site and layout names that came from clients', async () => {
    const cookie = await signIn(tokens.analyst);
    const html = await (await t.app.request('/dashboard/sites?days=30', { headers: { Cookie: cookie } })).text();
    expect(html).not.toContain(HOSTILE_LAYOUT);
    expect(html).not.toContain(HOSTILE_SITE);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;script&gt;alert(&quot;site&quot;)&lt;/script&gt;');
  });

  it('is not for raters', async () => {
    const res = await t.app.request('/dashboard/sign-in', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://localhost' },
      body: new URLSearchParams({ token: tokens.rater }).toString(),
    });
    // Raters are refused at sign-in, or (with a rater area of their own) at this page.
    if (res.status !== 303) return expect(res.status).toBe(403);
    const cookie = (res.headers.get('Set-Cookie') ?? '').split(';')[0]!;
    expect((await t.app.request('/dashboard/sites', { headers: { Cookie: cookie } })).status).toBe(403);
  });
});
