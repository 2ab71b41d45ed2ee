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

describe('conventions', () => {
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
