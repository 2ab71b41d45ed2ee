// Preloaded (NODE_OPTIONS=--import) by .ci/node24.sh in every Node 24 process of the run: whatever
// resolves into the tree's node_modules/better-sqlite3 (a bare `better-sqlite3`, or the absolute
// path vitest resolves it to) is loaded from the copy built against Node 24 ($GT_BETTER_SQLITE3),
// so the tree's own node_modules keeps its Node 20 build.
import { registerHooks } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const copy = process.env.GT_BETTER_SQLITE3;
if (copy) {
  const tree = pathToFileURL(path.resolve(import.meta.dirname, '..', 'node_modules', 'better-sqlite3')).href + '/';
  const to = pathToFileURL(copy).href + '/';
  registerHooks({
    resolve(specifier, context, next) {
      const resolved = next(specifier, context);
      return resolved.url.startsWith(tree) ? { ...resolved, url: to + resolved.url.slice(tree.length) } : resolved;
    },
  });
}
