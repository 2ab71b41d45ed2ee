/**
 * A virtual X display (Debian's xvfb) and real X input on it (xdotool), for the one thing headless
 * Chromium cannot do: a real context-menu click or keyboard shortcut, the user gestures that grant
 * `activeTab` (ADR 0050). Input sent over the DevTools protocol reaches the page only, never the
 * browser's menus and shortcuts (tried: a command's shortcut pressed with page.keyboard does
 * nothing). Never a skip: a missing xvfb or xdotool is an error that says what to install.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';

const XVFB = '/usr/bin/Xvfb';
const XDOTOOL = '/usr/bin/xdotool';
const run = promisify(execFile);

export interface VirtualDisplay {
  /** ":N", for the browser's DISPLAY. */
  display: string;
  /** Real X input: `xdotool <args…>` on this display. */
  xdotool(...args: string[]): Promise<void>;
  /**
   * Right-clicks at (x, y), presses `keys` in the native menu, and resolves once `opened()` says
   * the choice took effect. A native menu tells the page nothing when it is up, so this is the one
   * timed pause: it waits 0.5 s for the menu, and on a busy machine tries again (Escape first) with
   * 1 s and then 2 s before it gives up.
   */
  chooseFromContextMenu(at: { x: number; y: number }, keys: string[], opened: () => Promise<boolean>): Promise<void>;
  stop(): Promise<void>;
}

export async function startXvfb(): Promise<VirtualDisplay> {
  for (const [file, pkg] of [[XVFB, 'xvfb'], [XDOTOOL, 'xdotool']] as const) {
    if (!fs.existsSync(file)) {
      throw new Error(
        `${file} is missing${process.env.CI ? ' (CI=true: real-browser tests must run)' : ''}. Install it: apt-get install ${pkg}.`,
      );
    }
  }
  // -displayfd: Xvfb picks a free display itself and writes its number once it accepts clients.
  const child: ChildProcess = spawn(XVFB, ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const display = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdio[3]!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(`:${out.trim()}`);
    });
    child.once('exit', (code) => reject(new Error(`Xvfb exited (${code}) before it was ready: ${stderr.trim()}`)));
    child.once('error', reject);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const xdotool = async (...args: string[]) => {
    await run(XDOTOOL, args, { env: { ...process.env, DISPLAY: display } });
  };
  return {
    display,
    xdotool,
    chooseFromContextMenu: async (at, keys, opened) => {
      for (const pause of ['0.5', '1', '2']) {
        await xdotool('mousemove', String(at.x), String(at.y), 'click', '3');
        await xdotool('sleep', pause, ...keys.flatMap((k) => ['key', k]));
        if (await opened()) return;
        await xdotool('key', 'Escape');
      }
      throw new Error(`the context menu's item did not take effect after three tries (keys: ${keys.join(' ')})`);
    },
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
