/**
 * /dashboard/extension through app.request: analysts read, admins publish a site's selector pack
 * from its form (version up, the rest of the config kept), invalid selectors are shown and
 * nothing is stored, hostile text is escaped, CSRF and roles as on every dashboard form.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/helpers/app.ts';
import { BUILTIN_SITE_IDS } from '../../shared/sites.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const ORIGIN = 'http://localhost';
const HOSTILE = `<img src=x onerror="document.title='pwned'" id="gt-injected">`;

let t: TestApp;
let admin: { token: string; id: string };
let analyst: string;

beforeEach(async () => {
  t = await createTestApp();
  const a = await t.token('admin', { name: 'Ada Admin' });
  admin = { token: a.token, id: a.info.id };
  analyst = (await t.token('analyst', { name: 'Ana Analyst' })).token;
  return () => t.store.close();
});

function form(data: Record<string, string>, cookie?: string) {
  return {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: ORIGIN, ...(cookie ? { Cookie: cookie } : {}) },
    body: new URLSearchParams(data).toString(),
  };
}

async function signIn(token: string): Promise<{ cookie: string; csrf: string }> {
  const res = await t.app.request('/dashboard/sign-in', form({ token }));
  expect(res.status).toBe(303);
  const cookie = (res.headers.get('Set-Cookie') ?? '').split(';')[0]!;
  const page = await t.app.request('/dashboard/extension', { headers: { Cookie: cookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  expect(csrf).not.toBe('');
  return { cookie, csrf };
}

const page = async (cookie: string) => {
  const res = await t.app.request('/dashboard/extension', { headers: { Cookie: cookie } });
  expect(res.status).toBe(200);
  return res.text();
};
const apiConfig = async () => (await t.call(admin.token, 'GET', '/v1/extension-config')).json();
const versionShown = (html: string) => /data-gt="config-version">(\d+)/.exec(html)?.[1];
const publish = (s: { cookie: string; csrf: string }, site: string, fields: Record<string, string>, version = '0') =>
  t.app.request(`/dashboard/extension/${site}`, form({ _csrf: s.csrf, version, ...fields }, s.cookie));

describe('/dashboard/extension', () => {
  it('an admin publishes a pack from the form: the version goes up, other sites and rules are kept', async () => {
    const rule = { id: 'airflow', urlPattern: 'https://airflow.example.com/*', outputSelector: '.ai-analysis' };
    await t.call(admin.token, 'PUT', '/v1/extension-config', { rules: [rule], disabledAdapters: ['meta'], selectorPacks: { claude: { prompt: ['.user-turn'] } } });
    const s = await signIn(admin.token);
    const before = await page(s.cookie);
    expect(versionShown(before)).toBe('1');
    for (const site of BUILTIN_SITE_IDS) expect(before).toContain(`data-gt="pack-form-${site}"`);
    expect(before).toContain('href="/dashboard/extension"');

    const res = await publish(s, 'chatgpt', { answer: 'div[data-message-author-role="assistant"]\n\n  article:has(.markdown)  \n', stopButton: 'button[data-testid="stop-button"]', conversationUrlPattern: '^/c/([\\w-]+)' }, '1');
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toBe('/dashboard/extension?published=2#site-chatgpt');

    const config = await apiConfig();
    expect(config.version).toBe(2);
    expect(config.config).toEqual({
      rules: [rule],
      disabledAdapters: ['meta'],
      selectorPacks: {
        claude: { prompt: ['.user-turn'] },
        chatgpt: { answer: ['div[data-message-author-role="assistant"]', 'article:has(.markdown)'], stopButton: ['button[data-testid="stop-button"]'], conversationUrlPattern: '^/c/([\\w-]+)' },
      },
      criteria: [],
    });
    const after = await (await t.app.request('/dashboard/extension?published=2', { headers: { Cookie: s.cookie } })).text();
    expect(versionShown(after)).toBe('2');
    expect(after).toContain('Published version 2.');
    expect(after).toContain('<code>article:has(.markdown)</code>');
    expect(after).toContain('Publish as version 3');
    // The sync answer tells extensions to fetch it.
    const sync = await (await t.call(admin.token, 'POST', '/v1/sync', { clientId: 'c', mutations: [] })).json();
    expect(sync.configVersion).toBe(2);

    // Emptying every field removes the pack; the history lists both publishes by name.
    expect((await publish(s, 'chatgpt', {}, '2')).status).toBe(303);
    expect(Object.keys((await apiConfig()).config.selectorPacks)).toEqual(['claude']);
    const history = await page(s.cookie);
    expect(history).toMatch(/data-gt="config-versions"[\s\S]*Ada Admin/);
  });

  it('an invalid selector is shown with its line, and nothing is published', async () => {
    const s = await signIn(admin.token);
    const res = await publish(s, 'gemini', { answer: 'message-content\ndiv[', prompt: 'div > > a' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('Not published: the gemini pack has problems.');
    expect(html).toContain('Answer, line 2: not a valid CSS selector: Expected attribute name');
    expect(html).toContain('Prompt, line 1: not a valid CSS selector:');
    // The form comes back open with what was typed.
    expect(html).toMatch(/<details open[^>]*>\s*<summary>Edit this pack<\/summary>\s*<form[^>]*data-gt="pack-form-gemini"/);
    expect(html).toContain('message-content\ndiv[</textarea>');
    expect((await apiConfig()).version).toBe(0);
    expect(versionShown(await page(s.cookie))).toBe('0');

    const badPattern = await publish(s, 'gemini', { conversationUrlPattern: '^/app/(' });
    expect(badPattern.status).toBe(422);
    expect(await badPattern.text()).toContain('Conversation URL pattern: must be a valid regular expression');
    expect((await apiConfig()).version).toBe(0);
  });

  it('hostile text in a selector is escaped, in the pack, the form and the errors', async () => {
    const s = await signIn(admin.token);
    // Valid CSS (an attribute value may hold anything): published, then shown as text.
    const valid = `div[title="${HOSTILE.replace(/"/g, "'")}"]`;
    expect((await publish(s, 'claude', { answer: valid })).status).toBe(303);
    const html = await page(s.cookie);
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x');
    // Not CSS at all: refused, and the error and the form show it as text.
    const refused = await publish(s, 'claude', { answer: HOSTILE, model: '</textarea><script>alert(1)</script>' }, '1');
    expect(refused.status).toBe(422);
    const errorPage = await refused.text();
    expect(errorPage).not.toContain('<img src=x');
    expect(errorPage).not.toContain('<script>alert(1)');
    expect(errorPage).toContain('&lt;/textarea&gt;&lt;script&gt;');
    expect((await apiConfig()).version).toBe(1);
  });

  it('analysts read without forms and cannot publish; stale, cross-site and CSRF-less posts are refused', async () => {
    await t.call(admin.token, 'PUT', '/v1/extension-config', { selectorPacks: { perplexity: { answer: ['.prose'] } } });
    const a = await signIn(analyst);
    const html = await page(a.cookie);
    expect(html).toContain('<code>.prose</code>');
    expect(html).not.toContain('data-gt="pack-form-');
    expect(html).toContain('Only admins can publish.');
    expect((await publish(a, 'perplexity', { answer: '.x' }, '1')).status).toBe(403);

    const s = await signIn(admin.token);
    expect((await t.app.request('/dashboard/extension/chatgpt', form({ version: '1', answer: '.x' }, s.cookie))).status).toBe(403);
    const crossSite = await t.app.request('/dashboard/extension/chatgpt', {
      ...form({ _csrf: s.csrf, version: '1', answer: '.x' }, s.cookie),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'https://evil.example', Cookie: s.cookie },
    });
    expect(crossSite.status).toBe(403);
    expect((await publish(s, 'not-a-site', { answer: '.x' }, '1')).status).toBe(404);

    // Someone published since the page was opened (version 0 → 1): refused, the typed text kept.
    const stale = await publish(s, 'chatgpt', { answer: '.mine' }, '0');
    expect(stale.status).toBe(409);
    const staleHtml = await stale.text();
    expect(staleHtml).toContain('Someone published version 1 since you opened this page.');
    expect(staleHtml).toContain('.mine</textarea>');
    const config = await apiConfig();
    expect(config.version).toBe(1);
    expect(config.config.selectorPacks).toEqual({ perplexity: { answer: ['.prose'] } });
  });
});
