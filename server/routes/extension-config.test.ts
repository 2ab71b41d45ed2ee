import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/helpers/app.ts';

const rule = { id: 'airflow', urlPattern: 'https://airflow.example.com/*', outputSelector: '.ai-analysis', kind: 'error_analysis' };

describe('/v1/extension-config', () => {
  it('is empty until an admin publishes, then every token of the workspace reads it', async () => {
    const t = await createTestApp();
    const admin = await t.token('admin', { name: 'ops admin' });
    const rater = await t.token('rater', { name: 'alice' });

    const empty = await t.call(rater.token, 'GET', '/v1/extension-config');
    expect(empty.status).toBe(200);
    expect(await empty.json()).toEqual({
      config: { rules: [], disabledAdapters: [] },
      updatedAt: null,
      caller: { workspaceId: 'default', role: 'rater', name: 'alice' },
    });

    const put = await t.call(admin.token, 'PUT', '/v1/extension-config', { rules: [rule], disabledAdapters: ['gemini'] });
    expect(put.status).toBe(200);
    const published = await put.json();
    expect(published.config).toEqual({ rules: [rule], disabledAdapters: ['gemini'] });
    expect(typeof published.updatedAt).toBe('string');

    const read = await (await t.call(rater.token, 'GET', '/v1/extension-config')).json();
    // Fields the server does not know (kind, prompt selectors…) are kept for the extension to check.
    expect(read.config.rules[0]).toEqual(rule);
    expect(read.config.disabledAdapters).toEqual(['gemini']);
    expect(read.updatedAt).toBe(published.updatedAt);

    // Replacing it wins, and it stays one row per workspace.
    await t.call(admin.token, 'PUT', '/v1/extension-config', { rules: [] });
    const again = await (await t.call(rater.token, 'GET', '/v1/extension-config')).json();
    expect(again.config).toEqual({ rules: [], disabledAdapters: [] });
    await t.store.close();
  });

  it('is scoped to the workspace of the token', async () => {
    const t = await createTestApp();
    const adminA = await t.token('admin', { workspaceId: 'a' });
    const raterB = await t.token('rater', { workspaceId: 'b' });
    await t.call(adminA.token, 'PUT', '/v1/extension-config', { rules: [rule] });
    const b = await (await t.call(raterB.token, 'GET', '/v1/extension-config')).json();
    expect(b.config.rules).toEqual([]);
    expect(b.caller.workspaceId).toBe('b');
    await t.store.close();
  });

  it('only admins publish; bad bodies are 400/422 with the field named; no token is 401', async () => {
    const t = await createTestApp();
    const admin = await t.token('admin');
    const analyst = await t.token('analyst');
    const forbidden = await t.call(analyst.token, 'PUT', '/v1/extension-config', { rules: [] });
    expect(forbidden.status).toBe(403);
    expect((await forbidden.json()).error.message).toMatch(/admin role/);

    const bad = await t.call(admin.token, 'PUT', '/v1/extension-config', { rules: [{ id: 'x', urlPattern: '' }] });
    expect(bad.status).toBe(422);
    expect((await bad.json()).error.message).toMatch(/rules\.0\.(urlPattern|outputSelector)/);

    const malformed = await t.call(admin.token, 'PUT', '/v1/extension-config', '{"rules": [');
    expect(malformed.status).toBe(400);

    const anonymous = await t.app.request('/v1/extension-config');
    expect(anonymous.status).toBe(401);
    await t.store.close();
  });
});
