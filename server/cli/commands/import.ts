import fs from 'node:fs';
import { Command } from 'commander';
import { importRecords } from '../../exports/import.ts';
import { withStore } from '../context.ts';
import { progressBar } from '../progress.ts';

export function importCommand(): Command {
  return new Command('import')
    .summary('Restore records from a jsonl export (exact and idempotent)')
    .description(
      'Reads FILE, a `groundtruth export --format jsonl` file, and restores every record exactly: same ids, raters, ' +
        'workspaces, clients and timestamps, with events and rollups. Importing the same file twice changes nothing; ' +
        'a record stored in a newer version is kept. Lines that are not valid records are listed and skipped (exit code 1).',
    )
    .argument('<file>', 'the jsonl file ("-" for standard input)')
    .option('--json', 'print the report as JSON')
    .addHelpText('after', '\nExample:\n  npx groundtruth export --format jsonl --all --out backup.jsonl\n  DATA_DIR=./restored npx groundtruth import backup.jsonl')
    .action(async (file: string, opts: { json?: boolean }) => {
      const input = file === '-' ? process.stdin : fs.createReadStream(file);
      const size = file === '-' ? 0 : fs.statSync(file).size;
      const bar = progressBar('import', 'bytes');
      if (size) bar.start(size);
      const report = await withStore((store) =>
        importRecords(store.db, input, { onLines: () => bar.update((input as fs.ReadStream).bytesRead ?? 0) }),
      ).finally(() => bar.stop());
      if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else {
        process.stdout.write(
          `${report.lines} lines: ${report.applied} restored, ${report.unchanged} already there, ${report.stale} kept (newer stored), ${report.rejected.length} rejected\n`,
        );
        for (const r of report.rejected.slice(0, 20)) process.stderr.write(`line ${r.line}${r.id ? ` (${r.id})` : ''}: ${r.error}\n`);
        if (report.rejected.length > 20) process.stderr.write(`… and ${report.rejected.length - 20} more\n`);
      }
      if (report.rejected.length) process.exitCode = 1;
    });
}
