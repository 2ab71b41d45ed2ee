import { Command, Option } from 'commander';
import { ROLES, type Role } from '../../../shared/schemas.ts';
import { createToken, listTokens, revokeToken } from '../../store/tokens.ts';
import { withStore } from '../context.ts';

export function tokenCommand(): Command {
  const token = new Command('token').description('Create, list and revoke API tokens (stored only as hashes)');

  token
    .command('create')
    .description('Create a token; it is printed once, alone on the last line of stdout')
    .addOption(new Option('--role <role>', 'what the token may do').choices([...ROLES]).makeOptionMandatory())
    .requiredOption('--name <name>', 'who or what the token is for, e.g. "alice" or "airflow-pipeline"')
    .option('--workspace <id>', 'workspace (created if new)', 'default')
    .option('--rater <id>', 'reuse an existing rater id (a second device of the same person)')
    .action(async (opts: { role: Role; name: string; workspace: string; rater?: string }) => {
      await withStore(async (store) => {
        const { token: secret, info } = await createToken(store.db, {
          role: opts.role,
          name: opts.name,
          workspaceId: opts.workspace,
          raterId: opts.rater,
        });
        process.stderr.write(
          `Created ${info.role} token "${info.name}" (id ${info.id}, rater ${info.raterId}, workspace ${info.workspaceId}).\n` +
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
          process.stdout.write(`${JSON.stringify(tokens, null, 2)}\n`);
          return;
        }
        if (!tokens.length) {
          process.stdout.write('No tokens.\n');
          return;
        }
        const rows = tokens.map((t) => [t.id, t.prefix + '…', t.role, t.name, t.workspaceId, t.raterId, t.revokedAt ? `revoked ${t.revokedAt}` : 'active', t.lastUsedAt ?? 'never']);
        const head = ['id', 'prefix', 'role', 'name', 'workspace', 'rater', 'status', 'last used'];
        const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
        for (const r of [head, ...rows]) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i]!)).join('  ')}\n`);
      });
    });

  token
    .command('revoke')
    .description('Revoke a token by its id')
    .argument('<id>', 'the token id from `token list`')
    .action(async (id: string) => {
      await withStore(async (store) => {
        if (!(await revokeToken(store.db, id))) throw new Error(`No active token with id ${id}.`);
        process.stdout.write(`Revoked ${id}.\n`);
      });
    });

  return token;
}
