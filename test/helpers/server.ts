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
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${out}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not become healthy in 30 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const cli = (args: string[]) => run(process.execPath, [BIN, ...args], { cwd: ROOT, env });
  return {
    url,
    port,
    dataDir,
    adminToken: /Admin token: (\S+)/.exec(out)?.[1],
    process: child,
    output: () => out,
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
