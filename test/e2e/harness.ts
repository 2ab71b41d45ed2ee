/**
 * Real Chromium with the built extension (.output/chrome-mv3), for the end-to-end tests and the
 * extension benchmark. Saved real pages are served at their real addresses with context.route, so
 * the content script runs on them as on the site. Nothing here skips: a missing Chromium or a
 * missing build is an error that says what to do.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import { readSiteFixture } from '../helpers/sites.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const EXTENSION_DIR = path.join(ROOT, '.output/chrome-mv3');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const RESULTS_DIR = path.join(ROOT, 'test-results');

/**
 * Throws (never skips) when the browser or the build is missing. Waits a little for a build in
 * progress (\`wxt build\` empties the folder first), then copies the build aside, so a rebuild
 * during the test cannot pull files from under the running browser.
 */
export async function requireBrowserAndBuild(copyTo: string): Promise<string> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not at ${CHROMIUM}${process.env.CI ? ' (CI=true: real-browser tests must run)' : ''}. ` +
        'Install it (apt-get install chromium) or set CHROMIUM_PATH.',
    );
  }
  const manifest = path.join(EXTENSION_DIR, 'manifest.json');
  const deadline = Date.now() + 90_000;
  for (;;) {
    // The manifest is written last; the folder then settles a moment later.
    if (fs.existsSync(manifest) && Date.now() - fs.statSync(manifest).mtimeMs > 2_000) break;
    if (Date.now() > deadline) throw new Error(`No built extension in ${EXTENSION_DIR}: run "npx wxt build" first (npm test does).`);
    await new Promise((r) => setTimeout(r, 500));
  }
  // Once per profile: an unpacked extension's id comes from its path, and a relaunch must find
  // the same extension (its storage and outbox) again.
  if (!fs.existsSync(path.join(copyTo, 'manifest.json'))) fs.cpSync(EXTENSION_DIR, copyTo, { recursive: true });
  return copyTo;
}

export interface ExtensionBrowser {
  context: BrowserContext;
  extensionId: string;
  worker: Worker;
  close(): Promise<void>;
}

export interface LaunchOptions {
  /**
   * Host match patterns granted as if the rater had accepted the options page's prompt. Headless
   * Chromium cannot accept permissions.request's dialog (it never answers: tried, ADR 0050), so the
   * test's copy of the build lists them in host_permissions, which Chromium grants at install; the
   * extension sees them through permissions.contains like any grant.
   */
  grantHosts?: string[];
  /**
   * An X display (xvfb.ts) to run a windowed Chromium on, instead of headless: for tests that need
   * real X input (a context-menu click, a command's shortcut).
   */
  display?: string;
}

function grantAtInstall(extensionDir: string, hosts: string[]): void {
  const file = path.join(extensionDir, 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
  manifest.host_permissions = [...new Set([...(manifest.host_permissions ?? []), ...hosts])];
  fs.writeFileSync(file, JSON.stringify(manifest));
}

/** Flags from DESIGN.md ("Real browser tests"). */
export async function launchWithExtension(userDataDir: string, options: LaunchOptions = {}): Promise<ExtensionBrowser> {
  const extensionDir = await requireBrowserAndBuild(`${userDataDir.replace(/\/+$/, '')}.extension`);
  if (options.grantHosts) grantAtInstall(extensionDir, options.grantHosts);
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: false,
    // A windowed browser keeps its real window size, so page and screen coordinates agree.
    viewport: options.display ? null : { width: 1280, height: 900 },
    ...(options.display ? { env: { ...process.env, DISPLAY: options.display } } : {}),
    args: [
      ...(options.display ? ['--window-position=0,0', '--window-size=1280,1000'] : ['--headless=new']),
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 20_000 }));
  const extensionId = new URL(worker.url()).host;
  return { context, extensionId, worker, close: () => context.close() };
}

/** A saved page fragment as a whole document (UTF-8: several are in Japanese). */
export function asDocument(fragment: string, title = 'Saved page'): string {
  if (/^\s*<!doctype/i.test(fragment)) return fragment;
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body>${fragment.replace(/^<!--[\s\S]*?-->\s*/, '')}</body></html>`;
}

/**
 * Serves `html` for every document request under `origin` (e.g. https://chatgpt.com) and an empty
 * 404 for anything else there, so nothing leaves the machine.
 */
