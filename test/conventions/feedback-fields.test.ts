/**
 * The feedback record's fields are described once, in shared/feedback-fields.ts (ADR 0028), and
 * nowhere else enumerated by hand (issue 11, item 1). This test guards:
 * - that no source file under server/, shared/ or extension/ lists the fields again: an array of
 *   six or more field names (columns, wire paths or names, CSV headers, filter parameters — as
 *   `FEEDBACK_COLUMNS`, the SQLite fast path's positional bind list, `CSV_COLUMNS` and `cells` in
 *   csv.ts, the clip list of extension/background/privacy.ts and the NUL-check list of
 *   store/feedback.ts were), an object literal or type naming three quarters of the `feedback`
 *   columns (rowFromRecord, the tombstone of an unknown id, the FeedbackTable interface were), or a
 *   hand-written filter set (minStars and maxStars with four more filter parameters, as the four
 *   filter schemas were; shared/filters.ts derives the one schema). Frozen migrations, tests, the
 *   zod schemas (shared/schemas.ts, checked below) and the description itself are not scanned;
 *   ALLOWED names the few lists that are a deliberate choice of some fields, and why;
 * - that the description matches the zod schemas: every key of Target, Rating, Correction's
 *   parent FeedbackInput and Feedback is described, and every described path exists;
 * - that its columns are the `feedback` table's columns after all migrations, on this run's
 *   backend (SQLite: PRAGMA table_info; PostgreSQL: information_schema), with their types and NOT NULL;
 * - that its enum filters take the zod enums' values;
 * - that what it marks does happen: every `redact` field is redacted by redactFeedbackText (the
 *   device's and the programs' redaction), every text column copied from the record refuses U+0000.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CSV_FIELDS,
  FEEDBACK_COLUMNS,
  FEEDBACK_FIELDS,
  FEEDBACK_FILTERS,
  FILTER_PARAMS,
  NUL_CHECKED,
  valueAt,
  type FieldSpec,
} from '../../shared/feedback-fields.ts';
import { redactFeedbackText } from '../../shared/redact-feedback.ts';
import { checkMutation } from '../../server/store/feedback.ts';
import { Feedback, FeedbackInput, Rating, Source, SourceInput, Target, TargetKind, Thumb } from '../../shared/schemas.ts';
import { openTestStore, testBackend } from '../helpers/backend.ts';
import type { Store } from '../../server/store/open.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Lists of fields that are a deliberate subset, each with its reason (file → reason). */
const ALLOWED: Record<string, string> = {
  'server/exports/stream.ts': 'the columns the export formats read: a projection chosen for speed, not the field list',
  'server/insights/rollups.ts': 'the dimensions rollups group by: a choice of insights',
  'server/queues/agreement.ts': 'the columns a queue’s agreement reads (who rated what, how): a projection chosen for speed, not the field list',
  'server/insights/calibration.ts': 'the columns calibration reads (which target, which rating): a projection chosen for speed, not the field list',
  'shared/calibration.ts': 'the filters that choose targets for calibration (what was rated, when), not who rated: a choice of calibration',
};

/** Not scanned: the description, the zod schemas it is checked against, frozen migrations, tests. */
function scanned(rel: string): boolean {
  return (
    /\.(ts|tsx)$/.test(rel) &&
    !/\.test\.tsx?$/.test(rel) &&
    !rel.startsWith('server/store/migrations/') &&
    rel !== 'shared/feedback-fields.ts' &&
    rel !== 'shared/schemas.ts'
  );
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) out.push(...filesUnder(rel));
    } else if (scanned(rel)) out.push(rel);
  }
  return out;
}

const described = FEEDBACK_FIELDS as readonly FieldSpec[];
const COLUMNS = new Set<string>(FEEDBACK_COLUMNS);
const FIELD_NAMES = new Set<string>([
  ...FEEDBACK_COLUMNS,
  ...FILTER_PARAMS,
  ...CSV_FIELDS.map((f) => f.header),
  ...described.flatMap((f) => (f.path ? [f.path, f.path.split('.').pop()!] : [])),
]);
const FILTERS = new Set<string>(FILTER_PARAMS);

/** The field names one array element names: 'model', 'f.model', r.model, t.site ?? '', ['target.key', t.key]. */
function elementNames(e: ts.Node): string[] {
  if (ts.isStringLiteralLike(e)) return [e.text, e.text.replace(/^[a-z]\w*\.(?=[a-z_]+$)/, '')];
  if (ts.isPropertyAccessExpression(e)) return [e.name.text];
  if (ts.isBinaryExpression(e)) return elementNames(e.left);
  if (ts.isConditionalExpression(e)) return elementNames(e.condition);
  if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isCallExpression(e)) return elementNames(e.expression);
  if (ts.isArrayLiteralExpression(e)) return e.elements.flatMap((x) => (ts.isStringLiteralLike(x) ? elementNames(x) : []));
  return [];
}

