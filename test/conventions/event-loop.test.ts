/**
 * In-process requests let the event loop turn. Without it a campaign of thousands of `app.request`
 * calls on SQLite runs on microtasks alone for minutes; libuv's clock stands still, and vitest's
 * fixed 60 s worker RPC timeout, started on that stale clock, fired at once when the file ended:
 * "Timeout calling onTaskUpdate", exit 1 with every test green (CI at stop 23).
 */
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.ts';

describe('in-process requests in tests', () => {
  it('let the loop turn, through its poll phase (createTestApp’s app.request and call)', async () => {
    const t = await createTestApp();
    for (const send of [() => t.app.request('/healthz'), () => t.call('no-token', 'GET', '/v1/feedback')]) {
      let fired = false;
      // Queued first, so it runs before the request goes on, if the request waits for the loop at
      // all; that wait passes the poll phase, where a worker reads vitest's RPC replies.
      setImmediate(() => (fired = true));
      await send();
      expect(fired).toBe(true);
    }
  });
});
