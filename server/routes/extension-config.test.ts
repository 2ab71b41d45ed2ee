import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/helpers/app.ts';
import { BUILTIN_SITE_IDS } from '../../shared/sites.ts';
import { CAPABILITIES, PACK_LIMITS } from '../../shared/extension-config.ts';

const rule = { id: 'airflow', urlPattern: 'https://airflow.example.com/*', outputSelector: '.ai-analysis', kind: 'error_analysis' };
const chatgptPack = {
  answer: ['div[data-message-author-role="assistant"]', 'article:has(.markdown)'],
  answerText: ['.markdown'],
  stopButton: ['button[data-testid="stop-button"]'],
  conversationUrlPattern: '^/c/([\\w-]+)',
};

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const put = (t: TestApp, token: string, body: unknown) => t.call(token, 'PUT', '/v1/extension-config', body);

describe('/v1/extension-config', () => {
  it('is empty until an admin publishes, then every token of the workspace reads it', async () => {
    const t = await createTestApp();
    const admin = await t.token('admin', { name: 'ops admin' });
    const rater = await t.token('rater', { name: 'alice' });

    const empty = await t.call(rater.token, 'GET', '/v1/extension-config');
    expect(empty.status).toBe(200);
    expect(await empty.json()).toEqual({
      config: { rules: [], disabledAdapters: [], selectorPacks: {}, criteria: [] },
      updatedAt: null,
      version: 0,
      capabilities: [...CAPABILITIES],
      caller: { workspaceId: 'default', role: 'rater', name: 'alice' },
    });

    const published = await put(t, admin.token, { rules: [rule], disabledAdapters: ['gemini'] });
    expect(published.status).toBe(200);
    const body = await published.json();
    expect(body.config).toEqual({ rules: [rule], disabledAdapters: ['gemini'], selectorPacks: {}, criteria: [] });
    expect(body.version).toBe(1);
    expect(body.capabilities).toEqual(['packs', 'health', 'own-ratings', 'criteria', 'queues']);
    expect(typeof body.updatedAt).toBe('string');

    const read = await (await t.call(rater.token, 'GET', '/v1/extension-config')).json();
    // Fields the server does not know (kind, prompt selectors…) are kept for the extension to check.
    expect(read.config.rules[0]).toEqual(rule);
    expect(read.config.disabledAdapters).toEqual(['gemini']);
    expect(read.updatedAt).toBe(body.updatedAt);
    expect(read.version).toBe(1);

    // Replacing it wins, and it stays one row per workspace.
    await put(t, admin.token, { rules: [] });
    const again = await (await t.call(rater.token, 'GET', '/v1/extension-config')).json();
    expect(again.config).toEqual({ rules: [], disabledAdapters: [], selectorPacks: {}, criteria: [] });
    expect(again.version).toBe(2);
    await t.store.close();
  });

  it('is scoped to the workspace of the token', async () => {
    const t = await createTestApp();
    const adminA = await t.token('admin', { workspaceId: 'a' });
    const raterB = await t.token('rater', { workspaceId: 'b' });
    const adminB = await t.token('admin', { workspaceId: 'b' });
    await put(t, adminA.token, { rules: [rule], selectorPacks: { chatgpt: chatgptPack } });
    const b = await (await t.call(raterB.token, 'GET', '/v1/extension-config')).json();
    expect(b.config.rules).toEqual([]);
    expect(b.config.selectorPacks).toEqual({});
    expect(b.version).toBe(0);
    expect(b.caller.workspaceId).toBe('b');
    expect((await (await t.call(adminB.token, 'GET', '/v1/extension-config/versions')).json()).versions).toEqual([]);
    const sync = await (await t.call(raterB.token, 'POST', '/v1/sync', { clientId: 'c', mutations: [] })).json();
    expect(sync.configVersion).toBe(0);
    await t.store.close();
  });

  it('only admins publish; bad bodies are 400/422 with the field named; no token is 401', async () => {
    const t = await createTestApp();
    const admin = await t.token('admin');
    const analyst = await t.token('analyst');
    const rater = await t.token('rater');
    const forbidden = await put(t, analyst.token, { rules: [] });
    expect(forbidden.status).toBe(403);
    expect((await forbidden.json()).error.message).toMatch(/admin role/);
    const raterPut = await put(t, rater.token, { selectorPacks: { chatgpt: chatgptPack } });
    expect(raterPut.status).toBe(403);
    expect((await (await t.call(rater.token, 'GET', '/v1/extension-config')).json()).version).toBe(0);

    const bad = await put(t, admin.token, { rules: [{ id: 'x', urlPattern: '' }] });
    expect(bad.status).toBe(422);
    expect((await bad.json()).error.message).toMatch(/rules\.0\.(urlPattern|outputSelector)/);

    const malformed = await put(t, admin.token, '{"rules": [');
    expect(malformed.status).toBe(400);

    const anonymous = await t.app.request('/v1/extension-config');
    expect(anonymous.status).toBe(401);
    await t.store.close();
  });
});