function keyNames(members: readonly (ts.ObjectLiteralElementLike | ts.TypeElement)[]): string[] {
  return members.flatMap((m) => (m.name && (ts.isIdentifier(m.name) || ts.isStringLiteral(m.name)) ? [m.name.text] : []));
}

/** Every hand enumeration of fields in one source text, as `line: what`. */
export function handEnumerations(fileName: string, text: string): string[] {
  // Parsing is the slow part: a file that names fewer than six fields anywhere cannot hold a list of six.
  const words = new Set(text.match(/[A-Za-z_]\w*/g) ?? []);
  if ([...FIELD_NAMES].filter((n) => !n.includes('.') && words.has(n)).length < 6) return [];
  const src = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, fileName.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: string[] = [];
  const report = (n: ts.Node, what: string, names: string[]) => {
    const line = src.getLineAndCharacterOfPosition(n.getStart(src)).line + 1;
    found.push(`${fileName}:${line}: ${what} (${names.join(', ')})`);
  };
  const visit = (n: ts.Node) => {
    if (ts.isArrayLiteralExpression(n)) {
      const names = [...new Set(n.elements.flatMap((e) => [...new Set(elementNames(e))]).filter((s) => FIELD_NAMES.has(s)))];
      if (names.length >= 6) report(n, `a list of ${names.length} fields`, names);
    }
    const members = ts.isObjectLiteralExpression(n) ? n.properties : ts.isInterfaceDeclaration(n) || ts.isTypeLiteralNode(n) ? n.members : undefined;
    if (members) {
      const keys = [...new Set(keyNames(members))];
      const columns = keys.filter((k) => COLUMNS.has(k));
      if (columns.length >= Math.ceil(COLUMNS.size * 0.75)) report(n, `a row of ${columns.length} columns`, columns);
      const filters = keys.filter((k) => FILTERS.has(k));
      if (filters.includes('minStars') && filters.includes('maxStars') && filters.length >= 6) report(n, `a filter set of ${filters.length} parameters`, filters);
    }
    ts.forEachChild(n, visit);
  };
  visit(src);
  return found;
}

