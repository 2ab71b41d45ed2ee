/**
 * Start-up of the CLI and the server, compiled (dist/groundtruth.js, ADR 0043) against the same
 * sources through tsx, interleaved in one run so both see the same machine: `groundtruth --help`,
 * and `groundtruth serve` until /healthz answers. Figures are medians of N runs each, and the
 * ratio tsx / compiled.
 */
import { spawn, execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildServer } from '../../bin/build-server.js';
import { freePort } from '../helpers/server.ts';
import { tempDir } from '../helpers/app.ts';
import type { Bench } from './index.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const N = Number(process.env.GT_BENCH_STARTUP_RUNS ?? 7);
const WAYS = {
  compiled: [path.join(ROOT, 'dist/groundtruth.js')],
  tsx: ['--import', 'tsx', path.join(ROOT, 'server/cli/index.ts')],
} as const;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function help(way: keyof typeof WAYS): Promise<number> {
  const started = performance.now();
  await run(process.execPath, [...WAYS[way], '--help'], { cwd: ROOT });
  return performance.now() - started;
}

/** `serve` on a fresh data directory until /healthz answers 200; then SIGTERM. */
async function serve(way: keyof typeof WAYS): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [...WAYS[way], 'serve'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: tempDir('gt-bench-startup-') },
    stdio: 'ignore',
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`serve (${way}) exited with ${child.exitCode}`);
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
      if (ok) return performance.now() - started;
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

const bench: Bench = {
  name: 'startup',
  description: 'CLI and server start-up, compiled build vs the sources through tsx (medians, interleaved)',
  async run() {
    await buildServer();
    const times: Record<string, number[]> = { helpCompiled: [], helpTsx: [], serveCompiled: [], serveTsx: [] };
    for (let i = 0; i < N; i++) {
      times.helpCompiled!.push(await help('compiled'));
      times.helpTsx!.push(await help('tsx'));
      times.serveCompiled!.push(await serve('compiled'));
      times.serveTsx!.push(await serve('tsx'));
    }
    const ms = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, Math.round(median(v))]));
    return {
      runs: N,
      medianMs: ms,
      helpTsxOverCompiled: +(ms.helpTsx! / ms.helpCompiled!).toFixed(2),
      serveTsxOverCompiled: +(ms.serveTsx! / ms.serveCompiled!).toFixed(2),
    };
  },
};
export default bench;
