/**
 * `groundtruth review` as a reviewer uses it: the real CLI in a real pseudo-terminal (node-pty, the screen
 * rendered by @xterm/headless: test/helpers/pty.ts), against
 * a real server process, with the items posted and the feedback read back over HTTP (ADR 0036).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startServer, type ServerHandle } from '../../../test/helpers/server.ts';
import { answer, asked, pick, startPty, type Pty } from '../../../test/helpers/pty.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const BIN = path.join(ROOT, 'bin/groundtruth.js');
const run = promisify(execFile);

let server: ServerHandle;
let token: string;
const ptys: Pty[] = [];

async function api(method: string, route: string, body?: unknown): Promise<any> {
  const res = await fetch(`${server.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
}

/** `n` DAGnostics errors of one DAG, analysed; the first is the newest (the queue's order). */
async function postErrors(subject: string, n: number, extra: (i: number) => Record<string, unknown> = () => ({})) {
  const base = Date.now() - 3_600_000;
  const items = Array.from({ length: n }, (_, i) => ({
    key: `${subject}-${i}`,
    kind: 'error_analysis',
    subject,
    model: 'llama3.1-8b',
    input: `Analyse this Airflow log of ${subject}.load_${i}`,
    output: '{"category":"timeout_error","severity":"high"}',
    createdAt: new Date(base - i * 60_000).toISOString(),
    context: {
      dag_id: subject,
      task_id: `load_${i}`,
      run_id: `scheduled__2026-11-30T0${i % 10}:00:00`,
      error_message: `psycopg2.OperationalError: connection to warehouse timed out (${i})`,
      log_context: `[INFO] starting load_${i}\n[INFO] connecting\n[ERROR] timeout after 30s`,
    },
    prediction: { extractedError: 'connection timed out', category: 'timeout_error', severity: 'high', confidence: 0.8, reasoning: 'The warehouse did not answer.' },
    ...extra(i),
  }));
  const { results } = await api('POST', '/v1/items', { items });
  expect(results.map((r: { status: string }) => r.status)).toEqual(items.map(() => 'created'));
}

async function feedbackOf(subject: string): Promise<any[]> {
  const { items } = await api('GET', `/v1/feedback?limit=100&subject=${subject}`);
  return items;
}

async function review(args: string[], env: Record<string, string> = { GROUNDTRUTH_URL: server.url, GROUNDTRUTH_TOKEN: token }): Promise<Pty> {
  const pty = await startPty([process.execPath, BIN, 'review', ...args], { env, cwd: ROOT });
  ptys.push(pty);
  return pty;
}

beforeAll(async () => {
  server = await startServer();
  token = await server.createToken('rater', 'reviewer');
}, 180_000);

afterAll(async () => {
  for (const p of ptys) await p.kill();
  await server?.stop();
});

