import { defineConfig } from 'wxt';
import preact from '@preact/preset-vite';

// See https://wxt.dev/api/config.html
export default defineConfig({
  srcDir: 'extension',
  outDir: '.output',
  vite: () => ({
    plugins: [preact()],
  }),
  manifest: {
    name: 'Groundtruth',
    description: 'Rate AI answers where you read them; ratings sync to your Groundtruth server.',
  },
});
