/**
 * The dashboard's feedback and export pages take the filters of every list (shared/filters.ts):
 * a form field per filter, the same meaning as the API, and an unknown query parameter is a 400
 * error page naming it (a misspelt filter in a bookmark never shows everything as if filtered).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { FILTER_PARAMS } from '../../shared/filters.ts';
import { createTestApp } from '../../test/helpers/app.ts';
import { seedRatings } from '../../test/helpers/ratings.ts';

let t: Awaited<ReturnType<typeof createTestApp>>;
let cookie: string;
const today = new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  t = await createTestApp();
  const analyst = (await t.token('analyst', { workspaceId: 'default' })).token;
  await seedRatings(t.store, 'default', [
    { rater: 'ann', model: 'gpt-5', thumb: 'up', prompt: 'plain question', output: 'o1', day: today },
    { rater: 'ann', model: 'gpt-5', thumb: 'down', correction: 'the right answer', prompt: 'corrected question', output: 'o2', day: today },
    { rater: 'bob', model: 'claude-4', stars: 2, label: 'bug', prompt: 'starred question', output: 'o3', day: today },
  ]);
  const res = await t.app.request('/dashboard/sign-in', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://localhost' },
    body: new URLSearchParams({ token: analyst }).toString(),
  });
  expect(res.status).toBe(303);
  cookie = (res.headers.get('Set-Cookie') ?? '').split(';')[0]!;
});

const get = (path: string) => t.app.request(path, { headers: { Cookie: cookie } });

describe('dashboard filters', () => {
  it.each(['/dashboard/feedback', '/dashboard/exports'])('%s has a form field for every filter', async (page) => {
    const html = await (await get(page)).text();
    for (const p of FILTER_PARAMS) expect(html, p).toMatch(new RegExp(`name="${p}"`));
  });

  it.each(['/dashboard/feedback?modle=gpt-5', '/dashboard/exports?format=jsonl&window=all&conversationID=c1&count=1'])(
    '%s: an unknown parameter is a 400 page naming it',
    async (path) => {
      const res = await get(path);
      expect(res.status).toBe(400);
      const html = await res.text();
      const name = path.includes('modle') ? 'modle' : 'conversationID';
      expect(html).toContain(`Unknown query parameter: ${name}`);
      expect(html).toContain('hasCorrection'); // what the page accepts
    },
  );

  it('a malformed value or a conflicting window is a 422 page, not dropped', async () => {
    expect((await get('/dashboard/feedback?minStars=9')).status).toBe(422);
    expect((await get('/dashboard/feedback?sort=sideways')).status).toBe(422);
    const res = await get(`/dashboard/exports?format=jsonl&window=30&since=${today}&count=1`);
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('since cannot be combined with days');
    // Empty form fields count as absent, as a submitted form sends them.
    expect((await get('/dashboard/feedback?model=&minStars=&hasCorrection=&since=')).status).toBe(200);
  });

  it('the browser filters as the API does (hasCorrection, label), and keeps them on the next page link', async () => {
    const corrected = await (await get('/dashboard/feedback?hasCorrection=true')).text();
    expect(corrected).toContain('corrected question');
    expect(corrected).not.toContain('plain question');
    expect(corrected).toMatch(/<option value="true" selected="">yes<\/option>/);
    const labelled = await (await get('/dashboard/feedback?label=bug&sort=lowest')).text();
    expect(labelled).toContain('starred question');
    expect(labelled).not.toContain('corrected question');
  });

  it('the export page counts with the same filters and links the API download with them', async () => {
    const html = await (await get('/dashboard/exports?format=jsonl&window=all&hasCorrection=false&model=gpt-5&count=1')).text();
    expect(html).toContain('data-gt="export-matching">1 records match.');
    const href = /href="(\/dashboard\/exports\/download\/jsonl[^"]*)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
    expect(href).toContain('hasCorrection=false');
    const dl = await get(href!);
    expect(dl.status).toBe(200);
    expect((await dl.text()).trim().split('\n')).toHaveLength(1);
    // A download link edited by hand with an unknown parameter is refused by the API, named.
    const bad = await get('/dashboard/exports/download/jsonl?all=true&modle=x');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('modle');
  });
});
