import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, makeFeedback } from '../../test/helpers/app.ts';
import { resetClock, setClock } from '../lib/clock.ts';
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
    const r = await post(t, token, [item('ok-1'), item('bad', { kind: 'poem' }), { key: 'no-kind', output: 'x' }, item('ok-2', { prediction: { confidence: 7 } })]);
    expect(r.res.status).toBe(200);
    expect(r.body.results.map((x) => x.status)).toEqual(['created', 'rejected', 'rejected', 'rejected']);
    expect(r.body.results[1]!.error).toMatch(/^kind:/);
    expect(r.body.results[2]!.error).toMatch(/kind/);
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

describe('items as pipelines post them (issue 14)', () => {
  afterEach(() => resetClock());

  /** An error as DAGnostics' error_logs holds it, before any analysis ran. */
  function error(key: string, overrides: Record<string, unknown> = {}) {
    return {
      key,
      kind: 'error_analysis',
      subject: 'daily_sales',
      context: { dag_id: 'daily_sales', task_id: 'load_orders', run_id: 'r1', error_message: 'KeyError: region', log_context: 'Traceback …' },
      ...overrides,
    };
  }
  const analysis = {
    model: 'dagnostics-7b',
    output: 'The upstream export dropped the region column.',
    prediction: { extractedError: 'KeyError: region', category: 'data_quality', severity: 'high', confidence: 0.8, reasoning: 'The column is gone.' },
  };

  it('keeps the createdAt it is sent (as UTC), else the arrival time from the server clock; newest first by it', async () => {
    setClock(new Date('2026-03-10T12:00:00Z'));
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const r = await post(t, token, [
      error('old', { createdAt: '2026-03-01T10:00:00+02:00' }),
      error('now'),
      error('mid', { createdAt: '2026-03-05T00:00:00Z' }),
    ]);
    expect(r.body.results.map((x) => x.status)).toEqual(['created', 'created', 'created']);
    const page = await list(t, token);
    expect(page.items.map((i) => [i.key, i.createdAt])).toEqual([
      ['now', '2026-03-10T12:00:00.000Z'],
      ['mid', '2026-03-05T00:00:00.000Z'],
      ['old', '2026-03-01T08:00:00.000Z'],
    ]);
    expect((await post(t, token, [error('bad-time', { createdAt: 'yesterday' })])).body.results[0]).toMatchObject({ status: 'rejected', error: expect.stringMatching(/^createdAt:/) });
  });

  it('a createdAt more than MAX_CLOCK_SKEW_SECONDS ahead is rejected for that item with reason clock_ahead; the others land', async () => {
    setClock(new Date('2026-03-10T12:00:00Z'));
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const r = await post(t, token, [
      error('ahead', { createdAt: '2026-03-10T12:05:01Z' }),
      error('within', { createdAt: '2026-03-10T12:04:59Z' }),
    ]);
    expect(r.body.results[0]).toMatchObject({ key: 'ahead', status: 'rejected', reason: 'clock_ahead', error: expect.stringMatching(/^clock_ahead: createdAt/) });
    expect(r.body.results[1]).toMatchObject({ key: 'within', status: 'created' });
    expect((r.body as unknown as { serverTime: string }).serverTime).toBe('2026-03-10T12:00:00.000Z');
    expect((await list(t, token)).items.map((i) => i.key)).toEqual(['within']);
  });

  it('an error posted before its analysis awaits it; a later post with the same key completes it (updated, same id, same createdAt)', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const first = await post(t, token, [error('e1', { createdAt: '2026-03-01T10:00:00Z' })]);
    expect(first.body.results[0]!.status).toBe('created');
    const id = first.body.results[0]!.id!;
    const before = await (await t.call(token, 'GET', `/v1/items/${id}`)).json();
    expect(before).toMatchObject({ id, key: 'e1', state: 'awaiting_analysis', createdAt: '2026-03-01T10:00:00.000Z' });
    expect(before.output).toBeUndefined();
    expect((await list(t, token, '?hasAnalysis=0')).items.map((i) => i.key)).toEqual(['e1']);
    expect((await list(t, token, '?hasAnalysis=1')).items).toEqual([]);

    // The analysis arrives later, stamped with the analysis time: the item keeps the error's time.
    const second = await post(t, token, [error('e1', { ...analysis, createdAt: '2026-03-01T10:07:00Z' })]);
    expect(second.body.results[0]).toMatchObject({ status: 'updated', id });
    const after = await (await t.call(token, 'GET', `/v1/items/${id}`)).json();
    expect(after).toMatchObject({ state: 'ready', createdAt: '2026-03-01T10:00:00.000Z', output: analysis.output, prediction: analysis.prediction, model: 'dagnostics-7b' });
    expect((await list(t, token, '?hasAnalysis=true')).items.map((i) => i.key)).toEqual(['e1']);
    expect((await list(t, token, '?category=data_quality')).items.map((i) => i.key)).toEqual(['e1']);
  });

  it('a later post without an analysis keeps the stored one (the error sent again does not erase it)', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    await post(t, token, [error('e2', analysis)]);
    const again = await post(t, token, [error('e2', { model: 'dagnostics-7b' })]);
    expect(again.body.results[0]!.status).toBe('unchanged');
    const changed = await post(t, token, [error('e2', { model: 'dagnostics-7b', context: { dag_id: 'daily_sales', task_id: 'load_orders', error_message: 'KeyError: region (retry 2)' } })]);
    expect(changed.body.results[0]!.status).toBe('updated');
    const [stored] = (await list(t, token)).items;
    expect(stored).toMatchObject({ state: 'ready', output: analysis.output, prediction: analysis.prediction, context: { error_message: 'KeyError: region (retry 2)' } });
    // A new analysis replaces the old one whole.
    await post(t, token, [error('e2', { prediction: { category: 'code_error' } })]);
    const [latest] = (await list(t, token)).items;
    expect(latest!.prediction).toEqual({ category: 'code_error' });
    expect(latest!.output).toBeUndefined();
    expect(latest!.state).toBe('ready');
  });

  it('prediction.extractedError is kept and redacted like the other free text', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    await post(t, token, [error('e3', { prediction: { extractedError: 'login failed for ops@example.com', category: 'permission_error' } })]);
    const [stored] = (await list(t, token)).items;
    expect(stored!.prediction).toEqual({ extractedError: 'login failed for [EMAIL]', category: 'permission_error' });
    expect(stored!.state).toBe('ready');
  });

  it('filters by date, days, since/until, subject, task, category, model, kind and hasAnalysis', async () => {
    setClock(new Date('2026-03-10T12:00:00Z'));
    const t = await createTestApp();
    const { token } = await t.token('analyst');
    await post(t, token, [
      error('a', { createdAt: '2026-03-10T01:00:00Z', ...analysis }),
      error('b', { createdAt: '2026-03-09T23:59:59Z', context: { dag_id: 'daily_sales', task_id: 'publish' } }),
      error('c', { createdAt: '2026-03-02T00:00:00Z', subject: 'hourly_ads', model: 'm2', prediction: { category: 'timeout_error' } }),
      error('d', { createdAt: '2026-02-01T00:00:00Z', kind: 'task' }),
    ]);
    const keys = async (q: string) => (await list(t, token, q)).items.map((i) => i.key);
    expect(await keys('')).toEqual(['a', 'b', 'c', 'd']);
    expect(await keys('?date=2026-03-10')).toEqual(['a']);
    expect(await keys('?date=2026-03-09')).toEqual(['b']);
    expect(await keys('?days=1')).toEqual(['a', 'b']);
    expect(await keys('?days=30')).toEqual(['a', 'b', 'c']);
    expect(await keys('?since=2026-03-02&until=2026-03-10')).toEqual(['b', 'c']);
    expect(await keys('?since=2026-03-09T23:59:59Z')).toEqual(['a', 'b']);
    expect(await keys('?subject=hourly_ads')).toEqual(['c']);
    expect(await keys('?task=publish')).toEqual(['b']);
    expect(await keys('?task=load_orders')).toEqual(['a', 'c', 'd']);
    expect(await keys('?category=timeout_error')).toEqual(['c']);
    expect(await keys('?model=m2')).toEqual(['c']);
    expect(await keys('?kind=task')).toEqual(['d']);
    expect(await keys('?hasAnalysis=1')).toEqual(['a', 'c']);
    expect(await keys('?hasAnalysis=false&kind=error_analysis')).toEqual(['b']);
    expect(await keys('?date=&days=&category=&kind=&hasAnalysis=')).toEqual(['a', 'b', 'c', 'd']); // empty values are absent
    expect((await t.call(token, 'GET', '/v1/items?date=2026-13-01')).status).toBe(422);
    expect((await t.call(token, 'GET', '/v1/items?hasAnalysis=maybe')).status).toBe(422);
  });

  it('a conflicting window is 400 conflicting_parameters naming both', async () => {
    const t = await createTestApp();
    const { token } = await t.token('analyst');
    const cases: [string, string[]][] = [
      ['date=2026-03-01&days=3', ['date', 'days']],
      ['date=2026-03-01&since=2026-02-01', ['date', 'since']],
      ['date=2026-03-01&until=2026-04-01', ['date', 'until']],
      ['days=3&since=2026-02-01', ['since', 'days']],
      ['days=3&until=2026-02-01', ['until', 'days']],
      ['since=2026-03-01&until=2026-02-01', ['since', 'until']],
    ];
    for (const [q, params] of cases) {
      const res = await t.call(token, 'GET', `/v1/items?${q}`);
      expect(res.status, q).toBe(400);
      const body = await res.json();
      expect(body.error.code, q).toBe('conflicting_parameters');
      expect(body.error.details.params, q).toEqual(params);
      for (const p of params) expect(body.error.message, q).toContain(p);
    }
  });

  it('stores text PostgreSQL can hold: a lone surrogate becomes U+FFFD, a NUL character rejects the item by name', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const r = await post(t, token, [error('lone', { context: { error_message: 'bad \ud800 byte' } }), error('nul', { output: 'a\u0000b' })]);
    expect(r.body.results[0]!.status).toBe('created');
    expect(r.body.results[1]).toMatchObject({ status: 'rejected', error: 'output: must not contain the NUL character (U+0000)' });
    const [stored] = (await list(t, token)).items;
    expect((stored!.context as { error_message: string }).error_message).toBe('bad \ufffd byte');
  });

  it('GET /v1/items/{id}: one item of the workspace, else 404 not_found in JSON', async () => {
    const t = await createTestApp();
    const a = await t.token('rater', { workspaceId: 'ws-a' });
    const b = await t.token('rater', { workspaceId: 'ws-b' });
    const id = (await post(t, a.token, [item('mine')])).body.results[0]!.id!;
    const res = await t.call(a.token, 'GET', `/v1/items/${id}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id, key: 'mine', targetKey: 'item:mine', state: 'ready' });
    for (const [token, path] of [[b.token, `/v1/items/${id}`], [a.token, '/v1/items/no-such-id']] as const) {
      const missing = await t.call(token, 'GET', path);
      expect(missing.status).toBe(404);
      expect((await missing.json()).error.code).toBe('not_found');
    }
  });
});
