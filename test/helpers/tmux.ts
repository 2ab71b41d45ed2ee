/**
 * A real pseudo-terminal for CLI tests: a program run in a detached tmux session on a private
 * socket (-L), typed to with send-keys and read with capture-pane (ADR 0036). The pane stays
 * after the program exits (remain-on-exit), so its last screen and exit status (printed by a
 * shell around it) can be read.
 * Waiting is polling the screen (expect.poll), never a fixed sleep.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { tempDir } from './app.ts';

const run = promisify(execFile);

/** The tmux binary, or an Error saying how to get it: a test that needs it fails, never skips. */
export function tmuxBinary(): string {
  for (const candidate of [process.env.TMUX_BIN, '/usr/bin/tmux', '/usr/local/bin/tmux'].filter(Boolean) as string[]) {
    if (fs.existsSync(candidate)) return candidate;
  }
  try {
    return execFileSync('sh', ['-c', 'command -v tmux'], { encoding: 'utf8' }).trim() || missing();
  } catch {
    return missing();
  }
}
function missing(): never {
  throw new Error('tmux is not installed: the pseudo-terminal tests need it (apt-get install tmux; .ci/run installs it)');
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
let sessions = 0;

export interface Pty {
  /** The screen, with the scrollback (`history` lines above it) when asked. */
  screen(opts?: { history?: boolean }): Promise<string>;
  /** Resolves once the screen (with scrollback) matches; the poll's timeout bounds it. */
  waitFor(pattern: RegExp, timeout?: number): Promise<void>;
  /** Keys by tmux name (Enter, Down, BSpace, C-c) or single characters. */
  keys(...keys: string[]): Promise<void>;
  /** Text typed literally. */
  type(text: string): Promise<void>;
  /** null while the program runs, then its exit status. */
  exitStatus(): Promise<number | null>;
  waitForExit(timeout?: number): Promise<number>;
  title(): Promise<string>;
  kill(): Promise<void>;
}

export async function startPty(argv: string[], opts: { env?: Record<string, string>; cwd?: string; width?: number; height?: number } = {}): Promise<Pty> {
  const tmux = tmuxBinary();
  const socket = `gt-pty-${process.pid}-${++sessions}`;
  const conf = path.join(tempDir('gt-tmux-'), 'tmux.conf');
  fs.writeFileSync(conf, 'set -g remain-on-exit on\nset -g history-limit 20000\nset -g status off\n');
  const t = (...args: string[]) => run(tmux, ['-u', '-L', socket, ...args], { env: { ...process.env, LANG: 'C.UTF-8' }, encoding: 'utf8' });
  const envArgs = Object.entries(opts.env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  await t(
    '-f', conf, 'new-session', '-d', '-x', String(opts.width ?? 160), '-y', String(opts.height ?? 60), '-c', opts.cwd ?? process.cwd(),
    ...envArgs, ['sh', '-c', '"$@"; echo "[exited with $?]"', 'sh', ...argv].map(quote).join(' '),
  );
  const screen = async ({ history = true } = {}) => (await t('capture-pane', '-p', '-J', ...(history ? ['-S', '-'] : []))).stdout;
  // The exit status as the shell around the program prints it: tmux's own #{pane_dead_status} is
  // sometimes never filled in when the pane closed before tmux reaped the child.
  const status = async () => {
    const found = /\[exited with (\d+)\]/.exec(await screen());
    return found ? Number(found[1]) : null;
  };
  return {
    screen,
    async waitFor(pattern, timeout = 60_000) {
      await expect.poll(() => screen(), { timeout, interval: 100, message: `screen to match ${pattern}` }).toMatch(pattern);
    },
    async keys(...keys) {
      await t('send-keys', ...keys);
    },
    async type(text) {
      await t('send-keys', '-l', text);
    },
    exitStatus: status,
    async waitForExit(timeout = 60_000) {
      await expect.poll(status, { timeout, interval: 100, message: 'the program to exit' }).not.toBeNull();
      return (await status())!;
    },
    async title() {
      return (await t('display-message', '-p', '#{pane_title}')).stdout.trim();
    },
    async kill() {
      await t('kill-server').catch(() => undefined);
    },
  };
}
