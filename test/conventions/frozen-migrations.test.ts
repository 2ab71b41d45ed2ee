/**
 * Migrations are frozen code (ADR 0031): what a migration does to a store it upgrades must never
 * change after it shipped, so it may not run live code of the server (the rollups, the search
 * indexer, …) that later commits change. A migration imports kysely, Node built-ins, files of its
 * own folder, and types from anywhere (erased at build time); nothing else of server/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const MIGRATIONS_DIR = path.join(ROOT, 'server/store/migrations');
const SERVER = path.join(ROOT, 'server');

/** Every import and re-export of a file, with whether it brings in types only. */
function importsOf(text: string): { spec: string; typeOnly: boolean }[] {
  const out: { spec: string; typeOnly: boolean }[] = [];
  const statement = /^\s*(import|export)\s+(type\s+)?([^;'"]*?)\s*from\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;
  for (const m of text.matchAll(statement)) {
    if (m[4]) {
      // `import type {…}` / `import { type A, type B }`: types only. `import { sql, type Kysely }` is not.
      const names = /^\{([^}]*)\}$/.exec(m[3]!.trim())?.[1];
      const allTypes = !!names && names.split(',').map((n) => n.trim()).filter(Boolean).every((n) => n.startsWith('type '));
      out.push({ spec: m[4], typeOnly: !!m[2] || allTypes });
    } else out.push({ spec: (m[5] ?? m[6])!, typeOnly: false });
  }
  return out;
}

/** Why `spec`, imported by a migration file, breaks the rule; undefined when it is allowed. */
function refusal(file: string, spec: string, typeOnly: boolean): string | undefined {
  if (typeOnly || spec === 'kysely' || spec.startsWith('node:')) return undefined;
  if (!spec.startsWith('.')) return `${spec}: only kysely and node: built-ins among packages`;
  const resolved = path.resolve(path.dirname(file), spec);
  if (resolved.startsWith(MIGRATIONS_DIR + path.sep)) return undefined;
  if (resolved.startsWith(SERVER + path.sep)) return `${spec}: live server code (copy what the migration needs into it)`;
  return undefined;
}

describe('migrations are frozen', () => {
  it('no migration imports code from the rest of server/ (types, kysely and node: built-ins allowed)', () => {
    const offenders: string[] = [];
    for (const name of fs.readdirSync(MIGRATIONS_DIR)) {
      if (!/\.(ts|tsx)$/.test(name) || /\.test\.tsx?$/.test(name)) continue;
      const file = path.join(MIGRATIONS_DIR, name);
      for (const { spec, typeOnly } of importsOf(fs.readFileSync(file, 'utf8'))) {
        const why = refusal(file, spec, typeOnly);
        if (why) offenders.push(`${name} imports ${why}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the rule catches what it is for', () => {
    const file = path.join(MIGRATIONS_DIR, '0999-example.ts');
    const found = (text: string) => importsOf(text).flatMap(({ spec, typeOnly }) => refusal(file, spec, typeOnly) ?? []);
    expect(found("import { rebuildRollups } from '../../insights/rollups.ts';")).toHaveLength(1);
    expect(found("import '../../search/index.ts';")).toHaveLength(1);
    expect(found("import { sql, type Kysely } from 'kysely';\nimport * as m from './0010-init.ts';")).toEqual([]);
    expect(found("import type { DB } from '../schema.ts';\nimport { type FeedbackTable } from '../schema.ts';")).toEqual([]);
    expect(found("import { withTables, type DB } from '../schema.ts';")).toHaveLength(1);
    expect(found("export { up } from '../feedback.ts';")).toHaveLength(1);
    expect(found("const m = await import('../../webhooks/outbox.ts');")).toHaveLength(1);
    expect(found("import { z } from 'zod';")).toHaveLength(1);
  });
});
