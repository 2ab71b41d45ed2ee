import { defineConfig } from 'wxt';
import preact from '@preact/preset-vite';
import { RATE_SELECTION_COMMAND, RATE_SELECTION_SHORTCUT } from './extension/background/rate-selection.ts';

/** The Firefox add-on id (ADR 0051): fixed, so storage and the moz-extension:// UUID survive a reinstall. */
export const GECKO_ID = 'groundtruth@groundtruth.dev';

// See https://wxt.dev/api/config.html
export default defineConfig({
  srcDir: 'extension',
  // GT_EXTENSION_OUT_DIR: build somewhere else (test/e2e/zip.test.ts zips into a temporary folder,
  // so the builds other browser tests load from .output stay as they are).
  outDir: process.env.GT_EXTENSION_OUT_DIR || '.output',
  // Static files (the icons) beside the extension's source; WXT's default is <root>/public.
  publicDir: 'extension/public',
  // `npm run zip`: the store zips, and for Firefox's review the sources that rebuild it (WXT already
  // leaves out node_modules, dot folders, .output and *.test.* files); data, build output and tests too.
  zip: { excludeSources: ['data/**', 'dist/**', 'test/**', 'test-results/**', '**/*.log', 'stats.html'] },
  vite: () => ({
    plugins: [preact()],
  }),
  manifest: ({ manifestVersion, browser }) => ({
    name: 'Groundtruth',
    // Firefox needs a fixed id for storage that outlives a reinstall and for AMO (ADR 0051); icons
    // come from extension/public/icon/<size>.png, which WXT finds by itself.
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: GECKO_ID,
              // 140 (the current ESR) is the first to know the data consent key AMO requires of new add-ons.
              strict_min_version: '140.0',
              // Firefox's install-time data consent: a rating sends the answer's text and its page
              // address to the rater's own server.
              data_collection_permissions: { required: ['websiteContent', 'browsingActivity'] },
            },
            gecko_android: { strict_min_version: '142.0' },
          },
        }
      : {}),
    description: 'Rate AI answers where you read them; ratings sync to your Groundtruth server.',
    // An admin policy's fields (docs/managed.md, ADR 0053); Firefox takes policies.json without a schema.
    ...(browser === 'firefox' ? {} : { storage: { managed_schema: 'managed-schema.json' } }),
    // Reaching the server: docs/decisions (host permissions, not CORS). A local server works at once;
    // another one once the rater saves its URL in the options (permissions.request there).
    // activeTab + scripting: "Rate with Groundtruth" injects the content script into the tab it was clicked in (ADR 0050).
    permissions: ['storage', 'alarms', 'contextMenus', 'activeTab', 'scripting'],
    // The same from the keyboard: a command grants activeTab like the menu click (ADR 0050).
    commands: {
      [RATE_SELECTION_COMMAND]: { suggested_key: { default: RATE_SELECTION_SHORTCUT }, description: 'Rate the selected text with Groundtruth' },
    },
    host_permissions: ['http://127.0.0.1/*', 'http://localhost/*'],
    optional_host_permissions: ['http://*/*', 'https://*/*'],
    // MV2 (WXT's Firefox default) has no optional_host_permissions and WXT drops it: same origins here.
    ...(manifestVersion === 2 ? { optional_permissions: ['http://*/*', 'https://*/*'] } : {}),
  }),
});
