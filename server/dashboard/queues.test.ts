/**
 * Review queues in the dashboard (issue 16), through app.request: a rater signs in to the rater
 * area only; an analyst makes a queue from a filter with the form and sees its progress; a rater
 * claims with "Review next" and reviews through the pages (a rating per criterion, carrying
 * queueId), blind until they submit; the agreement page and its adjudication form; the rater's own
 * ratings; hostile text escaped; the forms refused without the session's CSRF field or from
 * another origin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILTER_PARAMS } from '../../shared/filters.ts';
import { createTestApp, makeFeedback } from '../../test/helpers/app.ts';
import { resetClock, setClock } from '../lib/clock.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const ORIGIN = 'http://localhost';
const HOSTILE = '<script>alert("gt")</script><img src=x onerror=alert(2)>';
const VERDICT = 'SECRET-VERDICT-category';
const T0 = Date.parse('2026-03-01T10:00:00Z');

let t: TestApp;
const tokens: Record<string, string> = {};
const sessions: Record<string, { cookie: string; csrf: string }> = {};

async function signIn(token: string) {
  const res = await t.app.request('/dashboard/sign-in', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: ORIGIN },
    body: new URLSearchParams({ token }).toString(),
  });
  expect(res.status).toBe(303);
  const cookie = (res.headers.get('Set-Cookie') ?? '').split(';')[0]!;
  const page = await t.app.request('/dashboard/queues', { headers: { Cookie: cookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  expect(csrf).not.toBe('');
  return { res, cookie, csrf };
}

const get = (who: string, path: string) => t.app.request(path, { headers: { Cookie: sessions[who]!.cookie } });
function post(who: string, path: string, data: [string, string][] | Record<string, string>, opts: { csrf?: boolean; origin?: string } = {}) {
  const body = new URLSearchParams(Array.isArray(data) ? data : Object.entries(data));
  if (opts.csrf !== false) body.set('_csrf', sessions[who]!.csrf);
  return t.app.request(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: opts.origin ?? ORIGIN, Cookie: sessions[who]!.cookie },
    body: body.toString(),
  });
}
const location = (res: Response) => res.headers.get('Location') ?? '';

let queueId = '';

beforeAll(async () => {
  t = await createTestApp();
  setClock(T0);
  tokens.analyst = (await t.token('analyst', { raterId: 'ana', name: 'Ana' })).token;
  tokens.alice = (await t.token('rater', { raterId: 'alice', name: 'Alice' })).token;
  tokens.bob = (await t.token('rater', { raterId: 'bob', name: 'Bob' })).token;
  tokens.carol = (await t.token('rater', { raterId: 'carol', name: 'Carol' })).token;
  const program = (await t.token('analyst', { raterId: 'program', name: 'program' })).token;
  // Three gpt-5 answers rated down (one with a hostile prompt, each with the AI's verdict in its
  // context), one rated up and one of another model: the filter takes the first three.
  const records = [
    makeFeedback({ target: { kind: 'chat_response', key: 'chat:a', site: 'chatgpt', model: 'gpt-5', subject: 'service:billing', prompt: HOSTILE, output: `answer ${HOSTILE}`, context: { prediction: { category: VERDICT } } }, rating: { thumb: 'down' } }),
    makeFeedback({ target: { kind: 'chat_response', key: 'chat:b', site: 'chatgpt', model: 'gpt-5', prompt: 'What is 2+2?', output: '5', context: { prediction: { category: VERDICT } } }, rating: { thumb: 'down' } }),
    makeFeedback({ target: { kind: 'chat_response', key: 'chat:c', site: 'chatgpt', model: 'gpt-5', prompt: 'Capital of France?', output: 'Lyon', context: { prediction: { category: VERDICT } } }, rating: { thumb: 'down' } }),
    makeFeedback({ target: { kind: 'chat_response', key: 'chat:d', site: 'chatgpt', model: 'gpt-5', prompt: 'ok', output: 'ok' }, rating: { thumb: 'up' } }),
    makeFeedback({ target: { kind: 'chat_response', key: 'chat:e', site: 'claude', model: 'claude-4', prompt: 'x', output: 'y' }, rating: { thumb: 'down' } }),
  ];
  for (const f of records) expect((await t.call(program, 'POST', '/v1/feedback', f)).status).toBeLessThan(300);
  for (const who of ['analyst', 'alice', 'bob', 'carol']) {
    const s = await signIn(tokens[who]!);
    sessions[who] = { cookie: s.cookie, csrf: s.csrf };
  }
});
afterAll(async () => {
  resetClock();
  await t.store.close();
});

describe('the rater area', () => {
  it('a rater signs in to their queues; the navigation holds only the rater area', async () => {
    const { res } = await signIn(tokens.alice!);
    expect(location(res)).toBe('/dashboard/queues');
    const html = await (await get('alice', '/dashboard/queues')).text();
    expect(html).toContain('<h1>Your queues</h1>');
    const nav = /<nav aria-label="Dashboard">([\s\S]*?)<\/nav>/.exec(html)?.[1] ?? '';
    expect([...nav.matchAll(/href="([^"]+)"/g)].map((m) => m[1])).toEqual(['/dashboard/queues', '/dashboard/my-ratings', '/dashboard/connect']);
    expect(html).not.toContain('role="search"');
    expect((await get('alice', '/dashboard')).status).toBe(403);
    expect((await get('alice', '/dashboard/queues/new')).status).toBe(403);
    // An analyst's navigation has Queues and Connect a browser too, but not "My ratings".
    const analyst = await (await get('analyst', '/dashboard/queues')).text();
    expect(analyst).toContain('href="/dashboard/queues"');
    expect(analyst).toContain('href="/dashboard/connect"');
    expect(analyst).not.toContain('href="/dashboard/my-ratings"');
  });
});

describe('making a queue (analysts)', () => {
  it('the form has a field for every shared filter', async () => {
    const html = await (await get('analyst', '/dashboard/queues/new')).text();
    for (const p of FILTER_PARAMS) expect(html, p).toMatch(new RegExp(`name="${p}"`));
    for (const f of ['name', 'reviewersPerItem', 'blind', 'criteria', 'assignees', 'due', 'days', 'itemKeys']) expect(html, f).toMatch(new RegExp(`name="${f}"`));
    expect(html).toContain('value="alice"');
  });

  it('refuses a form without a name or with nothing to review, and keeps what was typed', async () => {
    const noName = await post('analyst', '/dashboard/queues', { name: '', model: 'gpt-5' });
    expect(noName.status).toBe(422);
    expect(await noName.text()).toContain('Not made: name');
    const empty = await post('analyst', '/dashboard/queues', { name: 'nothing', model: 'no-such-model' });
    expect(empty.status).toBe(422);
    const html = await empty.text();
    expect(html).toContain('No live feedback matches');
    expect(html).toContain('value="no-such-model"');
  });

  it('a rater may not make one, even with the CSRF field', async () => {
    expect((await post('alice', '/dashboard/queues', { name: 'mine', model: 'gpt-5' })).status).toBe(403);
  });

  it('makes a queue from a filter and shows its progress', async () => {
    const res = await post('analyst', '/dashboard/queues', [
      ['name', `Down-rated gpt-5 ${HOSTILE}`],
      ['model', 'gpt-5'],
      ['thumb', 'down'],
      ['reviewersPerItem', '2'],
      ['blind', 'on'],
      ['criteria', 'overall, correctness'],
      ['assignees', 'alice'],
      ['assignees', 'bob'],
      ['due', '2026-03-10'],
    ]);
    expect(res.status, await res.clone().text()).toBe(303);
    const m = /^\/dashboard\/queues\/([^/?]+)\?made=1$/.exec(location(res));
    expect(m).not.toBeNull();
    queueId = decodeURIComponent(m![1]!);
    const api = await (await t.call(tokens.analyst!, 'GET', `/v1/queues/${queueId}`)).json();
    expect(api).toMatchObject({
      blind: true,
      reviewersPerItem: 2,
      criteria: ['overall', 'correctness'],
      assignees: ['alice', 'bob'],
      due: '2026-03-10T23:59:59.000Z',
      filter: { model: 'gpt-5', thumb: 'down' },
      progress: { items: 3, reviewsNeeded: 6, reviewsDone: 0 },
    });
    const html = await (await get('analyst', `/dashboard/queues/${queueId}?made=1`)).text();
    expect(html).toContain('Queue made: 3 items.');
    expect(html).toContain('0 of 6 reviews');
    expect(html).toContain('data-gt="per-assignee"');
    expect(html).toContain('Alice');
    expect(html).toContain(`href="/dashboard/queues/${queueId}/agreement"`);
    // The name is escaped on the queue page and in the list.
    expect(html).not.toContain('<script>alert("gt")');
    expect(html).toContain('&lt;script&gt;');
    const list = await (await get('analyst', '/dashboard/queues')).text();
    expect(list).toContain('&lt;script&gt;');
    expect(list).not.toContain('<script>alert("gt")');
  });
});

describe('reviewing (raters)', () => {
  it('lists the queue with N to review and the due date; not to a rater outside its assignees', async () => {
    const html = await (await get('alice', '/dashboard/queues')).text();
    expect(html).toContain('3 to review');
    expect(html).toContain('2026-03-10 23:59 UTC');
    const carol = await (await get('carol', '/dashboard/queues')).text();
    expect(carol).not.toContain(queueId);
    expect((await get('carol', `/dashboard/queues/${queueId}`)).status).toBe(404);
    expect((await post('carol', `/dashboard/queues/${queueId}/claims`, {})).status).toBe(404);
    expect((await get('carol', `/dashboard/queues/${queueId}/items/0`)).status).toBe(404);
    // Bob has claimed nothing: an item he was not given is not his to open.
    expect((await get('bob', `/dashboard/queues/${queueId}/items/0`)).status).toBe(403);
  });

  it('Review next claims an item; the page hides the verdict until the review is in, escapes the prompt, documents the keys', async () => {
    const page = await (await get('alice', `/dashboard/queues/${queueId}`)).text();
    expect(page).toContain('data-key="next"');
    expect(page).toContain('data-gt="queue-keys"');
    const res = await post('alice', `/dashboard/queues/${queueId}/claims`, {});
    expect(res.status).toBe(303);
    expect(location(res)).toBe(`/dashboard/queues/${queueId}/items/0`);
    const html = await (await get('alice', location(res))).text();
    expect(html).toContain('data-gt="queue-review-form"');
    expect(html).toContain('data-criterion="overall"');
    expect(html).toContain('data-criterion="correctness"');
    expect(html).toContain('data-gt="blinded"');
    expect(html).not.toContain(VERDICT);
    expect(html).toContain('service:billing');
    expect(html).not.toContain('href="/dashboard/subjects/');
    expect(html).not.toContain('<script>alert("gt")');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(&quot;gt&quot;)&lt;/script&gt;');
    for (const key of ['n or j', '1 – 5', 'u / d', 's or Ctrl+Enter']) expect(html).toContain(`<kbd>${key}</kbd>`);
    // The analyst sees the same item with its verdict.
    expect(await (await get('analyst', `/dashboard/queues/${queueId}/items/0`)).text()).toContain(VERDICT);
  });

  it('a review needs every criterion; submitted, it is feedback with queueId per criterion, and the next item opens', async () => {
    const item = `/dashboard/queues/${queueId}/items/0`;
    const half = await post('alice', item, { 'rating.overall': '4' });
    expect(location(half)).toBe(`${item}?error=rating`);
    const res = await post('alice', item, { 'rating.overall': '4', 'rating.correctness': 'down', comment: `so-so ${HOSTILE}` });
    expect(res.status).toBe(303);
    expect(location(res)).toBe(`/dashboard/queues/${queueId}/items/1?saved=0`);
    const list = await (await t.call(tokens.analyst!, 'GET', `/v1/feedback?queue=${queueId}`)).json();
    const mine = (list.items as { raterId: string; criterion?: string; rating: unknown; queueId?: string; target: { key: string; context?: unknown } }[]).filter((f) => f.raterId === 'alice');
    expect(mine.map((f) => [f.criterion, f.rating, f.queueId, f.target.key]).sort()).toEqual([
      ['correctness', { thumb: 'down' }, queueId, 'chat:a'],
      ['overall', { stars: 4 }, queueId, 'chat:a'],
    ]);
    // The review's target carries no verdict either.
    expect(JSON.stringify(mine)).not.toContain(VERDICT);
    // Reviewed: the item shows the verdict now, beside her own ratings; the next one does not.
    const done = await (await get('alice', item)).text();
    expect(done).toContain('You reviewed this item');
    expect(done).toContain(VERDICT);
    expect(done).not.toContain('data-gt="queue-review-form"');
    const next = await (await get('alice', `/dashboard/queues/${queueId}/items/1?saved=0`)).text();
    expect(next).toContain('data-gt="last-reviewed"');
    expect(next).not.toContain(VERDICT);
    expect(await (await get('alice', `/dashboard/queues/${queueId}`)).text()).toContain('2 to review');
    const analyst = await (await get('analyst', `/dashboard/queues/${queueId}`)).text();
    expect(analyst).toContain('1 of 6 reviews');
  });

  it('when nothing is left, Review next says so', async () => {
    for (const pos of [1, 2]) {
      const res = await post('alice', `/dashboard/queues/${queueId}/items/${pos}`, { 'rating.overall': String(pos + 1), 'rating.correctness': 'up' });
      expect(res.status).toBe(303);
    }
    const res = await post('alice', `/dashboard/queues/${queueId}/claims`, {});
    expect(location(res)).toBe(`/dashboard/queues/${queueId}?done=1`);
    expect(await (await get('alice', location(res))).text()).toContain('Nothing is left for you');
  });

  it('my ratings lists only the rater’s own ratings, with their criteria', async () => {
    const html = await (await get('alice', '/dashboard/my-ratings')).text();
    expect(html).toContain('data-gt="feedback-table"');
    expect((html.match(/<tr data-id=/g) ?? []).length).toBe(6);
    expect(html).toContain('correctness');
    expect(html).toContain('service:billing');
    // No link a rater would follow into a 403: neither the record nor the subject pages.
    expect(html).not.toContain('href="/dashboard/feedback/');
    expect(html).not.toContain('href="/dashboard/subjects/');
    expect((await get('alice', '/dashboard/my-ratings?rater=bob')).status).toBe(400);
    const bob = await (await get('bob', '/dashboard/my-ratings')).text();
    expect(bob).toContain('You have no ratings');
  });
});

describe('a lease that ran out', () => {
  it('refuses the late review, says so on the page, and Review next gives an item again', async () => {
    const made = await t.call(tokens.analyst!, 'POST', '/v1/queues', { name: 'lease', filter: { model: 'gpt-5', thumb: 'up' }, assignees: ['bob'] });
    expect(made.status).toBe(201);
    const id = ((await made.json()) as { id: string }).id;
    const item = `/dashboard/queues/${id}/items/0`;
    expect(location(await post('bob', `/dashboard/queues/${id}/claims`, {}))).toBe(item);
    try {
      setClock(T0 + 601_000);
      expect(location(await post('bob', item, { 'rating.overall': 'up' }))).toBe(`${item}?error=lease`);
      const html = await (await get('bob', `${item}?error=lease`)).text();
      expect(html).toContain('your hold on this item ended');
      expect(html).not.toContain('data-gt="queue-review-form"');
      // (Items he never held come first: store/queues.ts claimNext.)
      const again = location(await post('bob', `/dashboard/queues/${id}/claims`, {}));
      expect(again).toMatch(new RegExp(`^/dashboard/queues/${id}/items/\\d+$`));
      expect(await (await get('bob', again)).text()).toContain('data-gt="queue-review-form"');
    } finally {
      setClock(T0);
    }
  });
});

describe('a blind queue of registered items', () => {
  it('is made from item keys; the item page shows the analysis only once the rater has submitted', async () => {
    const pipeline = (await t.token('rater', { raterId: 'pipeline', name: 'pipeline' })).token;
    const reasoning = 'PREDICTED-REASONING the warehouse timed out';
    const items = await t.call(pipeline, 'POST', '/v1/items', {
      items: [{ key: 'err-1', kind: 'error_analysis', model: 'dagnostics-7b', input: `log ${HOSTILE}`, output: 'The load failed.', prediction: { category: 'timeout_error', reasoning } }],
    });
    expect(items.status).toBe(200);
    const made = await post('analyst', '/dashboard/queues', { name: 'errors', itemKeys: 'err-1\n', blind: 'on', assignees: 'carol' });
    expect(made.status, await made.clone().text()).toBe(303);
    const id = decodeURIComponent(/^\/dashboard\/queues\/([^/?]+)/.exec(location(made))![1]!);
    const claim = await post('carol', `/dashboard/queues/${id}/claims`, {});
    expect(location(claim)).toBe(`/dashboard/queues/${id}/items/0`);
    const page = await (await get('carol', location(claim))).text();
    expect(page).toContain('data-gt="review-context"');
    expect(page).toContain('data-gt="blinded"');
    expect(page).not.toContain('PREDICTED-REASONING');
    expect(page).not.toContain('<script>alert("gt")');
    expect(page).toContain('data-criterion="overall"');
    const res = await post('carol', location(claim), { 'rating.overall': 'up' });
    expect(location(res)).toBe(`/dashboard/queues/${id}?done=1`);
    const after = await (await get('carol', `/dashboard/queues/${id}/items/0`)).text();
    // The queue is complete (one reviewer per item): nothing is blind any more.
    expect(after).toContain('PREDICTED-REASONING');
    expect(after).toContain('You reviewed this item');
  });
});

describe('agreement (analysts)', () => {
  it('shows the figures and the disputed items, and adjudicates one from its form', async () => {
    // Bob disagrees with Alice on the first item's overall stars (4 vs 1).
    expect(location(await post('bob', `/dashboard/queues/${queueId}/claims`, {}))).toBe(`/dashboard/queues/${queueId}/items/0`);
    for (const [pos, stars] of [[0, '1'], [1, '2'], [2, '3']] as const) {
      expect((await post('bob', `/dashboard/queues/${queueId}/items/${pos}`, { 'rating.overall': stars, 'rating.correctness': 'up' })).status).toBe(303);
    }
    expect((await get('alice', `/dashboard/queues/${queueId}/agreement`)).status).toBe(403);
    const html = await (await get('analyst', `/dashboard/queues/${queueId}/agreement`)).text();
    expect(html).toContain('data-gt="agreement-summary"');
    expect(html).toContain('data-gt="disputed"');
    expect(html).toContain('data-target="chat:a"');
    expect(html).toContain('fewer than 10');
    const res = await post('analyst', `/dashboard/queues/${queueId}/adjudications`, { targetKey: 'chat:a', criterion: 'overall', stars: '2', reason: `the answer is wrong ${HOSTILE}` });
    expect(res.status, await res.clone().text()).toBe(303);
    const after = await (await get('analyst', location(res))).text();
    expect(after).toContain('Adjudicated.');
    expect(after).toContain('data-gt="adjudication"');
    expect(after).toContain('the answer is wrong &lt;script&gt;');
    const api = await (await t.call(tokens.analyst!, 'GET', `/v1/queues/${queueId}/adjudications`)).json();
    expect(api.items).toMatchObject([{ targetKey: 'chat:a', criterion: 'overall', rating: { stars: 2 }, by: 'ana' }]);
    expect((await post('analyst', `/dashboard/queues/${queueId}/adjudications`, { targetKey: 'chat:a', criterion: 'overall', stars: '2', reason: '' })).status).toBe(422);
    expect((await post('alice', `/dashboard/queues/${queueId}/adjudications`, { targetKey: 'chat:a', criterion: 'overall', stars: '5', reason: 'mine' })).status).toBe(403);
  });
});

describe('the new forms are protected as the others', () => {
  it('refuses them without the session CSRF field and from another origin', async () => {
    const forms: [string, string, Record<string, string>][] = [
      ['analyst', '/dashboard/queues', { name: 'x', model: 'gpt-5' }],
      ['carol', `/dashboard/queues/${queueId}/claims`, {}],
      ['alice', `/dashboard/queues/${queueId}/items/0`, { 'rating.overall': '5', 'rating.correctness': 'up' }],
      ['analyst', `/dashboard/queues/${queueId}/adjudications`, { targetKey: 'chat:b', criterion: 'overall', stars: '3', reason: 'r' }],
    ];
    for (const [who, path, data] of forms) {
      expect((await post(who, path, data, { csrf: false })).status, `${path} without csrf`).toBe(403);
      expect((await post(who, path, data, { origin: 'https://evil.example' })).status, `${path} cross-site`).toBe(403);
    }
    // Nothing of that got through.
    const api = await (await t.call(tokens.analyst!, 'GET', `/v1/queues/${queueId}/adjudications`)).json();
    expect(api.items).toHaveLength(1);
  });
});
