import { Command } from 'commander';
import { eraseRater, workspacesOfRater, type ErasureReport } from '../../store/erase.ts';
import { auditCli } from '../../audit/cli.ts';
import { withStore } from '../context.ts';
import { terminalJson, tty } from '../terminal-text.ts';

function describe(r: ErasureReport): string {
  return (
    tty`Erased rater ${r.raterId} from workspace ${r.workspaceId}: ${r.feedback} feedback records, ${r.events} events ` +
    `(${r.eventsPseudonymized} more kept with the actor replaced), ${r.tokens} tokens, ${r.deliveries} webhook deliveries, ` +
    `${r.items} items, ${r.traceEvents} trace events, ${r.notes} notes.`
  );
}

export function eraseRaterCommand(): Command {
  return new Command('erase-rater')
    .summary('Erase one rater and all their data, for good')
    .description(
      'Erase one rater for good: their feedback, its text in the event log, their rollup counts and search text, their tokens, ' +
        'items, traces and notes. Irreversible; export first with GET /v1/raters/{raterId}/export if they asked for a copy.',
    )
    .argument('<raterId>', 'the rater id (see `groundtruth token list`)')
    .option('--workspace <id>', 'only this workspace (default: every workspace the rater appears in)')
    .option('--json', 'print the report as JSON')
    .action(async (raterId: string, opts: { workspace?: string; json?: boolean }) => {
      await withStore(async (store) => {
        const workspaces = opts.workspace ? [opts.workspace] : await workspacesOfRater(store.db, raterId);
        const found = opts.workspace ? await workspacesOfRater(store.db, raterId).then((w) => w.includes(opts.workspace!)) : workspaces.length > 0;
        if (!found) throw new Error(`No rater ${raterId}${opts.workspace ? ` in workspace ${opts.workspace}` : ''}: nothing erased.`);
        const reports: ErasureReport[] = [];
        for (const ws of workspaces) reports.push(await eraseRater(store.db, ws, raterId));
        for (const { workspaceId, raterId: _r, ...erased } of reports) {
          // The erased rater named by id only; the counts say how much went, nothing of what.
          await auditCli(store.db, { workspaceId, action: 'rater.erased', target: { type: 'rater', id: raterId }, details: { erased } });
        }
        if (opts.json) process.stdout.write(terminalJson(reports));
        else for (const r of reports) process.stdout.write(`${describe(r)}\n`);
      });
    });
}
