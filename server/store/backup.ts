/**
 * A consistent copy of the SQLite store while the server keeps writing. `VACUUM INTO` reads the
 * database inside one read transaction: in WAL mode that is a snapshot of the last commit, and it
 * does not block the writer (https://www.sqlite.org/lang_vacuum.html#vacuuminto). The online
 * backup API would restart every time the server commits, and may never finish under steady
 * writes. The copy is written beside the target, checked, then renamed into place.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export interface BackupReport {
  file: string;
  bytes: number;
  feedback: number;
  lastMigration: string | null;
  integrity: 'ok';
  ms: number;
}

export class BackupError extends Error {
  override name = 'BackupError';
}

/** Opens a copy read-only and checks it: integrity, and that it is a Groundtruth store. */
export function verifyBackup(file: string): Omit<BackupReport, 'ms' | 'file'> {
  const copy = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const problems = copy.pragma('integrity_check') as { integrity_check: string }[];
    if (problems.length !== 1 || problems[0]!.integrity_check !== 'ok') {
      throw new BackupError(`The copy failed its integrity check: ${problems.map((p) => p.integrity_check).join('; ')}`);
    }
    const tables = new Set((copy.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]).map((t) => t.name));
    for (const t of ['feedback', 'feedback_events', 'tokens', 'kysely_migration']) {
      if (!tables.has(t)) throw new BackupError(`The copy has no ${t} table: it is not a Groundtruth store.`);
    }
    const feedback = (copy.prepare('select count(*) as n from feedback').get() as { n: number }).n;
    const last = copy.prepare('select name from kysely_migration order by name desc limit 1').get() as { name: string } | undefined;
    return { bytes: fs.statSync(file).size, feedback, lastMigration: last?.name ?? null, integrity: 'ok' };
  } finally {
    copy.close();
  }
}

export function backupSqlite(source: string, target: string, { force = false } = {}): BackupReport {
  const started = Date.now();
  if (!fs.existsSync(source)) throw new BackupError(`No store at ${source} (set DATA_DIR to the server's data directory).`);
  const dest = path.resolve(target);
  if (dest === path.resolve(source)) throw new BackupError('The backup file must not be the store itself.');
  if (fs.existsSync(dest) && !force) throw new BackupError(`${dest} exists; pass --force to replace it.`);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const partial = `${dest}.partial-${process.pid}`;
  fs.rmSync(partial, { force: true });
  // Not openSqlite(): the backup must not change the live store's settings or schema.
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    db.prepare('VACUUM INTO ?').run(partial);
  } catch (err) {
    fs.rmSync(partial, { force: true });
    throw new BackupError(`Could not copy ${source}: ${(err as Error).message}`);
  } finally {
    db.close();
  }
  let checked: Omit<BackupReport, 'ms' | 'file'>;
  try {
    checked = verifyBackup(partial);
  } catch (err) {
    fs.rmSync(partial, { force: true });
    throw err;
  }
  fs.renameSync(partial, dest);
  return { file: dest, ...checked, ms: Date.now() - started };
}
