/**
 * Extra criteria for the widget's detail form, published in the extension config (issue 12,
 * item 2): the server advertises the `criteria` capability, keeps what an admin publishes in
 * order, and refuses a bad criterion naming its path — an `overall`, a duplicate, a name outside
 * the criterion shape, an unknown field of one (422 unknown_field, with its path).
 */
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/helpers/app.ts';
import { CRITERIA_LIMITS } from '../../shared/extension-config.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const put = (t: TestApp, token: string, body: unknown) => t.call(token, 'PUT', '/v1/extension-config', body);

describe('/v1/extension-config criteria', () => {
  it('advertises the criteria capability and hands the published criteria to every token, in order, with defaults', async () => {
    const t = await createTestApp();
    const admin = await t.token('admin');
    const rater = await t.token('rater');
    const criteria = [
      { name: 'correctness', label: 'Correct?' },
      { name: 'task_quality', label: 'Task quality', scale: 'stars', hint: 'How well the task was done' },
    ];
    expect((await put(t, admin.token, { criteria })).status).toBe(200);
    const read = await (await t.call(rater.token, 'GET', '/v1/extension-config')).json();
    expect(read.capabilities).toContain('criteria');
    expect(read.config.criteria).toEqual([
      { name: 'correctness', label: 'Correct?', scale: 'thumbs' },
      { name: 'task_quality', label: 'Task quality', scale: 'stars', hint: 'How well the task was done' },
    ]);
    // Publishing a pack or rules again without criteria takes them away: a publish replaces the config.
    expect((await (await put(t, admin.token, { rules: [] })).json()).config.criteria).toEqual([]);
  });

  it('refuses overall, duplicates, bad names and too many criteria, naming the path, and stores nothing', async () => {
    const t = await createTestApp();
    const admin = await t.token('admin');
    const refused = async (criteria: unknown, path: RegExp) => {
      const res = await put(t, admin.token, { criteria });
      expect(res.status).toBe(422);
      expect(JSON.stringify(await res.json())).toMatch(path);
    };
    await refused([{ name: 'overall', label: 'Overall' }], /criteria\.0\.name.*widget's own rating/);
    await refused([{ name: 'correctness', label: 'A' }, { name: 'correctness', label: 'B' }], /each criterion name at most once/);
    await refused([{ name: 'Task Quality', label: 'Q' }], /criteria\.0\.name.*lowercase/);
    await refused([{ name: 'quality', label: '' }], /criteria\.0\.label/);
    await refused([{ name: 'quality', label: 'Q', scale: 'emoji' }], /criteria\.0\.scale/);
    const many = Array.from({ length: CRITERIA_LIMITS.max + 1 }, (_, i) => ({ name: `c${i}`, label: `C${i}` }));
    await refused(many, new RegExp(`at most ${CRITERIA_LIMITS.max} criteria`));
    expect((await (await t.call(admin.token, 'GET', '/v1/extension-config')).json()).version).toBe(0);
  });

  it('refuses an unknown field of a criterion as unknown_field, with what is accepted', async () => {
    const t = await createTestApp();
    const admin = await t.token('admin');
    const res = await put(t, admin.token, { criteria: [{ name: 'correctness', label: 'Correct?', colour: 'red' }] });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.error).toMatchObject({ code: 'unknown_field', details: { unknown: ['colour'], accepted: ['name', 'label', 'scale', 'hint'], path: 'criteria.0' } });
  });
});
