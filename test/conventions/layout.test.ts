/** Conventions that have to hold across the tree (STYLE.md: "when a convention has been broken twice, turn it into a test"). */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../server/store/migrations/index.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

function filesUnder(dir: string, exts = /\.(ts|tsx)$/): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(p, exts));
    else if (exts.test(entry.name)) out.push(p);
  }
  return out;
}

const importRe = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

// Folders git ignores (built output, data, caches): the `name/` lines of .gitignore, `*` in them
// matching any part of a name. bin/build-server.js builds into a `.dist-` folder and renames it, so
// one may exist for a moment while another test runs the bin.
function ignoredFolders(): { has(name: string): boolean } {
  const lines = fs.readFileSync(path.join(ROOT, '.gitignore'), 'utf8').split('\n').map((l) => l.trim());
  const folders = lines.filter((l) => /^[^#!/][^/]*\/$/.test(l)).map((l) => l.slice(0, -1));
  const escape = (text: string) => text.replace(/[.+?^$(){}|[\]\\]/g, '\\$&');
  const patterns = folders.map((f) => new RegExp('^' + f.split('*').map(escape).join('[^/]*') + '$'));
  return { has: (name) => patterns.some((re) => re.test(name)) };
}

function foldersIn(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== 'node_modules')
    .map((e) => e.name)
    .sort();
}

/**
 * README's "Layout" block: `name/  what is there` for each top-level folder, and indented under
 * it the same for each of its subfolders. Returns each folder (`server`, `server/routes`) with its text.
 */
function readmeLayout(): Map<string, string> {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = /^## Layout\n[\s\S]*?^```\n([\s\S]*?)^```$/m.exec(readme)?.[1] ?? '';
  const out = new Map<string, string>();
  let top = '';
  for (const line of block.split('\n')) {
    const m = /^( *)([^\s/]+)\/(?:\s+(.*))?$/.exec(line);
    if (!m) continue;
    const name = m[1]!.length === 0 ? m[2]! : `${top}/${m[2]}`;
    if (m[1]!.length === 0) top = m[2]!;
    out.set(name, (m[3] ?? '').trim());
  }
  return out;
}

/** Folders whose subfolders README's layout lists, one line each. */
const LISTED_WITH_SUBFOLDERS = ['server', 'extension', 'shared', 'test'];

describe('conventions', () => {
  it("README's Layout block shows the real tree: every top-level folder, and every subfolder of server/, extension/, shared/, test/", () => {
    const ignored = ignoredFolders();
    const real = foldersIn(ROOT).filter((name) => name !== '.git' && !ignored.has(name));
    for (const parent of LISTED_WITH_SUBFOLDERS) real.push(...foldersIn(path.join(ROOT, parent)).map((sub) => `${parent}/${sub}`));
    const listed = readmeLayout();
    expect([...listed.keys()].filter((name) => !real.includes(name)), 'listed in README but not in the tree').toEqual([]);
    expect(real.filter((name) => !listed.has(name)), 'folders missing from README\'s Layout block').toEqual([]);
    expect([...listed].filter(([, what]) => what === '').map(([name]) => name), 'say what is there, on the same line').toEqual([]);
  });

  it('the layout check reads the block as README writes it', () => {
    const listed = readmeLayout();
    expect(listed.get('server/routes')).toMatch(/router/);
    expect(listed.has('extension/sites')).toBe(true);
    expect(ignoredFolders().has('node_modules')).toBe(true);
    expect(ignoredFolders().has('.dist-Ab12Cd')).toBe(true); // bin/build-server.js's build folder, for a moment
    expect(ignoredFolders().has('.distx')).toBe(false);
    expect(ignoredFolders().has('server')).toBe(false);
  });

  it('shared/ imports nothing from server/ or extension/ (and no Node built-ins)', () => {
    const offenders: string[] = [];
    for (const file of filesUnder(path.join(ROOT, 'shared'))) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(importRe)) {
        const spec = m[1] ?? m[2]!;
        const resolved = spec.startsWith('.') ? path.resolve(path.dirname(file), spec) : spec;
        if (resolved.startsWith(path.join(ROOT, 'server')) || resolved.startsWith(path.join(ROOT, 'extension')) || spec.startsWith('node:')) {
          offenders.push(`${path.relative(ROOT, file)} imports ${spec}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('tests never wait on a child process synchronously (it blocks the worker past vitest’s fixed 60 s RPC timeout)', () => {
    // A spawnSync of a 45 s child vitest held a worker's event loop past 60 s under load; vitest then
    // reported "Timeout calling onTaskUpdate" and the green run exited 1 (CI at stop 23).
    const offenders: string[] = [];
    for (const dir of ['shared', 'server', 'extension', 'test']) {
      for (const file of filesUnder(path.join(ROOT, dir))) {
        if (!/\.test\.tsx?$/.test(file) && !file.includes(`${path.sep}test${path.sep}helpers${path.sep}`)) continue;
        const text = fs.readFileSync(file, 'utf8');
        for (const m of text.matchAll(/\b(spawnSync|execSync|execFileSync)\s*\(/g)) offenders.push(`${path.relative(ROOT, file)} calls ${m[1]}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the extension imports only types from the server', () => {
    const offenders: string[] = [];
    for (const file of filesUnder(path.join(ROOT, 'extension'))) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^\s*import\s+(?!type\b)[^;]*?from\s*['"]([^'"]+)['"]/gm)) {
        const resolved = m[1]!.startsWith('.') ? path.resolve(path.dirname(file), m[1]!) : m[1]!;
        if (resolved.startsWith(path.join(ROOT, 'server'))) offenders.push(`${path.relative(ROOT, file)} imports ${m[1]}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('migrations are numbered in tens without gaps, each file registered once', () => {
    const names = Object.keys(MIGRATIONS);
    names.forEach((name, i) => {
      expect(name).toMatch(/^\d{4}-[a-z0-9-]+$/);
      expect(Number(name.slice(0, 4))).toBe((i + 1) * 10);
    });
    const files = fs
      .readdirSync(path.join(ROOT, 'server/store/migrations'))
      .filter((f) => /^\d{4}-.*\.ts$/.test(f) && !f.endsWith('.test.ts'))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(files).toEqual(names);
  });
});
