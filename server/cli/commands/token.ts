import { Command, Option } from 'commander';
import { ROLES, type Role } from '../../../shared/schemas.ts';
import { auditCli } from '../../audit/cli.ts';
import { clockNow } from '../../lib/clock.ts';
import { resolveTokenRef } from '../../store/token-ref.ts';
import { createToken, listTokens, revokeToken, tokenExpired } from '../../store/tokens.ts';
import { withStore } from '../context.ts';
import { parseDuration } from '../duration.ts';
import { terminalJson, terminalTable, tty } from '../terminal-text.ts';

export function tokenCommand(): Command {
  const token = new Command('token').description('Create, list and revoke API tokens (stored only as hashes)');

  token
    .command('create')
    .description('Create a token; it is printed once, alone on the last line of stdout')
    .addOption(new Option('--role <role>', 'what the token may do').choices([...ROLES]).makeOptionMandatory())
    .requiredOption('--name <name>', 'who or what the token is for, e.g. "alice" or "airflow-pipeline"')
    .option('--workspace <id>', 'workspace (created if new)', 'default')
    .option('--rater <id>', 'reuse an existing rater id (a second device of the same person)')
    .option('--expires <duration>', 'refuse the token after this long: 90d, 12w, 48h or 1y (default: never)')
    .action(async (opts: { role: Role; name: string; workspace: string; rater?: string; expires?: string }) => {
      const expiresAt = opts.expires === undefined ? null : new Date(clockNow().getTime() + parseDuration(opts.expires)).toISOString();
      await withStore(async (store) => {
        const { token: secret, info } = await createToken(store.db, {
          role: opts.role,
          name: opts.name,
          workspaceId: opts.workspace,
          raterId: opts.rater,
          expiresAt,
        });
        await auditCli(store.db, {
          workspaceId: info.workspaceId,
          action: 'token.created',
          target: { type: 'token', id: info.id },
          details: { role: info.role, raterId: info.raterId, expiresAt: info.expiresAt },
        });
        process.stderr.write(
          tty`Created ${info.role} token "${info.name}" (id ${info.id}, rater ${info.raterId}, workspace ${info.workspaceId}).\n` +
            'It is shown only now; store it somewhere safe.\n',
        );
        process.stdout.write(`${secret}\n`);
      });
    });

  token
    .command('list')
    .description('List tokens (never their secrets)')
    .option('--workspace <id>', 'only this workspace')
    .option('--json', 'print JSON')
    .action(async (opts: { workspace?: string; json?: boolean }) => {
      await withStore(async (store) => {
        const tokens = await listTokens(store.db, opts.workspace);
        if (opts.json) {
          process.stdout.write(terminalJson(tokens));
          return;
        }
        if (!tokens.length) {
          process.stdout.write('No tokens.\n');
          return;
        }
        const status = (t: (typeof tokens)[number]) => (t.revokedAt ? `revoked ${t.revokedAt}` : tokenExpired(t) ? `expired ${t.expiresAt}` : 'active');
        const expiry = (t: (typeof tokens)[number]) => (t.expiresAt ? `${tokenExpired(t) ? 'expired' : 'expires'} ${t.expiresAt}` : 'never');
        const rows = tokens.map((t) => [t.id, t.prefix + '…', t.role, t.name, t.workspaceId, t.raterId, status(t), expiry(t), t.lastUsedAt ?? 'never']);
        const head = ['id', 'prefix', 'role', 'name', 'workspace', 'rater', 'status', 'expiry', 'last used'];
        for (const line of terminalTable(head, rows)) process.stdout.write(`${line}\n`);
      });
    });

  token
    .command('revoke')
    .description(
      'Revoke one token of the workspace: by its exact id, or by the start of its id or of its shown prefix (gt_…) ' +
        'if that matches exactly one active token there. A start that matches several is refused, with their ids.',
    )
    .argument('<id-or-prefix>', 'the token id (or the start of it, or of its prefix) from `token list`')
    .option('--workspace <id>', 'the workspace the token is in', 'default')
    .addHelpText('after', '\nExamples:\n  npx groundtruth token revoke 01960c1e-5a2b-7c3d-9e4f-0a1b2c3d4e5f\n  npx groundtruth token revoke gt_AbC1234 --workspace team-b')
    .action(async (ref: string, opts: { workspace: string }) => {
      await withStore(async (store) => {
        const found = await resolveTokenRef(store.db, ref, opts.workspace);
        if (found.kind === 'many') {
          const ids = found.tokens.map((t) => tty`${t.id} (${t.prefix}…, ${t.name})`).join(', ');
          throw new Error(`"${ref}" matches ${found.tokens.length} tokens of workspace ${opts.workspace}: ${ids}. Nothing revoked; give the id.`);
        }
        if (found.kind === 'none') {
          const hint = found.elsewhere.length ? ` It is in workspace ${found.elsewhere.join(', ')}: add --workspace ${found.elsewhere[0]}.` : '';
          throw new Error(`No active token of workspace ${opts.workspace} has the id or prefix "${ref}".${hint}`);
        }
        if (!(await revokeToken(store.db, found.token.id, opts.workspace))) throw new Error(`Token ${found.token.id} was revoked meanwhile.`);
        await auditCli(store.db, { workspaceId: opts.workspace, action: 'token.revoked', target: { type: 'token', id: found.token.id } });
        process.stdout.write(tty`Revoked ${found.token.id} (${found.token.prefix}…, ${found.token.role} "${found.token.name}", workspace ${opts.workspace}).\n`);
      });
    });

  return token;
}
