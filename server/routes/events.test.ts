import { describe, expect, it } from 'vitest';
import { TRACE_EVENT_TYPES } from '../../shared/trace-events.ts';
import { createTestApp } from '../../test/helpers/app.ts';

type T = Awaited<ReturnType<typeof createTestApp>>;
interface Page {
  events: { id: string; type: string; investigationId: string; subject: string | null; data: Record<string, unknown>; at: string; raterId: string }[];
  nextCursor: string | null;
}

function ev(type: string, investigationId = 'inv-1', extra: Record<string, unknown> = {}) {
  return { type, investigationId, subject: 'dag:daily_sales', data: { step: type }, ...extra };
}

async function read(t: T, token: string, query = ''): Promise<Page> {
  const res = await t.call(token, 'GET', `/v1/events${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Page;
}

describe('POST /v1/events', () => {
  it('appends a whole investigation in order and reads it back in that order', async () => {
    const t = await createTestApp();
    const program = await t.token('rater');
    const analyst = await t.token('analyst');
    // A feedback event carries a rating and the rated step (docs/api/traces.md); the others any data.
    const events = TRACE_EVENT_TYPES.map((type) =>
      type.startsWith('feedback.') ? ev(type, 'inv-1', { data: { step: type, target_id: 'h-1', target_type: 'hypothesis', rating: 1 } }) : ev(type),
    );
    const res = await t.call(program.token, 'POST', '/v1/events', { events });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { results: { id: string; status: string }[] };
    expect(body.results.map((r) => r.status)).toEqual(events.map(() => 'appended'));
    const page = await read(t, analyst.token, '?investigation=inv-1&limit=500');
    expect(page.events.map((e) => e.type)).toEqual([...TRACE_EVENT_TYPES]);
    expect(page.events.map((e) => e.id)).toEqual(body.results.map((r) => r.id));
    expect(page.events[0]).toMatchObject({ investigationId: 'inv-1', subject: 'dag:daily_sales', data: { step: 'investigation.started' }, raterId: program.info.raterId });
  });

  it('keeps arrival order across many single posts in the same millisecond range', async () => {
    const t = await createTestApp();
    const { token } = await t.token('analyst');
    const n = 40;
    for (let i = 0; i < n; i++) {
      const res = await t.call(token, 'POST', '/v1/events', ev('comment.added', 'inv-o', { data: { i } }));
      expect(res.status).toBe(200);
    }
    const page = await read(t, token, '?investigation=inv-o&limit=500');
    expect(page.events.map((e) => e.data.i)).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it('takes a single event; an invalid single event is 422 naming the field', async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    const ok = await t.call(token, 'POST', '/v1/events', ev('hypothesis.generated'));
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { results: unknown[] }).results).toHaveLength(1);
    const bad = await t.call(token, 'POST', '/v1/events', ev('hypothesis.invented'));
    expect(bad.status).toBe(422);
    const err = (await bad.json()) as { error: { code: string; message: string } };
    expect(err.error.code).toBe('validation_failed');
    expect(err.error.message).toMatch(/^type:/);
    const noInv = await t.call(token, 'POST', '/v1/events', { type: 'comment.added', data: {} });
    expect(((await noInv.json()) as { error: { message: string } }).error.message).toMatch(/investigationId/);
    const badBatch = await t.call(token, 'POST', '/v1/events', { events: 'nope' });
    expect(badBatch.status).toBe(422);
    expect(((await badBatch.json()) as { error: { message: string } }).error.message).toMatch(/^events:/);
  });

  it('in a batch, rejects one bad event with a reason and appends the rest in order', async () => {
    const t = await createTestApp();
    const { token } = await t.token('admin');
    const res = await t.call(token, 'POST', '/v1/events', {
      events: [ev('query.planned'), ev('query.teleported'), { ...ev('query.executed'), data: 'not an object' }, ev('query.succeeded')],
    });
    const body = (await res.json()) as { results: { status: string; error?: string }[] };
    expect(body.results.map((r) => r.status)).toEqual(['appended', 'rejected', 'rejected', 'appended']);
    expect(body.results[1]!.error).toMatch(/^type:/);
    expect(body.results[2]!.error).toMatch(/^data:/);
    expect((await read(t, token)).events.map((e) => e.type)).toEqual(['query.planned', 'query.succeeded']);
  });

  it('a retried batch with client ids appends nothing twice', async () => {
    const t = await createTestApp();
    const { token } = await t.token('analyst');
    const events = [
      ev('evidence.collected', 'inv-r', { id: '0190a1b2-0000-7000-8000-000000000001' }),
      ev('evidence.evaluated', 'inv-r', { id: '0190a1b2-0000-7000-8000-000000000002' }),
    ];
    await t.call(token, 'POST', '/v1/events', { events });
    const again = await t.call(token, 'POST', '/v1/events', { events: [...events, ev('synthesis.generated', 'inv-r')] });
    const body = (await again.json()) as { results: { status: string }[] };
    expect(body.results.map((r) => r.status)).toEqual(['unchanged', 'unchanged', 'appended']);
    expect((await read(t, token, '?investigation=inv-r')).events.map((e) => e.type)).toEqual([
      'evidence.collected',
      'evidence.evaluated',
      'synthesis.generated',
    ]);
  });

  it('redacts string values in data', async () => {
    const t = await createTestApp();
    const { token } = await t.token('analyst');
    await t.call(token, 'POST', '/v1/events', ev('query.executed', 'inv-x', { data: { sql: "select * from users where email = 'a@example.com'", rows: 3, tags: ['to bob@example.org'] } }));
    const [e] = (await read(t, token)).events;
    expect(e!.data).toEqual({ sql: "select * from users where email = '[EMAIL]'", rows: 3, tags: ['to [EMAIL]'] });
  });
});

describe('GET /v1/events', () => {
  async function seed(t: T, token: string) {
    await t.call(token, 'POST', '/v1/events', {
      events: [
        ev('investigation.started', 'inv-1', { subject: 'svc:a' }),
        ev('hypothesis.generated', 'inv-1', { subject: 'svc:a' }),
        ev('investigation.started', 'inv-2', { subject: 'svc:b' }),
        ev('hypothesis.rejected', 'inv-1', { subject: 'svc:a' }),
        ev('hypothesis.generated', 'inv-2', { subject: 'svc:b' }),
        ev('investigation.completed', 'inv-1', { subject: 'svc:a' }),
      ],
    });
  }

  it('filters by subject, investigation and type (one or several)', async () => {
    const t = await createTestApp();
    const { token } = await t.token('analyst');
    await seed(t, token);
    const types = async (q: string) => (await read(t, token, q)).events.map((e) => `${e.investigationId}/${e.type}`);
    expect(await types('?subject=svc:b')).toEqual(['inv-2/investigation.started', 'inv-2/hypothesis.generated']);
    expect(await types('?investigation=inv-1&type=hypothesis.generated,hypothesis.rejected')).toEqual([
      'inv-1/hypothesis.generated',
      'inv-1/hypothesis.rejected',
    ]);
    expect(await types('?type=investigation.started')).toEqual(['inv-1/investigation.started', 'inv-2/investigation.started']);
    expect((await t.call(token, 'GET', '/v1/events?type=hypothesis.invented')).status).toBe(422);
  });

  it('pages forward with a cursor in arrival order', async () => {
    const t = await createTestApp();
    const { token } = await t.token('analyst');
    await seed(t, token);
    const all = (await read(t, token)).events.map((e) => e.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await read(t, token, `?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.events.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
    expect((await t.call(token, 'GET', '/v1/events?cursor=abc')).status).toBe(422);
  });

  it('needs the analyst role to read, and never shows another workspace’s trace', async () => {
    const t = await createTestApp();
    const rater = await t.token('rater', { workspaceId: 'ws-a' });
    const analystA = await t.token('analyst', { workspaceId: 'ws-a' });
    const analystB = await t.token('analyst', { workspaceId: 'ws-b' });
    await seed(t, rater.token);
    expect((await t.call(rater.token, 'GET', '/v1/events')).status).toBe(403);
    expect((await read(t, analystA.token)).events).toHaveLength(6);
    expect((await read(t, analystB.token)).events).toEqual([]);
    // A client id another workspace used is that workspace's business: appended here as its own, never merged.
    const id = '0190a1b2-0000-7000-8000-0000000000aa';
    await t.call(analystA.token, 'POST', '/v1/events', ev('comment.added', 'inv-9', { id }));
    const same = await t.call(analystB.token, 'POST', '/v1/events', { events: [ev('comment.added', 'inv-9', { id })] });
    expect(((await same.json()) as { results: { status: string }[] }).results[0]!.status).toBe('appended');
    expect((await read(t, analystB.token)).events.map((e) => e.id)).toEqual([id]);
    expect((await read(t, analystA.token)).events).toHaveLength(7);
  });
});
