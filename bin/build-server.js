#!/usr/bin/env node
// Builds the server and CLI into one JavaScript file, dist/groundtruth.js (with its source map and
// the dashboard's static assets beside it), so `npm start` and the `groundtruth` command run
// without the TypeScript loader (issue 19, ADR 0043). Dependencies stay in node_modules (not
// bundled). esbuild takes about a second; the test runs build first (test/setup/build-server.ts).
//
// The output is written to a temporary directory and renamed into place, so a CLI starting while
// another run builds reads the old build or the new one, never half of one.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const DIST = path.join(ROOT, 'dist');
/** The files next to the bundle that the server reads at run time (server/dashboard/index.ts). */
const ASSETS = ['server/dashboard/dashboard.js', 'server/dashboard/style.css'];

/**
 * The embeddable widget (embed/, issue 17, ADR 0048): dist/embed.js and its map, one minified
 * script for any web page, served by the server at /embed.js (server/routes/embed.ts).
 */
export async function buildEmbed(outdir = DIST) {
  await build({
    entryPoints: [path.join(ROOT, 'embed/index.ts')],
    outfile: path.join(outdir, 'embed.js'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: ['chrome109', 'firefox115', 'safari16'],
    minify: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
  });
}

export async function buildServer() {
  const tmp = fs.mkdtempSync(path.join(ROOT, '.dist-'));
  try {
    await build({
      entryPoints: [path.join(ROOT, 'server/cli/index.ts')],
      outfile: path.join(tmp, 'groundtruth.js'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      packages: 'external',
      jsx: 'automatic',
      jsxImportSource: 'preact',
      sourcemap: 'linked',
      logLevel: 'warning',
    });
    for (const asset of ASSETS) fs.copyFileSync(path.join(ROOT, asset), path.join(tmp, path.basename(asset)));
    await buildEmbed(tmp);
    const old = fs.existsSync(DIST) ? `${tmp}-old` : undefined;
    if (old) fs.renameSync(DIST, old);
    fs.renameSync(tmp, DIST);
    if (old) fs.rmSync(old, { recursive: true, force: true });
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = performance.now();
  await buildServer();
  console.log(`built dist/groundtruth.js in ${Math.round(performance.now() - started)} ms`);
}