export async function serveSite(context: BrowserContext, origin: string, html: string | (() => string)): Promise<void> {
  await context.route(`${origin}/**`, (route) => {
    if (route.request().resourceType() === 'document') {
      return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: typeof html === 'string' ? html : html() });
    }
    return route.fulfill({ status: 404, body: '' });
  });
}

export function savedPage(fixture: string): string {
  return asDocument(readSiteFixture(fixture));
}

export async function extensionPage(b: ExtensionBrowser, file: 'popup.html' | 'options.html'): Promise<Page> {
  const page = await b.context.newPage();
  await page.goto(`chrome-extension://${b.extensionId}/${file}`);
  return page;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

/** Sets server URL and token on the options page and saves, as a rater would. */
export async function configure(b: ExtensionBrowser, serverUrl: string, token: string): Promise<Page> {
  const options = await extensionPage(b, 'options.html');
  await options.locator('input[name=serverUrl]').fill(serverUrl);
  await options.locator('input[name=token]').fill(token);
  await options.locator('[data-gt="save-settings"]').click();
  await options.locator('[data-gt="save-result"]', { hasText: 'Saved.' }).waitFor();
  return options;
}

/** Counts in the popup (a fresh load of popup.html). */
export async function popupCounts(popup: Page): Promise<{ pending: number; synced: number; rejected: number }> {
  const read = async (hook: string) => Number(await popup.locator(`[data-gt="${hook}"]`).textContent());
  await popup.locator('[data-gt="pending-count"]').waitFor();
  return { pending: await read('pending-count'), synced: await read('synced-count'), rejected: await read('rejected-count') };
}

/** Presses Sync now and waits until the popup shows nothing pending. */
export async function syncNow(popup: Page): Promise<void> {
  await popup.locator('[data-gt="sync-now"]').click();
  await popup.locator('[data-gt="sync-now"]', { hasText: 'Sync now' }).waitFor();
  await popup.locator('[data-gt="pending-count"]', { hasText: /^0$/ }).waitFor({ timeout: 15_000 });
}

/**
 * Init script (page.addInitScript, or `watchContent`): records the content script's
 * groundtruth:ready and groundtruth:scanned events (extension/content/controller.ts) in the page,
 * so a test awaits what the content script did instead of waiting a while.
 */
export const CONTENT_EVENTS = `
  window.__gtContent = { ready: null, scans: [], wake: [] };
  const note = (key) => (e) => {
    const detail = JSON.parse(e.detail);
    if (key === 'ready') window.__gtContent.ready = detail; else window.__gtContent.scans.push(detail);
    const wake = window.__gtContent.wake; window.__gtContent.wake = []; for (const w of wake) w();
  };
  document.addEventListener('groundtruth:ready', note('ready'));
  document.addEventListener('groundtruth:scanned', note('scans'));
`;

export interface ContentReady {
  /** The adapters (built-in ids, rule ids) active on the page. */
  adapters: string[];
  rules: number;
}

/** Records the content script's events on every page opened after this. */
export async function watchContent(context: BrowserContext): Promise<void> {
  await context.addInitScript(CONTENT_EVENTS);
}

/** Resolves once the content script has its config: which adapters it runs on this page. */
export async function contentReady(page: Page): Promise<ContentReady> {
  return page.evaluate(
    () =>
      new Promise<ContentReady>((resolve) => {
        const c = (globalThis as any).__gtContent;
        const check = () => (c.ready ? resolve(c.ready) : c.wake.push(check));
        check();
      }),
  );
}

/**
 * Changes the page (a node the adapters ignore) and resolves with the widget count after the
 * content script's next scan has nothing left to place: the page has settled.
 */
export async function settledWidgets(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const c = (globalThis as any).__gtContent;
        const probe = () => {
          const seen = c.scans.length;
          const wait = () => {
            const last = c.scans[c.scans.length - 1];
            if (c.scans.length > seen && last.queued === 0) resolve(last.widgets);
            else if (c.scans.length > seen) probe();
            else c.wake.push(wait);
          };
          document.body.appendChild(document.createElement('span')).setAttribute('data-gt-probe', '');
          wait();
        };
        probe();
      }),
  );
}
