import { describe, expect, it } from 'vitest';
import { createTestApp, makeFeedback } from '../../test/helpers/app.ts';
import { withGovernance } from '../store/governance-tables.ts';

type T = Awaited<ReturnType<typeof createTestApp>>;

function item(key: string, overrides: Record<string, unknown> = {}) {
  return {
    key,
    kind: 'error_analysis',
    subject: 'dag:daily_sales',
    model: 'gpt-5',
    input: 'Task load_orders failed: KeyError "region"',
    output: 'The upstream schema dropped the region column.',
    context: { dag_id: 'daily_sales', task_id: 'load_orders', run_id: 'scheduled__2026-02-01', error_message: 'KeyError: region', log_context: '...' },
    prediction: { category: 'schema_change', severity: 'high', confidence: 0.82, reasoning: 'The column is missing in the new file.' },
    ...overrides,
  };
}

async function post(t: T, token: string, items: unknown[]) {
  const res = await t.call(token, 'POST', '/v1/items', { items });
  return { res, body: (await res.json()) as { results: { key: string; id?: string; status: string; error?: string }[] } };
}

async function list(t: T, token: string, query = '') {
  const res = await t.call(token, 'GET', `/v1/items${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { items: { id: string; key: string; targetKey: string; [k: string]: unknown }[]; nextCursor: string | null };
}

describe('POST /v1/items', () => {
  it('registers a batch and is idempotent by external key', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const first = await post(t, token, [item('run-1'), item('run-2')]);
    expect(first.res.status).toBe(200);
    expect(first.body.results.map((r) => r.status)).toEqual(['created', 'created']);
    const again = await post(t, token, [item('run-1'), item('run-2')]);
    expect(again.body.results.map((r) => r.status)).toEqual(['unchanged', 'unchanged']);
    expect(again.body.results.map((r) => r.id)).toEqual(first.body.results.map((r) => r.id));
    const changed = await post(t, token, [item('run-1', { output: 'A different analysis.' })]);
    expect(changed.body.results[0]).toMatchObject({ key: 'run-1', status: 'updated', id: first.body.results[0]!.id });
    const page = await list(t, token);
    expect(page.items).toHaveLength(2);
    const one = page.items.find((i) => i.key === 'run-1')!;
    expect(one.output).toBe('A different analysis.');
    expect(one.targetKey).toBe('item:run-1');
    expect(one.context).toMatchObject({ dag_id: 'daily_sales', task_id: 'load_orders', run_id: 'scheduled__2026-02-01' });
    expect(one.prediction).toEqual({ category: 'schema_change', severity: 'high', confidence: 0.82, reasoning: 'The column is missing in the new file.' });
  });

  it('the same key twice in one batch gives one item', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const r = await post(t, token, [item('dup'), item('dup', { output: 'second' })]);
    expect(r.body.results.map((x) => x.status)).toEqual(['created', 'created']);
    expect(r.body.results[0]!.id).toBe(r.body.results[1]!.id);
    const page = await list(t, token);
    expect(page.items.map((i) => i.output)).toEqual(['second']);
  });

  it('rejects one bad item with a reason and lands the rest', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const r = await post(t, token, [item('ok-1'), item('bad', { kind: 'poem' }), { key: 'no-output', kind: 'task' }, item('ok-2', { prediction: { confidence: 7 } })]);
    expect(r.res.status).toBe(200);
    expect(r.body.results.map((x) => x.status)).toEqual(['created', 'rejected', 'rejected', 'rejected']);
    expect(r.body.results[1]!.error).toMatch(/^kind:/);
    expect(r.body.results[2]!.error).toMatch(/output/);
    expect(r.body.results[3]!.error).toMatch(/prediction\.confidence: confidence goes from 0 to 1/);
    expect((await list(t, token)).items.map((i) => i.key)).toEqual(['ok-1']);
  });

  it('validates the envelope: no items is 422, malformed JSON 400, no token 401', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    expect((await t.call(token, 'POST', '/v1/items', { items: [] })).status).toBe(422);
    expect((await t.call(token, 'POST', '/v1/items', { nope: 1 })).status).toBe(422);
    expect((await t.call(token, 'POST', '/v1/items', '{"items": [')).status).toBe(400);
    expect((await t.app.request('/v1/items')).status).toBe(401);
  });

  it('redacts the text programs send, by default', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    await post(t, token, [
      item('secret', {
        input: 'mail ops@example.com',
        output: 'key sk-abcdefghijklmnopqrstuvwxyz123456 leaked',
        context: { log_context: 'user bob@example.org logged in', nested: { note: 'call ops@example.com' } },
        prediction: { reasoning: 'owner is ops@example.com' },
      }),
    ]);
    const [stored] = (await list(t, token)).items;
    const text = JSON.stringify(stored);
    expect(text).not.toMatch(/example\.(com|org)|sk-abc/);
    expect(stored!.input).toBe('mail [EMAIL]');
    expect(stored!.output).toBe('key [SECRET:openai] leaked');
    expect(stored!.context).toMatchObject({ log_context: 'user [EMAIL] logged in', nested: { note: 'call [EMAIL]' } });
  });

  it('keeps the text as sent when the workspace turned program-text redaction off', async () => {
    const t = await createTestApp();
    const { token, info } = await t.token('rater');
    await withGovernance(t.store.db)
      .insertInto('workspace_settings')
      .values({ workspace_id: info.workspaceId, retention_days: null, redact_program_text: 0, last_purged_at: null, updated_at: new Date().toISOString(), updated_by: null })
      .execute();
    await post(t, token, [item('plain', { output: 'mail ops@example.com' })]);
    expect((await list(t, token)).items[0]!.output).toBe('mail ops@example.com');
  });
});

describe('GET /v1/items', () => {
  it('unrated=1 drops an item once someone rates it, and shows it again when that feedback is deleted', async () => {
    const t = await createTestApp();
    const program = await t.token('rater', { name: 'pipeline' });
    const reviewer = await t.token('rater', { name: 'alice' });
    await post(t, program.token, [item('a'), item('b'), item('c')]);
    expect((await list(t, reviewer.token, '?unrated=1')).items.map((i) => i.key).sort()).toEqual(['a', 'b', 'c']);

    const f = makeFeedback({ target: { kind: 'error_analysis', key: 'item:b' }, rating: { thumb: 'down' } });
    expect((await t.call(reviewer.token, 'POST', '/v1/feedback', f)).status).toBe(201);
    expect((await list(t, program.token, '?unrated=1')).items.map((i) => i.key).sort()).toEqual(['a', 'c']);
    expect((await list(t, program.token, '?unrated=0')).items).toHaveLength(3);
    expect((await list(t, program.token)).items).toHaveLength(3);

    expect((await t.call(reviewer.token, 'DELETE', `/v1/feedback/${f.id}`)).status).toBe(200);
    expect((await list(t, program.token, '?unrated=1')).items.map((i) => i.key).sort()).toEqual(['a', 'b', 'c']);
  });

  it('feedback in another workspace does not count as a rating', async () => {
    const t = await createTestApp();
    const mine = await t.token('rater', { workspaceId: 'ws-a' });
    const other = await t.token('rater', { workspaceId: 'ws-b' });
    await post(t, mine.token, [item('x')]);
    await post(t, other.token, [item('x')]);
    await t.call(other.token, 'POST', '/v1/feedback', makeFeedback({ target: { kind: 'error_analysis', key: 'item:x' } }));
    expect((await list(t, mine.token, '?unrated=1')).items.map((i) => i.key)).toEqual(['x']);
    expect((await list(t, other.token, '?unrated=1')).items).toEqual([]);
  });

  it('filters by kind, subject and model', async () => {
    const t = await createTestApp();
    const { token } = await t.token('analyst');
    await post(t, token, [
      item('1', { kind: 'hypothesis', subject: 's1', model: 'm1' }),
      item('2', { kind: 'query', subject: 's1', model: 'm2' }),
      item('3', { kind: 'query', subject: 's2', model: 'm1' }),
    ]);
    const keys = async (q: string) => (await list(t, token, q)).items.map((i) => i.key).sort();
    expect(await keys('?kind=query')).toEqual(['2', '3']);
    expect(await keys('?subject=s1')).toEqual(['1', '2']);
    expect(await keys('?model=m1&kind=query')).toEqual(['3']);
    expect((await t.call(token, 'GET', '/v1/items?kind=poem')).status).toBe(422);
  });

  it('pages with a cursor, newest first, without gaps or repeats', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const keys = Array.from({ length: 7 }, (_, i) => `k${i}`);
    for (const k of keys) await post(t, token, [item(k)]);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list(t, token, `?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.items.map((i) => i.key));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(keys.length);
    expect([...seen].sort()).toEqual(keys);
    expect((await t.call(token, 'GET', '/v1/items?cursor=garbage')).status).toBe(422);
  });

  it('never shows another workspace’s items', async () => {
    const t = await createTestApp();
    const a = await t.token('admin', { workspaceId: 'ws-a' });
    const b = await t.token('admin', { workspaceId: 'ws-b' });
    await post(t, a.token, [item('only-a')]);
    const rb = await post(t, b.token, [item('only-a')]);
    expect(rb.body.results[0]!.status).toBe('created');
    await post(t, b.token, [item('only-b')]);
    expect((await list(t, a.token)).items.map((i) => i.key)).toEqual(['only-a']);
    expect((await list(t, b.token)).items.map((i) => i.key).sort()).toEqual(['only-a', 'only-b']);
  });
});
