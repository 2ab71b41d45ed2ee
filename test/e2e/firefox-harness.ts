/**
 * Real Firefox ESR with the built extension (.output/firefox-mv2), driven by puppeteer-core over
 * WebDriver BiDi (ADR 0051): the Firefox half of the e2e suite, with the API of ./harness.ts
 * (serveSite, savedPage, watchContent, contentReady, settledWidgets, configure, popupCounts,
 * syncNow). Saved pages are served at their real addresses by request interception on every page
 * the harness opens. Nothing here skips: a missing Firefox or build is an error that says what to do.
 *
 * An extension installed over BiDi is temporary and goes away when the browser closes; the prefs
 * below keep its storage (IndexedDB outbox, storage.local settings) and its moz-extension:// UUID,
 * so a relaunch on the same profile that installs it again finds its ratings.
 */
import fs from 'node:fs';
import path from 'node:path';
import puppeteer, { type Browser, type HTTPRequest, type Page } from 'puppeteer-core';
import { GECKO_ID } from '../../wxt.config.ts';
import { CONTENT_EVENTS, ROOT, RESULTS_DIR, savedPage, type ContentReady } from './harness.ts';

export { asDocument, savedPage } from './harness.ts';

export const FIREFOX_EXTENSION_DIR = path.join(ROOT, '.output/firefox-mv2');
export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
/** Fixed through `extensions.webextensions.uuids`, so the tests know the extension pages' address. */
export const FIREFOX_EXTENSION_UUID = '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b';
export const FIREFOX_EXTENSION_ORIGIN = `moz-extension://${FIREFOX_EXTENSION_UUID}`;

/**
 * Throws (never skips) when Firefox or the Firefox build is missing; copies the build aside once
 * per profile, so a rebuild during the test cannot pull files from under the running browser.
 */
export async function requireFirefoxAndBuild(copyTo: string): Promise<string> {
  if (!fs.existsSync(FIREFOX)) {
    throw new Error(
      `Firefox is not at ${FIREFOX}${process.env.CI ? ' (CI=true: real-browser tests must run)' : ''}. ` +
        'Install it (apt-get install firefox-esr) or set FIREFOX_PATH.',
    );
  }
  const manifest = path.join(FIREFOX_EXTENSION_DIR, 'manifest.json');
  const deadline = Date.now() + 90_000;
  for (;;) {
    // The manifest is written last; the folder then settles a moment later.
    if (fs.existsSync(manifest) && Date.now() - fs.statSync(manifest).mtimeMs > 2_000) break;
    if (Date.now() > deadline) throw new Error(`No Firefox build in ${FIREFOX_EXTENSION_DIR}: run "npx wxt build -b firefox" first (npm test does).`);
    await new Promise((r) => setTimeout(r, 500));
  }
  if (!fs.existsSync(path.join(copyTo, 'manifest.json'))) fs.cpSync(FIREFOX_EXTENSION_DIR, copyTo, { recursive: true });
  return copyTo;
}

type Html = string | (() => string);

export interface FirefoxBrowser {
  browser: Browser;
  extensionId: string;
  /** A new tab that serves the sites given to serveSite and records the content script's events. */
  newPage(): Promise<Page>;
  close(): Promise<void>;
  /** Internal: origin → page served there. */
  sites: Map<string, Html>;
}

export interface FirefoxLaunchOptions {
  /** Another Firefox binary: a private install with its own policies.json (firefox-policy.ts). */
  executablePath?: string;
  /** An X display (xvfb.ts) to run a windowed Firefox on, for real X input (menus, shortcuts). */
  display?: string;
}

