import { Command, Option } from 'commander';
import { ZodError } from 'zod';
import { describeZodError } from '../../../shared/schemas.ts';
import { auditCli } from '../../audit/cli.ts';
import { exportToFiles } from '../../exports/files.ts';
import { DEFAULT_EXPORT_DAYS } from '../../exports/filters.ts';
import { FORMAT_NAMES, FORMATS, type FormatName } from '../../exports/formats/index.ts';
import { describeCounts } from '../../exports/tally.ts';
import { fail, withStore } from '../context.ts';
import { addFilterOptions, filtersFromOptions } from '../filter-options.ts';
import { progressBar } from '../progress.ts';
import { terminalJson, tty } from '../terminal-text.ts';

interface ExportOpts {
  format: FormatName;
  out: string;
  workspace: string;
  split?: string;
  force?: boolean;
  weightUp?: string;
  weightDown?: string;
  json?: boolean;
  /** The filter flags (filter-options.ts). */
  [filter: string]: unknown;
}

function number(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`${name} must be a number, not ${JSON.stringify(value)}`);
  return n;
}

const WINDOW = { window: { days: `records created in the last N days (default ${DEFAULT_EXPORT_DAYS}: the weekly export)` } };

export function exportCommand(): Command {
  const cmd = new Command('export')
    .summary('Export feedback as a training dataset or a spreadsheet, streamed to a file with a manifest')
    .description(
      'Streams the workspace’s feedback into FILE (never the whole set in memory) and writes FILE’s manifest ' +
        '(format, filters, counts per split, sha256 of each file), recorded as an export run (GET /v1/exports/runs). ' +
        'Identical prompt+answer examples are merged with the majority label.',
    )
    .addOption(new Option('--format <format>', 'output format').choices([...FORMAT_NAMES]).makeOptionMandatory())
    .requiredOption(
      '--out <file>',
      'output file (a regular file, never a directory or a device); with --split, x.jsonl becomes x.train.jsonl and x.validation.jsonl',
    )
    .option('--force', 'replace the output files and manifest if they exist')
    .option('--workspace <id>', 'workspace', 'default')
    .option('--split <share>', 'validation share, e.g. 0.1: split by hash of the conversation (deterministic, leak-free)')
    .option('--weight-up <w>', 'weighted format: weight of up-rated answers', '2.0')
    .option('--weight-down <w>', 'weighted format: weight of down-rated answers', '0.5')
    .option('--json', 'print the manifest as JSON on stdout');
  return addFilterOptions(cmd, WINDOW)
    .addHelpText(
      'after',
      '\nFilters: the same as the API\'s and the dashboard\'s (shared/filters.ts). Without --since, --until, --days or --all the ' +
        `window is the last ${DEFAULT_EXPORT_DAYS} days; --days with --since or --until, or --all with any of them, is refused.\n` +
        '\nFormats:\n' +
        FORMAT_NAMES.map((f) => `  ${f.padEnd(11)} ${FORMATS[f].description}`).join('\n') +
        '\n\nExamples:\n' +
        '  npx groundtruth export --format openai-sft --out data/sft.jsonl --split 0.1\n' +
        '  npx groundtruth export --format csv --out week.csv --days 7 --model gpt-5 --force   # replace last week\'s file\n' +
        '  npx groundtruth export --format jsonl --out backup.jsonl --all   # restore with: npx groundtruth import backup.jsonl --workspace default',
    )
    .action(async (opts: ExportOpts) => {
      const bar = progressBar(`export ${opts.format}`);
      try {
        const filters = filtersFromOptions(opts, WINDOW);
        await withStore(async (store) => {
          const { manifest, paths } = await exportToFiles(
            store,
            opts.workspace,
            {
              format: opts.format,
              split: number('--split', opts.split),
              weights: { up: number('--weight-up', opts.weightUp), down: number('--weight-down', opts.weightDown) },
              filters,
            },
            opts.out,
            { onTotal: (n) => bar.start(n), onRead: (n) => bar.update(n), via: 'cli', force: opts.force },
          );
          bar.stop();
          await auditCli(store.db, {
            workspaceId: opts.workspace,
            action: 'export.created',
            target: { type: 'export_run', id: manifest.runId },
            details: { format: manifest.format, filters: manifest.filters, split: manifest.split, files: manifest.files.map((f) => f.name) },
          });
          if (opts.json) {
            process.stdout.write(terminalJson(manifest));
            return;
          }
          const c = manifest.counts;
          for (const f of manifest.files) process.stdout.write(tty`${f.name}: ${f.rows} lines, ${f.bytes} bytes, sha256 ${f.sha256}\n`);
          process.stdout.write(
            `${c.read} records read` +
              (manifest.format === 'jsonl' || manifest.format === 'csv'
                ? ''
                : `, ${c.examples} examples (${c.merged} merged, ${c.leaksDropped} kept on train only)` +
                  `\nlines made: ${describeCounts(c.made)}\nrecords left out: ${describeCounts(c.leftOut)}`) +
              tty`\nmanifest: ${paths.manifest} (export run ${manifest.runId})\n`,
          );
        });
      } catch (err) {
        bar.stop();
        fail(err instanceof ZodError ? new Error(`invalid option: ${describeZodError(err)}`) : err);
      }
    });
}
