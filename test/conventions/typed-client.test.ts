/**
 * The extension reaches the server only through its typed client (extension/sync/api.ts,
 * `hc<AppType>`; ADR 0032), so a renamed route fails the typecheck instead of a rater's sync.
 * A path written as a string would get past the typecheck again: none may appear in the
 * extension's code (its tests may name paths, to check what went over the wire).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

function sourcesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourcesUnder(p));
    else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) out.push(p);
  }
  return out;
}

/** A string or template literal that starts like one of the server's paths. */
const SERVER_PATH = /['"`]\/(?:v1|api\/v1|healthz|readyz|metrics|openapi\.json|dashboard)(?:[/?'"`$]|\b)/;

/** Comment lines are text, not requests. */
const code = (text: string) => text.split('\n').filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line));

describe('the typed extension client', () => {
  it('the pattern finds a path written as a string', () => {
    expect(SERVER_PATH.test("requestJson(fetch, url, '/v1/sync', {})")).toBe(true);
    expect(SERVER_PATH.test('return `/v1/feedback?${params}`;')).toBe(true);
    expect(SERVER_PATH.test("fetch(`${base}/healthz`)")).toBe(false); // caught below: a base joined to a path
    expect(SERVER_PATH.test('api.v1.sync.$post({ json })')).toBe(false);
  });

  it('no extension source builds a server path as a string', () => {
    const offenders: string[] = [];
    for (const file of sourcesUnder(path.join(ROOT, 'extension'))) {
      code(fs.readFileSync(file, 'utf8')).forEach((line) => {
        if (SERVER_PATH.test(line) || /\}\/(?:v1|api\/v1|healthz)\b/.test(line)) offenders.push(`${path.relative(ROOT, file)}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });

  it('one place makes the client (extension/sync/api.ts)', () => {
    const makers = sourcesUnder(path.join(ROOT, 'extension'))
      .filter((file) => /\bhc</.test(fs.readFileSync(file, 'utf8')))
      .map((file) => path.relative(ROOT, file));
    expect(makers).toEqual(['extension/sync/api.ts']);
  });
});
