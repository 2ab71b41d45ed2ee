/**
 * Where `groundtruth export --out` may write (issue 13, item 8). A careless path used to be
 * written through: a directory got a hidden `.jsonl` in it (`--out dir/`) or a file beside it, a
 * device path got a file beside the device (or, as root, in /dev), a symlinked manifest was
 * written through to what it pointed at, and an existing export was replaced without a word.
 * Now only regular files are written, by rename, and an existing one only with --force.
 */
import fs from 'node:fs';
import path from 'node:path';

export class OutputPathError extends Error {}

/** What is at `p`, following a symlink; 'missing' when nothing is (or a symlink points nowhere). */
function kind(p: string): 'missing' | 'file' | 'directory' | 'other' {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return 'missing';
    throw err;
  }
  return st.isFile() ? 'file' : st.isDirectory() ? 'directory' : 'other';
}

const exists = (p: string) => {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
};

/**
 * Throws OutputPathError unless `out` names a file and every path of `targets` (the data files
 * and the manifest) is free or, with `force`, a regular file to replace.
 */
export function checkOutputPaths(out: string, targets: string[], force: boolean): void {
  if (/[\\/]$/.test(out) || kind(out) === 'directory') {
    throw new OutputPathError(`--out ${out} is a directory: name a file, e.g. --out ${path.join(out, 'export.jsonl')}`);
  }
  for (const p of [out, ...targets]) {
    const k = kind(p);
    if (k === 'directory') throw new OutputPathError(`${p} is a directory: name another --out file`);
    if (k === 'other') throw new OutputPathError(`${p} is not a regular file (a device, pipe or socket): exports are written to files only`);
  }
  if (force) return;
  const taken = targets.filter(exists);
  if (taken.length) throw new OutputPathError(`${taken.join(', ')} ${taken.length === 1 ? 'exists' : 'exist'}: pass --force to replace, or name another --out file`);
}

/** Opens `p` for writing as a new file: a stale one (file or link, never followed) is removed first. */
export function openFresh(p: string): number {
  if (kind(p) === 'directory') throw new OutputPathError(`${p} is a directory`);
  fs.rmSync(p, { force: true });
  return fs.openSync(p, 'wx');
}
