#!/usr/bin/env node
// The `groundtruth` command. Runs the compiled build, dist/groundtruth.js (bin/build-server.js:
// `npm run build:server`, also run by `npm install`, `npm start` and the test runs), when it is
// at least as new as every source file under server/ and shared/. Otherwise (a checkout that was
// never built, or sources edited since the build) it runs the TypeScript sources through tsx, so
// what runs is always what the tree says; a stale build is said on stderr.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = path.resolve(import.meta.dirname, '..');
const BUILT = path.join(ROOT, 'dist/groundtruth.js');

/** The newest modification time under `dir`, in ms (a few ms for the whole tree). */
function newest(dir) {
  let max = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    const t = entry.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs;
    if (t > max) max = t;
  }
  return max;
}

function builtIsCurrent() {
  let built;
  try {
    built = fs.statSync(BUILT).mtimeMs;
  } catch {
    return false;
  }
  const sources = Math.max(newest(path.join(ROOT, 'server')), newest(path.join(ROOT, 'shared')));
  if (sources <= built) return true;
  process.stderr.write('groundtruth: dist/ is older than the sources; running them through tsx (npm run build:server builds it again)\n');
  return false;
}

if (builtIsCurrent()) {
  await import(pathToFileURL(BUILT).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../server/cli/index.ts');
}
