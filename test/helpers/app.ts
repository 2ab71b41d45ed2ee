/**
 * Builds the real app on a real store for `app.request()` tests: a temp SQLite file, or under
 * `npm test`'s PostgreSQL run a fresh PostgreSQL schema (test/helpers/backend.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp, type AppOptions } from '../../server/app.ts';
import { openStore, type Store } from '../../server/store/open.ts';
import { openTestStore } from './backend.ts';
import { createToken } from '../../server/store/tokens.ts';
import type { Role } from '../../shared/schemas.ts';
import { uuidv7 } from '../../shared/ids.ts';

export function tempDir(prefix = 'gt-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * One turn of the event loop. A request through `app.request` on SQLite can finish on microtasks
 * alone, so a campaign of thousands (test/fuzz/bad-input.test.ts: 10,000 in 115 s) never lets the
 * loop turn. libuv's clock then stands still, a timer set at the end starts "115 s ago", and
 * vitest's 60 s worker RPC timeout fired at once: "Timeout calling onTaskUpdate", and a run whose
 * every test passed exited 1 (CI at stop 23).
 */
export const turnTheLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * `app.request` that first lets the event loop turn (see turnTheLoop): every in-process request
 * of a test goes through here, or through `createTestApp`, which uses it.
 */
export function yielding<A extends { request: (...args: any[]) => any }>(app: A): A {
  const request = app.request.bind(app);
  app.request = (async (...args: unknown[]) => {
    await turnTheLoop();
    return request(...args);
  }) as A['request'];
  return app;
}

/** An explicit `dataDir` always means SQLite in that directory (tests that reopen a file). */
export async function createTestApp(
  options: { dataDir?: string; rateLimitPerMinute?: number; webhookAddresses?: AppOptions['webhookAddresses'] } = {},
) {
  const dataDir = options.dataDir ?? tempDir();
  const store: Store = options.dataDir ? await openStore({ dataDir }) : await openTestStore();
  const app = yielding(createApp({ store, rateLimitPerMinute: options.rateLimitPerMinute, webhookAddresses: options.webhookAddresses }));
  return {
    app,
    store,
    dataDir,
    async token(role: Role, opts: { workspaceId?: string; raterId?: string; name?: string } = {}) {
      return createToken(store.db, { role, name: opts.name ?? `${role}-${Math.random().toString(36).slice(2, 7)}`, ...opts });
    },
    /** JSON request with a bearer token. */
    call(token: string, method: string, url: string, body?: unknown) {
      return app.request(url, {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
    },
  };
}

let counter = 0;
/** A valid feedback record; override what the test is about. */
export function makeFeedback(overrides: Record<string, unknown> = {}) {
  const now = new Date(Date.UTC(2026, 0, 1, 12, 0, counter++)).toISOString();
  return {
    id: uuidv7(),
    target: {
      kind: 'chat_response',
      key: `chatgpt:msg-${Math.random().toString(36).slice(2)}`,
      site: 'chatgpt',
      model: 'gpt-5',
      conversationId: 'conv-1',
      prompt: 'What is 2+2?',
      output: '4',
    },
    rating: { thumb: 'up' },
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

export function upsert(feedback: ReturnType<typeof makeFeedback>) {
  return { id: feedback.id, op: 'upsert', updatedAt: feedback.updatedAt, feedback };
}
