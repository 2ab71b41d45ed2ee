import { Command } from 'commander';
import { eraseLinkRatings, eraseRater, workspacesOfRater, type ErasureReport } from '../../store/erase.ts';
import { revokeLink } from '../../store/feedback-links.ts';
import { withLinkTables } from '../../store/link-tables.ts';
import { clockNow } from '../../lib/clock.ts';
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
    .argument('[raterId]', 'the rater id (see `groundtruth token list`; `user:<id>` for a user id a rating link or an embedding app attached)')
    .option('--workspace <id>', 'only this workspace (default: every workspace the rater appears in)')
    .option('--link <linkId>', 'instead of a rater: every rating made through this rating link (which is revoked too)')
    .option('--json', 'print the report as JSON')
    .action(async (raterId: string | undefined, opts: { workspace?: string; link?: string; json?: boolean }) => {
      if (opts.link !== undefined) return eraseLink(opts.link, opts);
      if (raterId === undefined) throw new Error('Name a rater id, or a rating link with --link <linkId>.');
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

/** `erase-rater --link <id>`: a rating link's records (issue 17), as DELETE /v1/feedback-links/{id}/feedback. */
async function eraseLink(linkId: string, opts: { workspace?: string; json?: boolean }): Promise<void> {
  await withStore(async (store) => {
    let q = withLinkTables(store.db).selectFrom('feedback_links').selectAll().where('id', '=', linkId);
    if (opts.workspace) q = q.where('workspace_id', '=', opts.workspace);
    const link = await q.executeTakeFirst();
    if (!link) throw new Error(`No rating link ${linkId}${opts.workspace ? ` in workspace ${opts.workspace}` : ''}: nothing erased.`);
    await revokeLink(store.db, link.workspace_id, link.id, clockNow());
    const erased = await eraseLinkRatings(store.db, link);
    await auditCli(store.db, { workspaceId: link.workspace_id, action: 'feedback_link.erased', target: { type: 'feedback_link', id: link.id }, details: { erased } });
    if (opts.json) process.stdout.write(terminalJson({ workspaceId: link.workspace_id, linkId: link.id, erased }));
    else process.stdout.write(tty`Erased the ratings made through link ${link.id} in workspace ${link.workspace_id}: ${erased.feedback} feedback records, ${erased.events} events, ${erased.deliveries} webhook deliveries; the link is revoked.\n`);
  });
}
