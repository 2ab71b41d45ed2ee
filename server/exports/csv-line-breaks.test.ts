/**
 * Issue 13, item 1: a cell holding a lone LF or CR used to be written unquoted, so a multi-line
 * comment split the row and the text after the break opened as the first, unescaped cell of a new
 * row. Every place a CSV leaves the server is checked: the format itself, GET /v1/exports/csv, the
 * dashboard download and `groundtruth export`. Each export is parsed back with a strict parser that
 * treats CR, LF and CRLF alike as record ends outside quotes (as spreadsheets do) and every row must
 * have the header's column count; no line inside any cell may start as a formula.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, tempDir } from '../../test/helpers/app.ts';
import { seedRatings, type RatingSpec } from '../../test/helpers/ratings.ts';
import { openStore } from '../store/open.ts';
import { CSV_COLUMNS, csv } from './formats/csv.ts';
import { emptyCounts, exportLines, prepareExport } from './stream.ts';

const PAYLOAD = "=1+1*cmd|' /C calc'!A0";

/** Hostile multi-line text in every free-text column; `conversationId` names the case. */
const CASES: RatingSpec[] = [
  { conversationId: 'lf', comment: `fine\n${PAYLOAD}`, prompt: 'plain', output: 'plain', thumb: 'up' },
  { conversationId: 'cr', comment: `fine\r${PAYLOAD}`, prompt: 'a\r+1', output: 'b\r-2', thumb: 'down' },
  { conversationId: 'mixed', comment: 'x\n@SUM(A1:A9)\r\n-3\n\t=4\n\r=5', prompt: 'first\n＝1+1', output: 'ok\n＠x\n－1', thumb: 'up' },
  { conversationId: 'tags', prompt: '\r=1', tags: ['t\n=1', 'u\r+2'], correction: 'fix\n=HYPERLINK("http://evil.example","x")', thumb: 'up' },
  { conversationId: 'model', model: 'gpt\n=evil()', context: { note: 'k\n=1' }, thumb: 'up' },
  { conversationId: 'plain', comment: 'nothing to see, "quoted"', prompt: 'p', output: 'o', thumb: 'up' },
];

const RISKY_LINE_START = /^[=+\-@\t\r＝＋－＠]/;

/** Parses `text` strictly and checks the shape; returns the rows as objects by header. */
function checkCsv(text: string): Record<string, string>[] {
  // relax_column_count so that a split row shows up as a wrong count below, with its content.
  const rows = parse(text, { record_delimiter: ['\r\n', '\n', '\r'], relax_column_count: true, relax_quotes: false }) as string[][];
  expect(rows[0]).toEqual([...CSV_COLUMNS]);
  for (const [i, row] of rows.entries()) expect(row.length, `row ${i}: ${JSON.stringify(row)}`).toBe(CSV_COLUMNS.length);
  for (const row of rows.slice(1)) {
    for (const [c, cell] of row.entries()) {
      for (const line of cell.split(/\r\n|\n|\r/)) expect(RISKY_LINE_START.test(line), `${CSV_COLUMNS[c]}: ${JSON.stringify(cell)}`).toBe(false);
    }
  }
  return rows.slice(1).map((r) => Object.fromEntries(CSV_COLUMNS.map((col, i) => [col, r[i]!])));
}

/** The text survives: only a single quote is added before a line that would start a formula. */
function checkContent(rows: Record<string, string>[]) {
  expect(rows).toHaveLength(CASES.length);
  const by = (id: string) => rows.find((r) => r.conversationId === id)!;
  expect(by('lf').comment).toBe(`fine\n'${PAYLOAD}`);
  expect(by('cr').comment).toBe(`fine\r'${PAYLOAD}`);
  expect(by('cr').prompt).toBe("a\r'+1");
  expect(by('mixed').comment).toBe("x\n'@SUM(A1:A9)\r\n'-3\n'\t=4\n'\r'=5");
  expect(by('mixed').output).toBe("ok\n'＠x\n'－1");
  expect(by('tags').prompt).toBe("'\r'=1");
  expect(by('tags').tags).toBe("t\n'=1, u\r'+2");
  expect(by('tags').correction).toBe('fix\n\'=HYPERLINK("http://evil.example","x")');
  expect(by('model').model).toBe("gpt\n'=evil()");
  expect(by('plain').comment).toBe('nothing to see, "quoted"');
}

describe('CSV exports quote line breaks and neutralise formulas on every line', () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  beforeAll(async () => {
    t = await createTestApp();
    await seedRatings(t.store, 'default', CASES);
  });
  afterAll(() => t.store.close());

  it('the csv format itself', async () => {
    let text = csv.header!;
    for await (const line of exportLines(t.store.db, 'default', prepareExport({ format: 'csv', filters: { all: true } }), emptyCounts())) text += line.text;
    checkContent(checkCsv(text));
  });

  it('GET /v1/exports/csv', async () => {
    const analyst = (await t.token('analyst', { workspaceId: 'default' })).token;
    const res = await t.call(analyst, 'GET', '/v1/exports/csv?all=true');
    expect(res.status).toBe(200);
    checkContent(checkCsv(await res.text()));
  });

  it('the dashboard download', async () => {
    const analyst = (await t.token('analyst', { workspaceId: 'default' })).token;
    const signIn = await t.app.request('/dashboard/sign-in', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://localhost' },
      body: new URLSearchParams({ token: analyst }).toString(),
    });
    expect(signIn.status).toBe(303);
    const cookie = (signIn.headers.get('Set-Cookie') ?? '').split(';')[0]!;
    const res = await t.app.request('/dashboard/exports/download/csv?all=true', { headers: { Cookie: cookie } });
    expect(res.status).toBe(200);
    checkContent(checkCsv(await res.text()));
  });
});

describe('groundtruth export --format csv', { timeout: 120_000 }, () => {
  it('writes the same safe CSV to a file', async () => {
    const dir = tempDir('gt-csv-cli-');
    const store = await openStore({ dataDir: dir });
    await seedRatings(store, 'default', CASES);
    await store.close();
    const out = path.join(dir, 'out.csv');
    const bin = path.resolve(import.meta.dirname, '../../bin/groundtruth.js');
    await promisify(execFile)(process.execPath, [bin, 'export', '--format', 'csv', '--all', '--out', out], {
      env: { ...process.env, DATA_DIR: dir, DATABASE_URL: '' },
      timeout: 60_000,
    });
    checkContent(checkCsv(fs.readFileSync(out, 'utf8')));
  });
});
