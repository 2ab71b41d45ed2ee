import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, makeFeedback, upsert } from '../../test/helpers/app.ts';
import { createLogger, logger, setLogger } from './log.ts';

/** Captures every line the process logger writes. */
function capture() {
  const lines: string[] = [];
  setLogger(createLogger({ level: 'debug', stream: { write: (line: string) => void lines.push(line) } }));
  return lines;
}

const previous = logger();
afterEach(() => setLogger(previous));

const HOSTILE = ['HOSTILE-PROMPT-<script>alert(1)</script>', 'HOSTILE-OUTPUT-\u001b[31mred', 'HOSTILE-CONV-ñ', 'HOSTILE-QUERY-x', 'HOSTILE-REQID-<img src=x> "q"', 'HOSTILE-NOTE-ß'];

describe('request logs', () => {
  it('one JSON line per request with id, route template, status, duration and workspace', async () => {
    const lines = capture();
    const t = await createTestApp();
    const { token, info: { workspaceId } } = await t.token('rater');
    const f = makeFeedback();
    const res = await t.app.request(`/v1/feedback/${f.id}`, { headers: { Authorization: `Bearer ${token}`, 'X-Request-Id': 'abc-123' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('X-Request-Id')).toBe('abc-123');
    const made = await t.app.request('/healthz');
    expect(made.headers.get('X-Request-Id')).toMatch(/^[0-9a-f-]{36}$/);
    const entries = lines.map((l) => JSON.parse(l));
    const first = entries.find((e) => e.reqId === 'abc-123');
    expect(first).toMatchObject({ msg: 'request', method: 'GET', route: '/v1/feedback/:id', status: 404, workspace: workspaceId });
    expect(typeof first.ms).toBe('number');
    expect(entries.find((e) => e.reqId === made.headers.get('X-Request-Id'))).toMatchObject({ route: '/healthz', status: 200 });
    await t.store.close();
  });

  it('no token, cookie or page text in any line of a hostile workload', async () => {
    const lines = capture();
    const t = await createTestApp();
    const { token: rater } = await t.token('rater');
    const { token: admin } = await t.token('admin');
    const [prompt, output, conv, query, reqId, note] = HOSTILE as [string, string, string, string, string, string];
    const f = makeFeedback({ target: { ...makeFeedback().target, prompt, output, conversationId: conv }, note });
    const headers = (token: string) => ({ Authorization: `Bearer ${token}`, Cookie: `gt_session=COOKIE-SECRET-1; other=${note}`, 'X-Request-Id': reqId, 'Content-Type': 'application/json' });
    const calls: [string, string, unknown?][] = [
      ['POST', '/v1/sync', { clientId: conv, mutations: [upsert(f), { id: prompt, op: 'upsert' }] }],
      ['POST', '/v1/feedback', { ...makeFeedback(), note: output, unknownField: prompt }],
      ['GET', `/v1/search?q=${encodeURIComponent(query)}`],
      ['GET', `/v1/feedback?q=${encodeURIComponent(query)}&${encodeURIComponent(prompt)}=1`],
      ['POST', `/api/v1/feedback/${encodeURIComponent(conv)}`, { score: 3, input: prompt, output }],
      ['POST', '/v1/sync', `{"clientId": "${prompt}", "mutations": [`],
      ['GET', `/metrics`],
      ['GET', `/dashboard/feedback?q=${encodeURIComponent(query)}`],
    ];
    for (const token of [rater, admin, `bad-${admin}`]) {
      for (const [method, url, body] of calls) {
        await t.app.request(url, { method, headers: headers(token), body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
      }
    }
    expect(lines.length).toBe(3 * calls.length);
    const all = lines.join('\n');
    for (const secret of [rater, admin, 'COOKIE-SECRET-1', 'Bearer', ...HOSTILE, 'HOSTILE']) expect(all, secret).not.toContain(secret);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    await t.store.close();
  });
});
