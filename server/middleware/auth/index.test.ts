import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/helpers/app.ts';

describe('bearerAuth', () => {
  it('refuses a request without a token', async () => {
    const t = await createTestApp();
    const res = await t.app.request('/v1/feedback');
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe('unauthorized');
  });
  it('refuses an unknown or revoked token', async () => {
    const t = await createTestApp();
    const res = await t.app.request('/v1/feedback', { headers: { Authorization: 'Bearer gt_nope' } });
    expect(res.status).toBe(401);
    const { token, info } = await t.token('rater');
    expect((await t.app.request('/v1/feedback', { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    const { revokeToken } = await import('../../store/tokens.ts');
    await revokeToken(t.store.db, info.id);
    expect((await t.app.request('/v1/feedback', { headers: { Authorization: `Bearer ${token}` } })).status).toBe(401);
  });
  it('never stores the token itself', async () => {
    const t = await createTestApp();
    const { token } = await t.token('admin');
    const rows = await t.store.db.selectFrom('tokens').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(token);
  });
});
