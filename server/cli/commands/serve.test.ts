import { execFile } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type ServerHandle } from '../../../test/helpers/server.ts';
import { tempDir } from '../../../test/helpers/app.ts';

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '../../../bin/groundtruth.js');
const running: ServerHandle[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop('SIGKILL')));
});

function feedbackBody(id: string) {
  const at = new Date().toISOString();
  return { id, target: { kind: 'chat_response', key: `k-${id}`, model: 'm' }, rating: { thumb: 'up' }, createdAt: at, updatedAt: at };
}

describe('groundtruth serve', { timeout: 300_000 }, () => {
  it('prints an admin token once on first start, serves real HTTP, and keeps data across a restart', async () => {
    const dataDir = tempDir();
    const first = await startServer({ dataDir });
    running.push(first);
    expect(first.adminToken).toMatch(/^gt_/);
    expect(first.output()).toContain('/dashboard');
    const rater = await first.createToken('rater', 'alice');
    expect(rater).toMatch(/^gt_[\w-]{43}$/);
    const id = crypto.randomUUID();
    const post = await fetch(`${first.url}/v1/feedback`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${rater}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(feedbackBody(id)),
    });
    expect(post.status).toBe(201);
    expect(await first.stop('SIGTERM')).toBe(0);

    const second = await startServer({ dataDir });
    running.push(second);
    expect(second.adminToken).toBeUndefined();
    expect(second.output()).not.toContain('Admin token');
    const got = await fetch(`${second.url}/v1/feedback/${id}`, { headers: { Authorization: `Bearer ${rater}` } });
    expect(got.status).toBe(200);
    expect((await got.json()).id).toBe(id);
  });

  it('on SIGTERM finishes a request in flight before exiting', async () => {
    const s = await startServer();
    running.push(s);
    const rater = await s.createToken('rater');
    const mutations = Array.from({ length: 500 }, () => {
      const f = feedbackBody(crypto.randomUUID());
      return { id: f.id, op: 'upsert', updatedAt: f.updatedAt, feedback: { ...f, target: { ...f.target, output: 'x'.repeat(1000) } } };
    });
    const body = JSON.stringify({ clientId: 'c', mutations });
    // `Expect: 100-continue`: the server answers "continue" once it has the request's headers, so
    // the request is in flight when SIGTERM comes (an event, not a guess at how long that takes).
    const req = http.request(`${s.url}/v1/sync`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${rater}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Expect: '100-continue' },
    });
    const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
      req.on('error', reject);
      req.on('response', (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      });
    });
    await new Promise<void>((resolve) => req.on('continue', resolve));
    const exited = s.stop('SIGTERM');
    req.end(body);
    const res = await answered;
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text).results.every((r: { status: string }) => r.status === 'applied')).toBe(true);
    expect(await exited).toBe(0);
  });

  it('stops start-up with one clear line on a bad environment value', async () => {
    const err = await run(process.execPath, [BIN, 'serve'], { env: { ...process.env, PORT: 'eighty', DATA_DIR: tempDir() } }).catch((e) => e);
    expect(err.code).toBe(1);
    expect(err.stderr.trim().split('\n')).toHaveLength(1);
    expect(err.stderr).toMatch(/PORT="eighty".*port number/);
    const pg = await run(process.execPath, [BIN, 'serve'], { env: { ...process.env, DATABASE_URL: 'mysql://x', DATA_DIR: tempDir() } }).catch((e) => e);
    expect(pg.code).toBe(1);
    expect(pg.stderr).toMatch(/DATABASE_URL.*postgres:\/\//);
  });
});

describe('groundtruth token', { timeout: 300_000 }, () => {
  it('creates (secret alone on the last stdout line), lists without secrets, and revokes', async () => {
    const env = { ...process.env, DATA_DIR: tempDir() };
    const created = await run(process.execPath, [BIN, 'token', 'create', '--role', 'analyst', '--name', 'ann', '--workspace', 'team-b'], { env });
    const lines = created.stdout.trim().split('\n');
    const secret = lines[lines.length - 1]!;
    expect(secret).toMatch(/^gt_/);
    const listed = await run(process.execPath, [BIN, 'token', 'list', '--json'], { env });
    const tokens = JSON.parse(listed.stdout);
    expect(tokens).toHaveLength(1);
    expect(tokens[0]).toMatchObject({ role: 'analyst', name: 'ann', workspaceId: 'team-b', revokedAt: null });
    expect(listed.stdout).not.toContain(secret);
    await run(process.execPath, [BIN, 'token', 'revoke', tokens[0].id, '--workspace', 'team-b'], { env });
    const after = JSON.parse((await run(process.execPath, [BIN, 'token', 'list', '--json'], { env })).stdout);
    expect(after[0].revokedAt).not.toBeNull();
    const bad = await run(process.execPath, [BIN, 'token', 'create', '--role', 'king', '--name', 'x'], { env }).catch((e) => e);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/king/);
  });
});