describe('the feedback record is described once (shared/feedback-fields.ts)', () => {
  it('no source file enumerates its fields by hand', () => {
    const found = ['server', 'shared', 'extension']
      .flatMap(filesUnder)
      .filter((rel) => !(rel in ALLOWED))
      .flatMap((rel) => handEnumerations(rel, fs.readFileSync(path.join(ROOT, rel), 'utf8')));
    expect(found).toEqual([]);
  });

  it('finds the hand lists it guards against (the old CSV columns, bind list, row literal and clip list)', () => {
    const old = `
      export const CSV_COLUMNS = ['id', 'createdAt', 'updatedAt', 'receivedAt', 'workspaceId', 'raterId', 'kind', 'key'] as const;
      const rest = [r.workspace_id, r.rater_id, r.client_id, r.target_key, r.kind, r.site, r.model];
      const cells = [f.id, f.createdAt, t.kind, t.key, t.site ?? '', t.url ?? '', f.rating.thumb ?? ''];
      const nul = [['target.key', t.key], ['target.site', t.site], ['target.model', t.model], ['target.intent', t.intent],
        ['target.project', t.project], ['rating.label', f.rating.label]];
      for (const k of ['site', 'conversationId', 'model', 'intent', 'project', 'subject'] as const) clip(k);
      const row = { ${FEEDBACK_COLUMNS.map((c) => `${c}: null`).join(', ')} };
      interface Filters { since?: string; until?: string; model?: string; kind?: string; minStars?: number; maxStars?: number }
      const fine = ['model', 'intent', 'project'];
      const item = { id: 1, workspace_id: 'w', kind: 'k', model: 'm', intent: 'i', project: 'p' };`;
    expect(handEnumerations('old.ts', old).map((f) => f.replace(/ \(.*$/, ''))).toEqual([
      'old.ts:2: a list of 8 fields',
      'old.ts:3: a list of 7 fields',
      'old.ts:4: a list of 7 fields',
      'old.ts:5: a list of 12 fields',
      'old.ts:7: a list of 6 fields',
      `old.ts:8: a row of ${FEEDBACK_COLUMNS.length} columns`,
      'old.ts:9: a filter set of 6 parameters',
    ]);
  });

  it('ALLOWED names only files that exist and still hold such a list', () => {
    for (const rel of Object.keys(ALLOWED)) {
      const text = fs.readFileSync(path.join(ROOT, rel), 'utf8');
      expect(handEnumerations(rel, text), rel).not.toEqual([]);
    }
  });

  it('describes every key of the zod schemas, and only those', () => {
    const wire = [
      ...Object.keys(Feedback.shape).filter((k) => k !== 'target' && k !== 'rating' && k !== 'source'),
      ...Object.keys(Target.shape).map((k) => `target.${k}`),
      ...Object.keys(Source.shape).map((k) => `source.${k}`),
      ...Object.keys(Rating.shape).map((k) => `rating.${k}`),
    ].sort();
    expect(Object.keys(FeedbackInput.shape).every((k) => k in Feedback.shape)).toBe(true);
    const paths = described.flatMap((f) => (f.path ? [f.path] : [])).sort();
    expect(paths).toEqual(wire);
    for (const f of described) {
      if (f.source === 'input') expect(f.path === null || f.path.split('.')[0]! in FeedbackInput.shape, String(f.path)).toBe(true);
      if (f.source === 'server') {
        // A server field: top level (receivedAt), or inside the source (its channel, which clients do not send).
        const [head, leaf] = f.path!.split('.') as [string, string | undefined];
        const server = leaf ? head === 'source' && leaf in Source.shape && !(leaf in SourceInput.shape) : head in Feedback.shape && !(head in FeedbackInput.shape);
        expect(server, String(f.path)).toBe(true);
      }
      if (f.source === 'store') expect(f.path).toBeNull();
    }
  });

  it('its enum filters take the zod enums, and every filter has a column', () => {
    const byParam = new Map(FEEDBACK_FILTERS.map((f) => [f.param, f]));
    expect(byParam.get('kind')?.values).toEqual(TargetKind.options);
    expect(byParam.get('thumb')?.values).toEqual(Thumb.options);
    expect(new Set(FILTER_PARAMS).size).toBe(FILTER_PARAMS.length);
    for (const f of FEEDBACK_FILTERS) expect(COLUMNS.has(f.column), f.param).toBe(true);
  });

  it('every field marked `redact` is redacted, on the device and for programs (redactFeedbackText)', () => {
    const email = 'ada@example.com';
    const shaped: Record<string, unknown> = {
      'target.messages': [{ role: 'user', content: email }],
      'target.alternatives': [email],
      'target.quote': { exact: email, prefix: email, suffix: email },
      correction: { output: email, fields: { note: email } },
    };
    const record: { target: Record<string, unknown> } & Record<string, unknown> = { target: { kind: 'chat_response', key: 'k' } };
    const redactable = described.filter((f) => f.redact);
    for (const f of redactable) {
      const [head, leaf] = f.path!.split('.') as [string, string | undefined];
      const value = shaped[f.path!] ?? email;
      if (leaf) (record[head] as Record<string, unknown>)[leaf] = value;
      else record[head] = value;
    }
    const { feedback } = redactFeedbackText(record as never);
    for (const f of redactable) expect(JSON.stringify(valueAt(feedback, f.path!)), f.path!).not.toContain(email);
  });

  it('every text column copied from the record refuses U+0000, naming the field', () => {
    for (const { path: p } of NUL_CHECKED) {
      const f: Record<string, unknown> = {
        id: '01a2316f-0000-7000-8000-000000000001',
        target: { kind: 'chat_response', key: 'k' },
        rating: { thumb: 'up' },
        createdAt: '2026-01-01T00:00:00Z',
        updatedAt: '2026-01-01T00:00:00Z',
      };
      const [head, leaf] = p.split('.') as [string, string | undefined];
      if (head === 'source') f.source = { type: 'model', name: 'judge' };
      const valid = p === 'id' ? f.id : p.endsWith('At') ? f.createdAt : p === 'target.kind' ? 'chat_response' : p === 'rating.thumb' ? 'up' : p === 'source.type' ? 'model' : 'a';
      // Values a schema constrains (id, times, enums, criterion names) cannot hold U+0000 at all: the schema refuses them.
      const nul = `${String(valid)}\u0000`;
      if (leaf) (f[head] as Record<string, unknown>)[leaf] = nul;
      else f[head] = nul;
      const checked = checkMutation({ id: f.id, op: 'upsert', updatedAt: f.updatedAt, feedback: f });
      expect('error' in checked && checked.error, p).toMatch(new RegExp(`${p.replace('.', '\\.')}`));
    }
  });

  describe(`its columns are the migrated feedback table's (${testBackend()})`, () => {
    let store: Store | undefined;
    afterAll(async () => store?.close());

    it('same names, types and NOT NULL', async () => {
      store = await openTestStore();
      const actual =
        testBackend() === 'postgres'
          ? (
              await sql<{ name: string; type: string; notnull: boolean }>`select column_name as name, data_type as type, is_nullable = 'NO' as notnull
                from information_schema.columns where table_schema = current_schema() and table_name = 'feedback'`.execute(store.db)
            ).rows.map((r) => ({ name: r.name, type: r.type === 'integer' ? 'int' : r.type, notnull: r.notnull }))
          : (
              await sql<{ name: string; type: string; notnull: number; pk: number }>`select name, type, "notnull", pk from pragma_table_info('feedback')`.execute(store.db)
            ).rows.map((r) => ({ name: r.name, type: r.type.toLowerCase() === 'integer' ? 'int' : r.type.toLowerCase(), notnull: r.notnull === 1 || r.pk > 0 }));
      const expected = described
        .filter((f) => f.column !== null)
        .map((f) => ({ name: f.column!, type: f.sql!, notnull: !f.nullable }));
      const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
      expect(actual.sort(byName)).toEqual(expected.sort(byName));
    });
  });
});
