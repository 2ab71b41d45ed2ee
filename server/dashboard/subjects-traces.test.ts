/**
 * The subject page through app.request with a trace (seed 001): investigations, findings with
 * type, confidence and feedback score, common issues and owners are shown, hostile text escaped.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/helpers/app.ts';

type T = Awaited<ReturnType<typeof createTestApp>>;
const apps: T[] = [];
afterEach(async () => {
  while (apps.length) await apps.pop()!.store.close();
});

const DATASET = 'public.orders';

describe('dashboard subject page with traces', () => {
  it('lists a traced dataset and shows its investigations, findings, issues and owners', async () => {
    const t = await createTestApp();
    apps.push(t);
    const program = await t.token('rater', { name: 'dataing' });
    const analyst = await t.token('analyst', { name: 'Ana' });
    const e = (type: string, data: Record<string, unknown>, actorId = 'u-<b>sarah</b>') => ({ type, investigationId: 'inv-1', subject: DATASET, data, actorId, actorType: 'user' });
    const res = await t.call(program.token, 'POST', '/v1/events', {
      events: [
        e('investigation.started', { issue_type: 'null_spike' }),
        e('synthesis.generated', { synthesis_id: 's1', root_cause: 'Mobile app <script>v2.3</script> bug', confidence: 0.85, finding_type: 'root_cause' }),
        e('feedback.synthesis', { target_id: 's1', rating: 1 }),
      ],
    });
    expect(res.status).toBe(200);

    const signIn = await t.app.request('/dashboard/sign-in', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://localhost' },
      body: new URLSearchParams({ token: analyst.token }).toString(),
    });
    const cookie = (signIn.headers.get('Set-Cookie') ?? '').split(';')[0]!;
    const index = await (await t.app.request('/dashboard/subjects', { headers: { Cookie: cookie } })).text();
    expect(index).toContain(DATASET);

    const page = await t.app.request(`/dashboard/subjects/${encodeURIComponent(DATASET)}`, { headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(/data-gt="investigations">1</);
    expect(html).toContain('data-gt="findings"');
    expect(html).toContain('Mobile app &lt;script&gt;v2.3&lt;/script&gt; bug');
    expect(html).not.toContain('<script>v2.3');
    expect(html).toContain('root_cause');
    expect(html).toContain('85 %');
    expect(html).toContain('100 %');
    expect(html).toMatch(/data-gt="common-issues">[\s\S]*null_spike/);
    expect(html).toContain('u-&lt;b&gt;sarah&lt;/b&gt;');
  });
});
