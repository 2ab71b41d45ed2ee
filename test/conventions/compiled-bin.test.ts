/**
 * bin/groundtruth.js runs the compiled build when it is at least as new as every source under
 * server/ and shared/, and the sources through tsx otherwise, saying so on stderr when the build is
 * stale (ADR 0043). Checked on a copy of the bin in a small tree of its own, so the real tree's
 * times are never touched while other tests start the CLI.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/app.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

function tree() {
  const dir = tempDir('gt-bin-');
  for (const sub of ['bin', 'dist', 'server/cli', 'shared']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'bin/groundtruth.js'), path.join(dir, 'bin/groundtruth.js'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  fs.writeFileSync(path.join(dir, 'server/cli/index.ts'), "const from: string = 'sources';\nconsole.log(from);\n");
  fs.writeFileSync(path.join(dir, 'shared/fields.ts'), 'export const x = 1;\n');
  const setTime = (rel: string, seconds: number) => fs.utimesSync(path.join(dir, rel), seconds, seconds);
  setTime('server/cli/index.ts', 1_000_000);
  setTime('shared/fields.ts', 1_000_000);
  const build = (seconds: number) => {
    fs.writeFileSync(path.join(dir, 'dist/groundtruth.js'), "console.log('built');\n");
    setTime('dist/groundtruth.js', seconds);
  };
  const start = () => run(process.execPath, [path.join(dir, 'bin/groundtruth.js')], { cwd: dir });
  return { dir, setTime, build, start };
}

describe('bin/groundtruth.js', () => {
  it('runs dist/groundtruth.js when it is as new as every source', async () => {
    const t = tree();
    t.build(1_000_000);
    const { stdout, stderr } = await t.start();
    expect(stdout).toBe('built\n');
    expect(stderr).toBe('');
  });

  it('runs the sources through tsx and says so when a source under server/ or shared/ is newer', async () => {
    for (const newer of ['server/cli/index.ts', 'shared/fields.ts']) {
      const t = tree();
      t.build(1_000_000);
      t.setTime(newer, 1_000_001);
      const { stdout, stderr } = await t.start();
      expect(stdout).toBe('sources\n');
      expect(stderr).toMatch(/dist\/ is older than the sources; running them through tsx/);
    }
  });

  it('runs the sources through tsx, quietly, in a checkout that was never built', async () => {
    const t = tree();
    const { stdout, stderr } = await t.start();
    expect(stdout).toBe('sources\n');
    expect(stderr).toBe('');
  });
});
