/**
 * `npm run zip` (ADR 0051): the store zips for Chrome and Firefox, and the sources zip Firefox's
 * review asks for. Built into a temporary folder (GT_EXTENSION_OUT_DIR), never into .output, which
 * the other browser tests load from while this runs.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/app.ts';
import { ROOT } from './harness.ts';

const run = promisify(execFile);
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string; scripts: Record<string, string> };

async function entries(file: string): Promise<{ names: string[]; zip: JSZip }> {
  const zip = await JSZip.loadAsync(fs.readFileSync(file));
  return { names: Object.keys(zip.files).filter((n) => !zip.files[n]!.dir), zip };
}

describe('npm run zip', () => {
  it('gives a Chrome zip, a Firefox zip and a sources zip without env files, data, tests or build output', { timeout: 300_000 }, async () => {
    const out = tempDir('gt-zip-');
    // The script as package.json says it, each command with the same environment.
    for (const command of pkg.scripts.zip!.split('&&').map((c) => c.trim().split(/\s+/))) {
      expect(command[0]).toBe('wxt');
      await run(path.join(ROOT, 'node_modules/.bin/wxt'), command.slice(1), { cwd: ROOT, env: { ...process.env, GT_EXTENSION_OUT_DIR: out } });
    }
    const zips = fs.readdirSync(out).filter((f) => f.endsWith('.zip')).sort();
    expect(zips).toEqual([`groundtruth-${pkg.version}-chrome.zip`, `groundtruth-${pkg.version}-firefox.zip`, `groundtruth-${pkg.version}-sources.zip`]);

    for (const browser of ['chrome', 'firefox'] as const) {
      const { names, zip } = await entries(path.join(out, `groundtruth-${pkg.version}-${browser}.zip`));
      // A store zip has the manifest at its root, the icons, and the built scripts.
      expect(names).toContain('manifest.json');
      for (const size of [16, 32, 48, 128]) expect(names).toContain(`icon/${size}.png`);
      expect(names).toContain('content-scripts/content.js');
      expect(names.some((n) => n.endsWith('.map'))).toBe(false);
      const manifest = JSON.parse(await zip.file('manifest.json')!.async('string'));
      expect(manifest.version).toBe(pkg.version);
      expect(JSON.stringify(manifest)).not.toContain('<all_urls>');
      if (browser === 'firefox') expect(manifest.browser_specific_settings.gecko.id).toBe('groundtruth@groundtruth.dev');
    }

    const { names } = await entries(path.join(out, `groundtruth-${pkg.version}-sources.zip`));
    // What rebuilds the extension is there …
    for (const f of ['package.json', 'package-lock.json', 'wxt.config.ts', 'extension/entrypoints/content.ts', 'README.md']) expect(names).toContain(f);
    expect(names.some((n) => n.startsWith('shared/'))).toBe(true);
    // … and nothing that is not source: dependencies, build output, data, tests, logs.
    const bad = names.filter((n) => /^(node_modules|\.output|data|dist|test|test-results|\.git)\//.test(n) || /\.test\.tsx?$/.test(n) || n.endsWith('.log') || /(^|\/)\.env/.test(n));
    expect(bad).toEqual([]);
  });
});
