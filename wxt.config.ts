import { defineConfig } from 'wxt';
import preact from '@preact/preset-vite';

// See https://wxt.dev/api/config.html
export default defineConfig({
  srcDir: 'extension',
  outDir: '.output',
  vite: () => ({
    plugins: [preact()],
  }),
  manifest: ({ manifestVersion }) => ({
    name: 'Groundtruth',
    description: 'Rate AI answers where you read them; ratings sync to your Groundtruth server.',
    // Reaching the server: docs/decisions (host permissions, not CORS). A local server works at once;
    // another one once the rater saves its URL in the options (permissions.request there).
    permissions: ['storage', 'alarms', 'contextMenus'],
    host_permissions: ['http://127.0.0.1/*', 'http://localhost/*'],
    optional_host_permissions: ['http://*/*', 'https://*/*'],
    // MV2 (WXT's Firefox default) has no optional_host_permissions and WXT drops it: same origins here.
    ...(manifestVersion === 2 ? { optional_permissions: ['http://*/*', 'https://*/*'] } : {}),
  }),
});
