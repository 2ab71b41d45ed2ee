import fs from 'node:fs';
import { Command } from 'commander';
import path from 'node:path';
import { auditCliWithStore } from '../../audit/cli.ts';
import { importRecords } from '../../exports/import.ts';
import { withStore } from '../context.ts';
import { progressBar } from '../progress.ts';
import { terminalJson, tty } from '../terminal-text.ts';

export function importCommand(): Command {
  return new Command('import')
    .summary('Restore records from a jsonl export (exact and idempotent, all or nothing)')
    .description(
      'Reads FILE, a `groundtruth export --format jsonl` file, and restores every record exactly: same ids, raters, ' +
        'workspaces, clients and timestamps, with events and rollups. Importing the same file twice changes nothing; ' +
        'a record stored in a newer version is kept. A restore is whole or not at all: if any line is not a valid record ' +
        'of the workspace, or the store refuses it, nothing is imported, the lines are listed and the exit code is 1. ' +
        'The whole file is one transaction: on SQLite other writers (a running server) wait until it ends. ' +
        'With --partial the valid lines are imported anyway (in chunks) and only the others are listed.',
    )
    .argument('<file>', 'the jsonl file ("-" for standard input)')
    .requiredOption('--workspace <id>', 'the workspace the file restores; a record of another workspace is a rejected line')
    .option('--partial', 'import the valid lines even if some are rejected (exit code 1 still)')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      '\nExample:\n  npx groundtruth export --format jsonl --all --out backup.jsonl --workspace team-b\n' +
        '  DATA_DIR=./restored npx groundtruth import backup.jsonl --workspace team-b',
    )
    .action(async (file: string, opts: { workspace: string; partial?: boolean; json?: boolean }) => {
      const input = file === '-' ? process.stdin : fs.createReadStream(file);
      const size = file === '-' ? 0 : fs.statSync(file).size;
      const bar = progressBar('import', 'bytes');
      if (size) bar.start(size);
      const report = await withStore((store) =>
        importRecords(store.db, input, {
          workspaceId: opts.workspace,
          partial: opts.partial,
          onLines: () => bar.update((input as fs.ReadStream).bytesRead ?? 0),
        }),
      ).finally(() => bar.stop());
      if (opts.json) process.stdout.write(terminalJson(report));
      else {
        process.stdout.write(
          report.committed
            ? `${report.lines} lines: ${report.applied} restored, ${report.unchanged} already there, ${report.stale} kept (newer stored), ${report.rejected.length} rejected\n`
            : `${report.lines} lines, ${report.rejected.length} rejected: nothing imported (a restore is all or nothing; ` +
                'fix these lines, or import the others with --partial)\n',
        );
        for (const r of report.rejected.slice(0, 20)) process.stderr.write(tty`line ${r.line}${r.id ? ` (${r.id})` : ''}: ${r.error}\n`);
        if (report.rejected.length > 20) process.stderr.write(`… and ${report.rejected.length - 20} more\n`);
      }
      if (report.rejected.length) process.exitCode = 1;
      if (report.committed) {
        const { lines, applied, unchanged, stale, rejected } = report;
        const details = { file: file === '-' ? 'stdin' : path.basename(file), lines, applied, unchanged, stale, rejected: rejected.length, partial: !!opts.partial };
        await auditCliWithStore({ workspaceId: opts.workspace, action: 'import.completed', details });
      }
    });
}