// Each CLI start is a tsx start (seconds on a busy machine), and each item is a dozen questions.
describe('groundtruth review in a pseudo-terminal', { timeout: 300_000 }, () => {
  it('reviews 10 errors: rating, category and severity corrections, a comment; progress on screen; 10 records with the corrected analysis', async () => {
    await postErrors('etl_orders', 10);
    const pty = await review(['--subject', 'etl_orders', '--limit', '10', '--require-analysis']);
    await pty.waitFor(/10 unrated item\(s\)/);
    for (let i = 0; i < 10; i++) {
      await asked(pty, `[${i + 1}/10] Rate the AI analysis`);
      expect(await pty.screen({ history: false })).toContain(`Task: load_${i}`);
      await pty.keys(String((i % 5) + 1));
      await answer(pty, 'Extracted error', i === 3 ? 'warehouse connection refused' : '');
      if (i % 2 === 0) {
        await pick(pty, 'Category', 2); // keep, configuration_error, resource_error
        await pick(pty, 'Severity', 4); // keep, low, medium, high, critical
      } else {
        await pick(pty, 'Category', 0);
        await pick(pty, 'Severity', 0);
      }
      if (i === 1) {
        await answer(pty, 'Confidence', '1.5'); // refused: stays on the question
        await pty.waitFor(/a number from 0 to 1/);
        await pty.keys('BSpace', 'BSpace', 'BSpace');
        await pty.type('0.3');
        await pty.keys('Enter');
      } else await answer(pty, 'Confidence', '');
      await answer(pty, 'Reasoning', '');
      await answer(pty, 'Comment', `comment ${i}`);
      await pty.waitFor(new RegExp(`${i + 1}/10 reviewed, ${i + 1} with feedback`));
    }
    await pty.waitFor(/Done: 10\/10 reviewed, 10 with feedback\./);
    expect(await pty.waitForExit()).toBe(0);

    const records = await feedbackOf('etl_orders');
    expect(records).toHaveLength(10);
    const ai = { extractedError: 'connection timed out', category: 'timeout_error', severity: 'high', confidence: 0.8, reasoning: 'The warehouse did not answer.' };
    for (let i = 0; i < 10; i++) {
      const r = records.find((x) => x.target.key === `item:etl_orders-${i}`);
      expect(r, `feedback for item ${i}`).toBeDefined();
      expect(r.target).toMatchObject({ kind: 'error_analysis', subject: 'etl_orders', model: 'llama3.1-8b', prompt: `Analyse this Airflow log of etl_orders.load_${i}` });
      expect(r.rating).toEqual({ stars: (i % 5) + 1 });
      expect(r.comment).toBe(`comment ${i}`);
      const corrected = {
        ...ai,
        ...(i % 2 === 0 && { category: 'resource_error', severity: 'critical' }),
        ...(i === 1 && { confidence: 0.3 }),
        ...(i === 3 && { extractedError: 'warehouse connection refused' }),
      };
      if (i % 2 === 0 || i === 1 || i === 3) expect(r.correction).toEqual({ fields: corrected });
      else expect(r.correction ?? null).toBeNull();
    }
    const queue = await api('GET', '/v1/items?unrated=1&subject=etl_orders');
    expect(queue.items).toEqual([]);
  });

  it('stops on q and on Ctrl+C with a summary, and a second run resumes (skipped items come back)', async () => {
    await postErrors('etl_billing', 4);
    const first = await review(['--subject', 'etl_billing']);
    await asked(first, '[1/4] Rate the AI analysis');
    await first.keys('5');
    for (const label of ['Extracted error', 'Category', 'Severity', 'Confidence', 'Reasoning', 'Comment']) await answer(first, label, '');
    await first.waitFor(/1\/4 reviewed, 1 with feedback/);
    await asked(first, '[2/4] Rate the AI analysis');
    await first.keys('s');
    await first.waitFor(/2\/4 reviewed, 1 with feedback/);
    await asked(first, '[3/4] Rate the AI analysis');
    await first.keys('q');
    await first.waitFor(/Stopped: 2\/4 reviewed, 1 with feedback; 1 skipped/);
    expect(await first.waitForExit()).toBe(0);
    expect((await feedbackOf('etl_billing')).map((r) => r.target.key)).toEqual(['item:etl_billing-0']);

    // Resumed: the rated item is gone; the skipped one (the newest left) comes first.
    const second = await review(['--subject', 'etl_billing']);
    await second.waitFor(/3 unrated item\(s\)/);
    await asked(second, '[1/3] Rate the AI analysis');
    expect(await second.screen({ history: false })).toContain('Task: load_1');
    await second.keys('2');
    await answer(second, 'Extracted error', '');
    await pick(second, 'Category', 1);
    await answer(second, 'Severity', '');
    await answer(second, 'Confidence', '');
    await answer(second, 'Reasoning', '');
    await answer(second, 'Comment', '');
    await second.waitFor(/1\/3 reviewed, 1 with feedback/);
    await asked(second, '[2/3] Rate the AI analysis');
    await second.keys('3');
    await asked(second, 'Extracted error');
    await second.keys('C-c'); // mid-item: this item's answers are dropped
    await second.waitFor(/Stopped: 1\/3 reviewed, 1 with feedback\. Run the same command again to resume/);
    expect(await second.waitForExit()).toBe(0);

    const records = await feedbackOf('etl_billing');
    expect(records.map((r) => r.target.key).sort()).toEqual(['item:etl_billing-0', 'item:etl_billing-1']);
    expect(records.find((r) => r.target.key === 'item:etl_billing-1').correction).toEqual({
      fields: { extractedError: 'connection timed out', category: 'configuration_error', severity: 'high', confidence: 0.8, reasoning: 'The warehouse did not answer.' },
    });
    const left = await api('GET', '/v1/items?unrated=1&subject=etl_billing');
    expect(left.items.map((i: { key: string }) => i.key)).toEqual(['etl_billing-2', 'etl_billing-3']);
  });

  it('shows hostile text with its control characters escaped: no screen clear, retitle or colour reaches the terminal', async () => {
    await postErrors('etl_hostile', 1, () => ({
      output: 'ok\x1b[31mRED\x1b[0m',
      context: { dag_id: 'etl_hostile', task_id: 'load\u202eevil', error_message: 'boom\x1b[2J\x1b[H\x1b]0;pwned\x07', log_context: 'a\rb\x1b[1A' },
      prediction: { category: 'timeout_error\x1b[5m', reasoning: 'why\x1b]0;pwned2\x07' },
    }));
    const pty = await review(['--subject', 'etl_hostile']);
    await asked(pty, '[1/1] Rate the AI analysis');
    const screen = await pty.screen({ history: false });
    expect(screen).toContain('Groundtruth review'); // the intro is still on screen: nothing cleared it
    expect(screen).toContain('boom\\x1b[2J\\x1b[H\\x1b]0;pwned\\x07');
    expect(screen).toContain('load\\u202eevil');
    expect(screen).toContain('ok\\x1b[31mRED\\x1b[0m');
    expect(screen).toContain('a\\rb\\x1b[1A');
    expect(screen).toContain('why\\x1b]0;pwned2\\x07');
    expect(await pty.title()).not.toMatch(/pwned/);
    await pty.keys('4');
    await asked(pty, 'Extracted error');
    await pty.keys('Enter');
    await asked(pty, 'Category');
    expect(await pty.screen({ history: false })).toContain('keep: timeout_error\\x1b[5m');
    await pty.keys('C-c');
    await pty.waitFor(/Stopped: 0\/1 reviewed, 0 with feedback/);
    expect(await pty.waitForExit()).toBe(0);
  });

  it('a refused token and an unreachable server are one clear line and exit 1', async () => {
    const bad = await review([], { GROUNDTRUTH_URL: server.url, GROUNDTRUTH_TOKEN: 'gt_not_a_real_token' });
    await bad.waitFor(/groundtruth: the server at http:\/\/127\.0\.0\.1:\d+ refused the token \(401\)/);
    expect(await bad.waitForExit()).toBe(1);
    const port = await freePort(); // nothing listens there
    const down = await review(['--url', `http://127.0.0.1:${port}`, '--token', token], {});
    await down.waitFor(new RegExp(`groundtruth: cannot reach the server at http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`));
    expect(await down.waitForExit()).toBe(1);
  });

  it('refuses unknown and conflicting flags before any request', async () => {
    const fails = async (args: string[]) => {
      const err = await run(process.execPath, [BIN, 'review', ...args], { cwd: ROOT, env: { ...process.env, GROUNDTRUTH_URL: server.url, GROUNDTRUTH_TOKEN: token } }).then(
        () => expect.fail(`review ${args.join(' ')} succeeded`),
        (e: { code: number; stderr: string }) => e,
      );
      expect(err.code).toBe(1);
      return err.stderr;
    };
    expect(await fails(['--colour', 'red'])).toContain("unknown option '--colour'");
    expect(await fails(['--date', '2026-11-30', '--days', '7'])).toContain('conflicting options --date and --days');
    expect(await fails(['--date', 'yesterday'])).toContain('--date must be a date, YYYY-MM-DD');
    expect(await fails(['--limit', '0'])).toContain('--limit must be from 1 to 1000');
    expect(await fails([])).toContain('run it in a terminal');
  });
});
