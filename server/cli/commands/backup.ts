import path from 'node:path';
import { Command } from 'commander';
import { parseEnv } from '../../env.ts';
import { backupSqlite } from '../../store/backup.ts';
import { SQLITE_FILE_NAME } from '../../store/open.ts';
import { terminalJson, tty } from '../terminal-text.ts';

export function backupCommand(): Command {
  return new Command('backup')
    .summary('Snapshot the SQLite store to FILE while the server runs, and verify it')
    .description(
      'Write a consistent snapshot of the SQLite store to FILE while the server keeps running, then verify it by opening it. ' +
        `To restore: stop the server and put the file at DATA_DIR/${SQLITE_FILE_NAME}. For PostgreSQL use pg_dump.`,
    )
    .argument('<file>', 'where to write the copy, e.g. backups/groundtruth-2026-02-01.sqlite')
    .option('--force', 'replace FILE if it exists')
    .option('--json', 'print the report as JSON')
    .action(async (file: string, opts: { force?: boolean; json?: boolean }) => {
      const env = parseEnv();
      if (env.DATABASE_URL) throw new Error('backup copies the SQLite store; with DATABASE_URL (PostgreSQL) use pg_dump instead.');
      const report = backupSqlite(path.join(env.DATA_DIR, SQLITE_FILE_NAME), file, { force: opts.force });
      if (opts.json) process.stdout.write(terminalJson(report, 0));
      else {
        process.stdout.write(
          tty`Backup written to ${report.file} (${(report.bytes / 1024).toFixed(0)} KiB, ${report.feedback} feedback records, ` +
            `schema ${report.lastMigration}) in ${report.ms} ms; integrity check: ${report.integrity}.\n`,
        );
      }
    });
}