export async function launchFirefoxWithExtension(userDataDir: string, options: FirefoxLaunchOptions = {}): Promise<FirefoxBrowser> {
  const extensionDir = await requireFirefoxAndBuild(`${userDataDir.replace(/\/+$/, '')}.extension`);
  fs.mkdirSync(userDataDir, { recursive: true });
  const browser = await puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath: options.executablePath ?? FIREFOX,
    headless: !options.display,
    // Firefox 153.8 lets WebDriver navigate only to http(s), file, blob and about:blank unless the
    // browser allows system access: the tests open the extension's own moz-extension:// pages.
    args: ['--remote-allow-system-access'],
    ...(options.display ? { env: { ...process.env, DISPLAY: options.display } } : {}),
    userDataDir,
    defaultViewport: { width: 1280, height: 900 },
    extraPrefsFirefox: {
      'extensions.webextensions.keepStorageOnUninstall': true,
      'extensions.webextensions.keepUuidOnUninstall': true,
      'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: FIREFOX_EXTENSION_UUID }),
      // Nothing leaves the machine on its own.
      'app.update.enabled': false,
      'browser.safebrowsing.malware.enabled': false,
      'browser.safebrowsing.phishing.enabled': false,
      'network.captive-portal-service.enabled': false,
      'datareporting.policy.dataSubmissionEnabled': false,
    },
  });
  const extensionId = await browser.installExtension(extensionDir);
  const sites = new Map<string, Html>();
  const b: FirefoxBrowser = {
    browser,
    extensionId,
    sites,
    async newPage() {
      const page = await browser.newPage();
      await page.setRequestInterception(true);
      page.on('request', (request) => void answer(sites, request));
      await page.evaluateOnNewDocument(CONTENT_EVENTS);
      return page;
    },
    close: () => browser.close(),
  };
  return b;
}

/** Serves a served site's document, a 404 for anything else there; other addresses go through. */
async function answer(sites: Map<string, Html>, request: HTTPRequest): Promise<void> {
  if (request.isInterceptResolutionHandled()) return;
  let origin: string;
  try {
    origin = new URL(request.url()).origin;
  } catch {
    return request.continue();
  }
  const html = sites.get(origin);
  if (html === undefined) return request.continue();
  // Over BiDi resourceType() is not known (DESIGN.md): a navigation is the document.
  if (request.isNavigationRequest()) {
    return request.respond({ status: 200, contentType: 'text/html; charset=utf-8', body: typeof html === 'string' ? html : html() });
  }
  return request.respond({ status: 404, contentType: 'text/plain', body: '' });
}

/** Serves `html` for every document under `origin` in the tabs b.newPage() opens. */
export function serveSite(b: FirefoxBrowser, origin: string, html: Html): void {
  b.sites.set(origin, html);
}

export async function openSavedPage(b: FirefoxBrowser, url: string, fixture: string): Promise<Page> {
  serveSite(b, new URL(url).origin, savedPage(fixture));
  const page = await b.newPage();
  await page.goto(url);
  return page;
}

export async function extensionPage(b: FirefoxBrowser, file: 'popup.html' | 'options.html'): Promise<Page> {
  const page = await b.browser.newPage();
  const url = `${FIREFOX_EXTENSION_ORIGIN}/${file}`;
  // A tab going from about:blank to a moz-extension:// page moves to the extension process, and
  // puppeteer 25's BiDi navigation then never settles ("Frame detached" after its timeout) and its
  // locators keep waiting, although the page loads and evaluate and element handles work on it.
  // So: start the navigation, and poll (evaluate, each answer awaited) until the page is there.
  void page.goto(url).catch(() => undefined);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const at = await page.evaluate(() => `${location.href} ${document.readyState}`).catch(() => '');
    if (at === `${url} complete`) break;
    if (Date.now() > deadline) throw new Error(`${url} did not load (last: ${at || 'no answer'})`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return page;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `firefox-${name}.png`);
  await page.screenshot({ path: file as `${string}.png` });
  return file;
}

/**
 * Resolves once `selector`'s text matches. A MutationObserver inside one evaluate: extension
 * pages' CSP blocks the Function() that waitForFunction (and locators) compile their predicate with.
 */
