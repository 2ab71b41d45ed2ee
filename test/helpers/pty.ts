/**
 * A real pseudo-terminal for CLI tests (ADR 0036): the program runs under node-pty (a kernel pty,
 * as in a terminal emulator), and what it writes is rendered by @xterm/headless, the terminal
 * emulator of VS Code's terminal without its view, so a test reads the screen a person would see
 * (cursor moves, clears, redraws applied), not the raw byte stream. Both come from npm: no system
 * package beyond the build tools better-sqlite3 needs already.
 * Waiting is polling the rendered screen (expect.poll), never a fixed sleep.
 */
import { Terminal } from '@xterm/headless';
import * as nodePty from 'node-pty';
import { expect } from 'vitest';

export interface Pty {
  /** The screen, with the scrollback above it unless `history: false`. */
  screen(opts?: { history?: boolean }): Promise<string>;
  /** Resolves once the screen (with scrollback) matches; the poll's timeout bounds it. */
  waitFor(pattern: RegExp, timeout?: number): Promise<void>;
  /** Keys by name (Enter, Down, Up, Left, Right, BSpace, Escape, Tab, Space, C-c, C-d) or single characters. */
  keys(...keys: string[]): Promise<void>;
  /** Text typed literally. */
  type(text: string): Promise<void>;
  /** null while the program runs, then its exit status. */
  exitStatus(): Promise<number | null>;
  waitForExit(timeout?: number): Promise<number>;
  /** The window title the program set (OSC 0/2), '' if none. */
  title(): Promise<string>;
  kill(): Promise<void>;
}

const KEYS: Record<string, string> = {
  Enter: '\r',
  Down: '\x1b[B',
  Up: '\x1b[A',
  Right: '\x1b[C',
  Left: '\x1b[D',
  BSpace: '\x7f',
  Escape: '\x1b',
  Tab: '\t',
  Space: ' ',
  'C-c': '\x03',
  'C-d': '\x04',
};

function keyBytes(key: string): string {
  const bytes = KEYS[key] ?? (key.length === 1 ? key : undefined);
  if (bytes === undefined) throw new Error(`unknown key name ${JSON.stringify(key)}: use one of ${Object.keys(KEYS).join(', ')} or a single character`);
  return bytes;
}

export async function startPty(argv: string[], opts: { env?: Record<string, string>; cwd?: string; width?: number; height?: number } = {}): Promise<Pty> {
  const cols = opts.width ?? 160;
  const rows = opts.height ?? 60;
  const term = new Terminal({ cols, rows, scrollback: 20_000, allowProposedApi: true });
  let title = '';
  term.onTitleChange((t) => (title = t));
  const child = nodePty.spawn(argv[0]!, argv.slice(1), {
    name: 'xterm-256color',
    cols,
    rows,
    cwd: opts.cwd ?? process.cwd(),
    env: { ...(process.env as Record<string, string>), LANG: 'C.UTF-8', TERM: 'xterm-256color', ...opts.env },
  });
  // Writes to the emulator are asynchronous: a read waits for every chunk written so far.
  let rendered: Promise<void> = Promise.resolve();
  child.onData((data) => {
    rendered = rendered.then(() => new Promise<void>((resolve) => term.write(data, resolve)));
  });
  let exit: number | null = null;
  child.onExit(({ exitCode }) => (exit = exitCode));

  const screen = async ({ history = true } = {}) => {
    await rendered;
    const buffer = term.buffer.active;
    const from = history ? 0 : buffer.baseY;
    const lines: string[] = [];
    for (let y = from; y < buffer.length; y++) {
      const line = buffer.getLine(y);
      if (!line) continue;
      // A wrapped line continues the one above (tmux's capture-pane -J).
      if (line.isWrapped && lines.length) lines[lines.length - 1] += line.translateToString(true);
      else lines.push(line.translateToString(true));
    }
    while (lines.length && lines[lines.length - 1] === '') lines.pop();
    return lines.join('\n') + '\n';
  };
  const status = async () => {
    if (exit === null) return null;
    await rendered;
    return exit;
  };
  return {
    screen,
    async waitFor(pattern, timeout = 60_000) {
      await expect.poll(() => screen(), { timeout, interval: 100, message: `screen to match ${pattern}` }).toMatch(pattern);
    },
    async keys(...keys) {
      for (const key of keys) child.write(keyBytes(key));
    },
    async type(text) {
      child.write(text);
    },
    exitStatus: status,
    async waitForExit(timeout = 60_000) {
      await expect.poll(status, { timeout, interval: 100, message: 'the program to exit' }).not.toBeNull();
      return (await status())!;
    },
    async title() {
      await rendered;
      return title;
    },
    async kill() {
      if (exit === null) {
        try {
          child.kill();
        } catch {
          // already gone
        }
      }
      term.dispose();
    },
  };
}

// ---- @clack/prompts questions (groundtruth review) -------------------------------------------

/** Waits until the question being asked (clack's active ◆ line, the last one) is `label`. */
export async function asked(pty: Pty, label: string): Promise<void> {
  await expect
    .poll(
      async () => {
        const lines = (await pty.screen()).split('\n');
        const active = lines.filter((l) => l.startsWith('◆'));
        return active.at(-1) ?? '';
      },
      { timeout: 60_000, interval: 100, message: `the question "${label}"` },
    )
    .toContain(label);
}

/** Moves a select from "keep" to option `index` of the known values (1-based) and confirms. */
export async function pick(pty: Pty, label: string, index: number): Promise<void> {
  await asked(pty, label);
  await pty.keys(...Array.from({ length: index }, () => 'Down'), 'Enter');
}

/** Types `text` (nothing: keeps the AI's value) at the question `label` and confirms. */
export async function answer(pty: Pty, label: string, text: string): Promise<void> {
  await asked(pty, label);
  if (text) await pty.type(text);
  await pty.keys('Enter');
}
