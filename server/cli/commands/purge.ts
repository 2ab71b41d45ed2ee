import { Command } from 'commander';
import { applyRetention } from '../../jobs/retention.ts';
import { purgeOlderThan, type PurgeReport } from '../../store/erase.ts';
import { allWorkspaces, auditCli } from '../../audit/cli.ts';
import { withStore } from '../context.ts';
import { parseDuration } from '../duration.ts';
import { terminalJson, tty } from '../terminal-text.ts';

function describe(r: PurgeReport, dryRun: boolean): string {
  const verb = dryRun ? 'would delete' : 'deleted';
  const where = r.workspaceId ? tty`workspace ${r.workspaceId}` : 'all workspaces';
  const events = dryRun ? '' : `, ${r.events} events`;
  return `${where}: ${verb} ${r.feedback} feedback records${events}, ${r.deliveries} webhook deliveries, ${r.items} items, ${r.traceEvents} trace events created before ${r.before}`;
}

export function purgeCommand(): Command {
  return new Command('purge')
    .summary('Delete data older than a cutoff (or as the retention settings say)')
    .description(
      'Delete data older than a cutoff for good: feedback (with its events, rollup counts and search text), webhook deliveries, items and traces. ' +
        "Without --older-than, applies each workspace's retention setting now (the server also does this daily).",
    )
    .option('--older-than <duration>', 'cutoff as an age: 365d, 12w, 48h or 1y (created before now minus this)')
    .option('--workspace <id>', 'only this workspace (default: every workspace)')
    .option('--dry-run', 'count what would be deleted, delete nothing')
    .option('--json', 'print the report as JSON')
    .addHelpText('after', '\nExamples:\n  npx groundtruth purge --older-than 365d\n  npx groundtruth purge --older-than 90d --workspace team-b --dry-run\n  npx groundtruth purge            # apply the retention settings')
    .action(async (opts: { olderThan?: string; workspace?: string; dryRun?: boolean; json?: boolean }) => {
      const ageMs = opts.olderThan === undefined ? undefined : parseDuration(opts.olderThan);
      await withStore(async (store) => {
        let reports: PurgeReport[];
        if (ageMs !== undefined) {
          const before = new Date(Date.now() - ageMs);
          reports = [await purgeOlderThan(store.db, { before, workspaceId: opts.workspace, dryRun: opts.dryRun })];
        } else {
          if (opts.dryRun || opts.workspace) throw new Error('--dry-run and --workspace need --older-than.');
          // Every workspace with a retention setting, due or not (intervalMs 0).
          reports = await applyRetention(store.db, { intervalMs: 0 });
          if (!reports.length) {
            process.stderr.write('No workspace has a retention setting (PATCH /v1/settings {"retentionDays": N}); nothing to do. Use --older-than for a one-off purge.\n');
          }
        }
        if (!opts.dryRun) {
          for (const r of reports) {
            const details = { before: r.before, feedback: r.feedback, events: r.events, deliveries: r.deliveries, items: r.items, traceEvents: r.traceEvents };
            // A purge of every workspace is recorded in each (each admin reads only their own log).
            for (const workspaceId of r.workspaceId ? [r.workspaceId] : await allWorkspaces(store.db)) {
              await auditCli(store.db, { workspaceId, action: 'purge.completed', details: { ...details, allWorkspaces: !r.workspaceId } });
            }
          }
        }
        if (opts.json) process.stdout.write(terminalJson(reports));
        else for (const r of reports) process.stdout.write(`${describe(r, !!opts.dryRun)}\n`);
      });
    });
}
