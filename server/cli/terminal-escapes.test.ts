/**
 * Issue 13, item 6: stored text printed raw by the CLI. A model name, token name, workspace or
 * rater id holding ESC/BEL/CR sequences (or 8-bit C1 controls, or bidi overrides) could clear the
 * operator's screen, retitle the window, overwrite a line or reorder what is shown. Every command
 * that prints stored text is run for real (`node bin/groundtruth.js`, as an operator would) and its
 * stdout and stderr must hold no control character but the line feed, with the text still visible.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/app.ts';
import { feedbackFrom, seedRatings } from '../../test/helpers/ratings.ts';
import { openStore } from '../store/open.ts';
import { createToken } from '../store/tokens.ts';

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '../../bin/groundtruth.js');

/** What a terminal acts on: C0 but LF, DEL, C1, bidi embeddings/overrides/isolates and marks, line/paragraph separators. */
const TERMINAL_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

const EVIL = {
  clear: 'evil\u001b[2J\u001b]0;pwned\u0007',
  cr: 'short\rLOOKS-FINE',
  c1: 'csi\u009b31m',
  bidi: 'gpt\u202edeifirev',
};
const WORKSPACE = 'ws\u001b[31m';
const RATER = 'rater\u0007\u202e';

let dir: string;

function cli(args: string[]) {
  return run(process.execPath, [BIN, ...args], { env: { ...process.env, DATA_DIR: dir, DATABASE_URL: '' }, timeout: 60_000 });
}

/** Both streams of a run, also of a failed one (exit code 1 is expected for some). */
async function output(args: string[]): Promise<string> {
  const r = await cli(args).catch((err: { stdout?: string; stderr?: string }) => err);
  return `${r.stdout ?? ''}${r.stderr ?? ''}`;
}

function expectClean(text: string, label: string) {
  const bad = TERMINAL_CONTROL.exec(text);
  const where = bad ? `U+${bad[0].codePointAt(0)!.toString(16).padStart(4, '0')} in ${JSON.stringify(text.slice(Math.max(0, bad.index - 40), bad.index + 40))}` : '';
  expect(bad, `${label} printed ${where}`).toBeNull();
}

beforeAll(async () => {
  dir = tempDir('gt-cli-escapes-');
  const store = await openStore({ dataDir: dir });
  const today = new Date().toISOString().slice(0, 10);
  await seedRatings(
    store,
    'default',
    Object.values(EVIL).flatMap((model) => [
      { model, thumb: 'up' as const, day: today },
      { model, thumb: 'down' as const, day: today },
    ]),
  );
  await seedRatings(store, WORKSPACE, [{ rater: RATER, model: EVIL.clear, thumb: 'up', day: today }]);
  await createToken(store.db, { role: 'rater', name: `alice${EVIL.clear}`, workspaceId: WORKSPACE, raterId: RATER });
  await createToken(store.db, { role: 'analyst', name: EVIL.bidi });
  await store.close();
}, 300_000);

// Each case starts the real CLI (tsx): seconds each on a busy machine.
describe('the CLI prints stored text without terminal controls', { timeout: 300_000 }, () => {
  it('stats, as a table and as JSON', async () => {
    const table = await output(['stats']);
    expectClean(table, 'stats');
    expect(table).toContain('evil\\x1b[2J\\x1b]0;pwned\\x07');
    expect(table).toContain('short\\rLOOKS-FINE');
    expectClean(await output(['stats', '--workspace', WORKSPACE]), 'stats --workspace');
    const json = await output(['stats', '--json']);
    expectClean(json, 'stats --json');
    // Still the same JSON: escapes in it are JSON escapes.
    const models = (JSON.parse(json) as { accuracy: { groups: { key: { model: string } }[] } }).accuracy.groups.map((g) => g.key.model);
    expect(models.sort()).toEqual(Object.values(EVIL).sort());
  });

  it('token list, as a table and as JSON', async () => {
    const table = await output(['token', 'list']);
    expectClean(table, 'token list');
    expect(table).toContain('alice');
    const json = await output(['token', 'list', '--json']);
    expectClean(json, 'token list --json');
    expect((JSON.parse(json) as { name: string }[]).map((t) => t.name).sort()).toEqual([`alice${EVIL.clear}`, EVIL.bidi].sort());
  });

  it('import reports, purge and erase-rater reports, and error lines', async () => {
    const file = path.join(dir, 'bad.jsonl');
    const bad = { ...feedbackFrom({ model: EVIL.c1, thumb: 'up' }), id: `not-a-uuid${EVIL.clear}`, raterId: RATER, workspaceId: WORKSPACE, receivedAt: new Date().toISOString(), clientId: null };
    fs.writeFileSync(file, `${JSON.stringify(bad)}\n{"id": "${EVIL.bidi}"}\n`);
    const imported = await output(['import', file, '--workspace', WORKSPACE, '--partial']);
    expectClean(imported, 'import');
    expect(imported).toContain('not-a-uuidevil\\x1b[2J');
    expectClean(await output(['import', file, '--workspace', WORKSPACE, '--partial', '--json']), 'import --json');
    expectClean(await output(['purge', '--older-than', '100y', '--dry-run', '--workspace', WORKSPACE]), 'purge');
    expectClean(await output(['purge', '--older-than', '100y', '--dry-run', '--workspace', WORKSPACE, '--json']), 'purge --json');
    expectClean(await output(['erase-rater', `${RATER}x`]), 'erase-rater (unknown)');
    expectClean(await output(['token', 'revoke', EVIL.clear]), 'token revoke (unknown)');
    const erased = await output(['erase-rater', RATER, '--workspace', WORKSPACE]);
    expectClean(erased, 'erase-rater');
    expect(erased).toContain('Erased rater rater\\x07\\u202e');
  });
});
