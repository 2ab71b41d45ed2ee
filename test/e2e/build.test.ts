/** What the built Chrome extension (npm test builds it first) grants and bundles. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import config from '../../wxt.config.ts';
import { EXTENSION_DIR, requireBrowserAndBuild } from './harness.ts';
import { tempDir } from '../helpers/app.ts';

describe('the built extension', () => {
  it('asks for storage, alarms, context menus, the local server, and other servers only on request', async () => {
    const dir = await requireBrowserAndBuild(path.join(tempDir('gt-build-'), 'ext'));
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.manifest_version).toBe(3);
    expect(manifest.permissions).toEqual(expect.arrayContaining(['storage', 'alarms', 'contextMenus']));
    expect(manifest.host_permissions).toEqual(['http://127.0.0.1/*', 'http://localhost/*']);
    expect(manifest.optional_host_permissions).toEqual(['http://*/*', 'https://*/*']);
    expect(manifest.action.default_popup).toBe('popup.html');
    expect(manifest.options_ui.page).toBe('options.html');
    expect(fs.existsSync(path.join(dir, 'popup.html')) && fs.existsSync(path.join(dir, 'options.html'))).toBe(true);
  });

  it('asks at install for no host beyond the built-in sites and the local server (ADR 0050)', async () => {
    const dir = await requireBrowserAndBuild(path.join(tempDir('gt-build-'), 'ext'));
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    const allHosts = (p: string) => p === '<all_urls>' || /^(\*|https?):\/\/\*\//.test(p);
    const atInstall: string[] = [...manifest.host_permissions, ...manifest.permissions, ...manifest.content_scripts.flatMap((c: { matches: string[] }) => c.matches)];
    expect(atInstall.filter(allHosts)).toEqual([]);
    expect(manifest.permissions).toEqual(expect.arrayContaining(['activeTab', 'scripting']));
    expect(manifest.content_scripts).toHaveLength(1);
    expect(manifest.content_scripts[0].matches).toEqual(expect.arrayContaining(['https://chatgpt.com/*', 'https://claude.ai/*']));
    expect(manifest.content_scripts[0].matches.every((m: string) => m.startsWith('https://') && !m.includes('*.'))).toBe(true);
    const firefox = path.join(path.dirname(EXTENSION_DIR), 'firefox-mv2/manifest.json');
    if (fs.existsSync(firefox)) {
      const mv2 = JSON.parse(fs.readFileSync(firefox, 'utf8'));
      const mv2AtInstall: string[] = [...mv2.permissions, ...mv2.content_scripts.flatMap((c: { matches: string[] }) => c.matches)];
      expect(mv2AtInstall.filter(allHosts)).toEqual([]);
    }
  });

  it('keeps the outbox, the sync client and the token out of the content script', async () => {
    const dir = await requireBrowserAndBuild(path.join(tempDir('gt-build-'), 'ext'));
    const content = fs.readFileSync(path.join(dir, 'content-scripts/content.js'), 'utf8');
    const background = fs.readFileSync(path.join(dir, 'background.js'), 'utf8');
    // The sync client's request (its token header and `clientId`: paths come from the typed client,
    // extension/sync/api.ts, so they appear as segments, not as '/v1/sync') and the outbox's database.
    for (const marker of ['Bearer ', 'clientId', 'groundtruth-outbox']) {
      expect(background).toContain(marker);
      expect(content).not.toContain(marker);
    }
    expect(EXTENSION_DIR).toMatch(/chrome-mv3$/);
  });

  it('gives the Firefox (MV2) build the other servers as optional permissions', async () => {
    const manifest = config.manifest as (env: { manifestVersion: 2 | 3; browser: string; mode: string; command: string }) => Record<string, unknown>;
    const mv2 = await manifest({ manifestVersion: 2, browser: 'firefox', mode: 'production', command: 'build' });
    expect(mv2.optional_permissions).toEqual(['http://*/*', 'https://*/*']);
    const mv3 = await manifest({ manifestVersion: 3, browser: 'chrome', mode: 'production', command: 'build' });
    expect(mv3).not.toHaveProperty('optional_permissions');
  });
});