describe('selector packs and versions', () => {
  it('round-trips packs, keeps every version, and the sync answer carries the current one', async () => {
    const t = await createTestApp();
    const admin = await t.token('admin', { name: 'ops admin' });
    const rater = await t.token('rater');
    const syncVersion = async () => {
      const res = await t.call(rater.token, 'POST', '/v1/sync', { clientId: 'laptop', mutations: [] });
      expect(res.status).toBe(200);
      return (await res.json()).configVersion;
    };
    expect(await syncVersion()).toBe(0);

    const first = await put(t, admin.token, { selectorPacks: { chatgpt: chatgptPack, claude: { prompt: ['[data-testid="user-message"]'] } } });
    expect(first.status).toBe(200);
    expect((await first.json()).version).toBe(1);
    expect(await syncVersion()).toBe(1);

    const read = await (await t.call(rater.token, 'GET', '/v1/extension-config')).json();
    expect(read.config.selectorPacks).toEqual({ chatgpt: chatgptPack, claude: { prompt: ['[data-testid="user-message"]'] } });
    expect(read.version).toBe(1);

    // Selectors are stored trimmed; the next publish replaces the packs and goes up by one.
    const second = await put(t, admin.token, { disabledAdapters: ['meta'], selectorPacks: { gemini: { answer: ['  message-content  '] } } });
    expect((await second.json()).version).toBe(2);
    expect(await syncVersion()).toBe(2);
    const now = await (await t.call(rater.token, 'GET', '/v1/extension-config')).json();
    expect(now.config.selectorPacks).toEqual({ gemini: { answer: ['message-content'] } });

    const history = await t.call(admin.token, 'GET', '/v1/extension-config/versions');
    expect(history.status).toBe(200);
    const { current, versions } = await history.json();
    expect(current).toBe(2);
    expect(versions).toEqual([
      { version: 2, publishedAt: expect.any(String), publishedBy: { tokenId: admin.info.id, name: 'ops admin' }, packSites: ['gemini'], rules: 0, disabledAdapters: ['meta'] },
      { version: 1, publishedAt: expect.any(String), publishedBy: { tokenId: admin.info.id, name: 'ops admin' }, packSites: ['chatgpt', 'claude'], rules: 0, disabledAdapters: [] },
    ]);
    expect((await (await t.call(admin.token, 'GET', '/v1/extension-config/versions?limit=1')).json()).versions.map((v: { version: number }) => v.version)).toEqual([2]);
    expect((await (await t.call(admin.token, 'GET', '/v1/extension-config/versions?limit=')).json()).versions).toHaveLength(2);
    await t.store.close();
  });

  it('refuses an invalid selector naming its path, and stores nothing', async () => {
    const t = await createTestApp();
    const admin = await t.token('admin');
    const res = await put(t, admin.token, { selectorPacks: { chatgpt: { answer: ['article', 'div['], prompt: ['div > > a'] } } });
    expect(res.status).toBe(422);
    const { error } = await res.json();
    expect(error.code).toBe('validation_failed');
    expect(error.message).toMatch(/selectorPacks\.chatgpt\.answer\.1: not a valid CSS selector: Expected attribute name/);
    expect(error.details).toEqual(
      expect.arrayContaining([
        { path: 'selectorPacks.chatgpt.answer.1', message: expect.stringMatching(/^not a valid CSS selector: /) },
        { path: 'selectorPacks.chatgpt.prompt.0', message: expect.stringMatching(/^not a valid CSS selector: /) },
      ]),
    );
    const badPattern = await put(t, admin.token, { selectorPacks: { claude: { conversationUrlPattern: '^/chat/(' } } });
    expect(badPattern.status).toBe(422);
    expect((await badPattern.json()).error.message).toMatch(/selectorPacks\.claude\.conversationUrlPattern: must be a valid regular expression/);
    expect((await (await t.call(admin.token, 'GET', '/v1/extension-config')).json()).version).toBe(0);
    await t.store.close();
  });

  it('refuses unknown fields, at the top and in a pack, and unknown sites, naming them and what is accepted', async () => {
    const t = await createTestApp();
    const admin = await t.token('admin');

    const top = await put(t, admin.token, { rules: [], selectorPack: {} });
    expect(top.status).toBe(422);
    expect((await top.json()).error).toEqual({
      code: 'unknown_field',
      message: 'Unknown field "selectorPack"; accepted: "rules", "disabledAdapters", "selectorPacks", "criteria".',
      details: { unknown: ['selectorPack'], accepted: ['rules', 'disabledAdapters', 'selectorPacks', 'criteria'] },
    });

    const inPack = await put(t, admin.token, { selectorPacks: { chatgpt: { answers: ['article'], answer: ['article'] } } });
    expect(inPack.status).toBe(422);
    const packError = (await inPack.json()).error;
    expect(packError.code).toBe('unknown_field');
    expect(packError.message).toMatch(/Unknown field "answers" in selectorPacks\.chatgpt/);
    expect(packError.details).toEqual({
      unknown: ['answers'],
      accepted: ['answer', 'answerText', 'prompt', 'streaming', 'stopButton', 'model', 'conversationUrlPattern'],
      path: 'selectorPacks.chatgpt',
    });

    const site = await put(t, admin.token, { selectorPacks: { 'chat.example.com': { answer: ['article'] } } });
    expect(site.status).toBe(422);
    const siteError = (await site.json()).error;
    expect(siteError.code).toBe('unknown_field');
    expect(siteError.message).toContain('"chat.example.com" in selectorPacks');
    expect(siteError.message).toContain('"chatgpt", "claude"');
    expect(siteError.details).toEqual({ unknown: ['chat.example.com'], accepted: BUILTIN_SITE_IDS, path: 'selectorPacks' });

    // Rules stay open: the extension checks their fields.
    expect((await put(t, admin.token, { rules: [{ ...rule, promptSelector: '.q' }] })).status).toBe(200);
    await t.store.close();
  });

  it('refuses oversize packs and too many selectors', async () => {
    const t = await createTestApp();
    const admin = await t.token('admin');
    const long = (i: number) => `div[data-x="${String(i).padStart(PACK_LIMITS.selectorMaxChars - 20, 'x')}"]`;
    const oversize = Object.fromEntries(
      (['answer', 'answerText', 'prompt', 'streaming'] as const).map((k, n) => [k, Array.from({ length: 5 }, (_, i) => long(n * 10 + i))]),
    );
    expect(JSON.stringify(oversize).length).toBeGreaterThan(PACK_LIMITS.packMaxBytes);
    const big = await put(t, admin.token, { selectorPacks: { chatgpt: oversize } });
    expect(big.status).toBe(422);
    expect((await big.json()).error.message).toMatch(new RegExp(`selectorPacks\\.chatgpt: a pack serializes to at most ${PACK_LIMITS.packMaxBytes} bytes`));

    const many = await put(t, admin.token, { selectorPacks: { chatgpt: { answer: Array.from({ length: PACK_LIMITS.selectorsPerKey + 1 }, (_, i) => `.a${i}`) } } });
    expect(many.status).toBe(422);
    expect((await many.json()).error.message).toMatch(/selectorPacks\.chatgpt\.answer: at most 8 selectors/);

    const empty = await put(t, admin.token, { selectorPacks: { chatgpt: {} } });
    expect(empty.status).toBe(422);
    expect((await empty.json()).error.message).toMatch(/selectorPacks\.chatgpt: a pack overrides at least one selector/);
    expect((await (await t.call(admin.token, 'GET', '/v1/extension-config')).json()).version).toBe(0);
    await t.store.close();
  });

  it('lists versions to admins only, and refuses unknown query parameters', async () => {
    const t = await createTestApp();
    const admin = await t.token('admin');
    const analyst = await t.token('analyst');
    expect((await t.call(analyst.token, 'GET', '/v1/extension-config/versions')).status).toBe(403);
    const unknown = await t.call(admin.token, 'GET', '/v1/extension-config/versions?limt=5');
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).error).toMatchObject({ code: 'unknown_parameter', details: { unknown: ['limt'], accepted: ['limit'] } });
    expect((await t.call(admin.token, 'GET', '/v1/extension-config/versions?limit=0')).status).toBe(422);
    await t.store.close();
  });
});
