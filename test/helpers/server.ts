/**
 * Runs the real server process (`node bin/groundtruth.js serve`) on a free port with its own data
 * directory, for tests that need real HTTP: the extension end-to-end tests, crash tests, benches.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from './app.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/groundtruth.js');
const run = promisify(execFile);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface ServerHandle {
  url: string;
  port: number;
  dataDir: string;
  /** The admin token printed on first start (undefined when the store already had tokens). */
  adminToken?: string;
  process: ChildProcess;
  output(): string;
  /** Resolves with the first match of `pattern` in the output (now or later); rejects if the process exits first. */
  waitForOutput(pattern: RegExp): Promise<RegExpExecArray>;
  /** `groundtruth token create` against the same store; resolves to the token. */
  createToken(role: 'rater' | 'analyst' | 'admin', name?: string, extra?: string[]): Promise<string>;
  /** Runs any CLI command with this server's env. */
  cli(args: string[]): Promise<{ stdout: string; stderr: string }>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startServer(opts: { dataDir?: string; port?: number; env?: Record<string, string> } = {}): Promise<ServerHandle> {
  const dataDir = opts.dataDir ?? tempDir('gt-server-');
  const port = opts.port ?? (await freePort());
  const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, ...opts.env };
  const child = spawn(process.execPath, [BIN, 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const watchers = new Set<() => void>();
  const onOutput = (d: Buffer) => {
    out += d;
    for (const w of [...watchers]) w();
  };
  child.stdout!.on('data', onOutput);
  child.stderr!.on('data', onOutput);
  const waitForOutput = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(out);
        if (match) done(() => resolve(match));
      };
      const exited = () => done(() => reject(new Error(`server exited with ${child.exitCode} before printing ${pattern}:\n${out}`)));
      const done = (settle: () => void) => {
        watchers.delete(check);
        child.off('exit', exited);
        settle();
      };
      watchers.add(check);
      child.once('exit', exited);
      check();
      if (child.exitCode !== null) exited();
    });
  const url = `http://127.0.0.1:${port}`;
  // Up when it says so (it prints this line once listening), not after polling against a deadline:
  // the test's own timeout bounds a start-up that hangs.
  await waitForOutput(/Groundtruth is serving on /);
  const cli = (args: string[]) => run(process.execPath, [BIN, ...args], { cwd: ROOT, env });
  return {
    url,
    port,
    dataDir,
    adminToken: /Admin token: (\S+)/.exec(out)?.[1],
    process: child,
    output: () => out,
    waitForOutput,
    cli,
    async createToken(role, name = `${role}-${Date.now()}`, extra = []) {
      const { stdout } = await cli(['token', 'create', '--role', role, '--name', name, ...extra]);
      return stdout.trim().split('\n').pop()!;
    },
    stop(signal = 'SIGTERM') {
      return new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill(signal);
      });
    },
  };
}
