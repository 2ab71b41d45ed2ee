/**
 * The embed bundle stays small (issue 17: ≤ 40 KB gzip): built from the sources as they are, it
 * holds neither zod (~95 KB gzip: a runtime import of shared/schemas.ts or anything that imports
 * it) nor Dexie (~31 KB), nor any server code. ADR 0048.
 */
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');

describe('embed bundle', () => {
  it('is ≤ 40 KB gzip, without zod, Dexie or server code', async () => {
    const out = await build({
      entryPoints: [path.join(ROOT, 'embed/index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      minify: true,
      jsx: 'automatic',
      jsxImportSource: 'preact',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(out.metafile.inputs);
    expect(inputs.filter((f) => /node_modules\/(zod|dexie)\/|^server\/|shared\/schemas\.ts$/.test(f))).toEqual([]);
    expect(gzipSync(out.outputFiles[0]!.contents, { level: 9 }).length).toBeLessThanOrEqual(40 * 1024);
  });
});