export async function waitForText(page: Page, selector: string, text: RegExp | string, timeout = 15_000): Promise<void> {
  const source = typeof text === 'string' ? `^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$` : text.source;
  const seen = await page.evaluate(
    (sel, src, ms) =>
      new Promise<string | null>((resolve) => {
        const read = () => document.querySelector(sel)?.textContent?.trim() ?? null;
        const check = () => {
          const t = read();
          if (t !== null && new RegExp(src).test(t)) {
            observer.disconnect();
            resolve(null);
          }
        };
        const observer = new MutationObserver(check);
        observer.observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
        setTimeout(() => (observer.disconnect(), resolve(read() ?? '(no element)')), ms);
        check();
      }),
    selector,
    source,
    timeout,
  );
  if (seen !== null) throw new Error(`${selector} did not read /${source}/ within ${timeout} ms: "${seen}"`);
}

/** Element handles, not locators: see extensionPage. */
export async function click(page: Page, selector: string): Promise<void> {
  const el = await page.waitForSelector(selector, { timeout: 15_000 });
  await el!.click();
}

/** Replaces an input's value by typing, as a rater would. */
export async function fill(page: Page, selector: string, value: string): Promise<void> {
  const el = await page.waitForSelector(selector, { timeout: 15_000 });
  await el!.evaluate((e) => (e as HTMLInputElement).select());
  await el!.type(value);
}

/** Sets server URL and token on the options page and saves, as a rater would. */
export async function configure(b: FirefoxBrowser, serverUrl: string, token: string): Promise<Page> {
  const options = await extensionPage(b, 'options.html');
  await fill(options, 'input[name=serverUrl]', serverUrl);
  await fill(options, 'input[name=token]', token);
  await click(options, '[data-gt="save-settings"]');
  await waitForText(options, '[data-gt="save-result"]', /Saved\./);
  return options;
}

/** Counts in the popup. */
export async function popupCounts(popup: Page): Promise<{ pending: number; synced: number; rejected: number }> {
  await popup.waitForSelector('[data-gt="pending-count"]');
  return popup.evaluate(() => {
    const read = (hook: string) => Number(document.querySelector(`[data-gt="${hook}"]`)!.textContent);
    return { pending: read('pending-count'), synced: read('synced-count'), rejected: read('rejected-count') };
  });
}

/** Presses Sync now and waits until the popup shows nothing pending. */
export async function syncNow(popup: Page): Promise<void> {
  await click(popup, '[data-gt="sync-now"]');
  await waitForText(popup, '[data-gt="sync-now"]', 'Sync now');
  await waitForText(popup, '[data-gt="pending-count"]', '0');
}

/** Clicks a control inside the n-th widget's shadow root (a real click, over BiDi input actions). */
export async function clickInWidget(page: Page, n: number, hook: string): Promise<void> {
  const handle = await page.waitForFunction(
    (i, h) => document.querySelectorAll('groundtruth-widget')[i]?.shadowRoot?.querySelector(`[data-gt="${h}"]`),
    { polling: 'mutation' },
    n,
    hook,
  );
  await (handle as unknown as { click(): Promise<void> }).click();
}

/** Types into a field inside the n-th widget's shadow root. */
export async function typeInWidget(page: Page, n: number, hook: string, text: string): Promise<void> {
  const handle = await page.waitForFunction(
    (i, h) => document.querySelectorAll('groundtruth-widget')[i]?.shadowRoot?.querySelector(`[data-gt="${h}"]`),
    { polling: 'mutation' },
    n,
    hook,
  );
  await (handle as unknown as { type(t: string): Promise<void> }).type(text);
}

/** Resolves once the n-th widget's data-gt-state matches. */
export async function widgetState(page: Page, n: number, state: RegExp): Promise<string> {
  const handle = await page.waitForFunction(
    (i, src) => {
      const s = document.querySelectorAll('groundtruth-widget')[i]?.getAttribute('data-gt-state');
      return s && new RegExp(src).test(s) ? s : false;
    },
    { polling: 'mutation', timeout: 15_000 },
    n,
    state.source,
  );
  return (await handle.jsonValue()) as string;
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
