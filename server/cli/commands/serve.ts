import path from 'node:path';
import { Command } from 'commander';
import { parseEnv } from '../../env.ts';
import { startBackgroundJobs } from '../../jobs/index.ts';
import { startHttpServer } from '../../server.ts';
import { logger } from '../../metrics/log.ts';
import { openStore } from '../../store/open.ts';
import { countTokens, createToken } from '../../store/tokens.ts';
import { lockForWrite } from '../../store/write-locks.ts';
import { terminalText, tty } from '../terminal-text.ts';

export function serveCommand(): Command {
  return new Command('serve')
    .description('Serve the API (and dashboard) — env PORT, HOST, DATA_DIR, DATABASE_URL')
    .action(async () => {
      const env = parseEnv();
      const store = await openStore({ dataDir: env.DATA_DIR, databaseUrl: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE });
      let firstToken: string | undefined;
      // Several servers starting together on an empty PostgreSQL: one of them makes the admin token.
      await store.db.transaction().execute(async (trx) => {
        await lockForWrite(trx, ['first-admin-token']);
        if ((await countTokens(trx)) === 0) firstToken = (await createToken(trx, { role: 'admin', name: 'first-admin' })).token;
      });
      const running = await startHttpServer(store, { port: env.PORT, host: env.HOST, metricsPort: env.METRICS_PORT });
      // Webhook deliveries and the daily retention purge; stopped before the store closes.
      // Job lines can quote stored text (webhook URLs, workspace ids): no terminal controls; JSON through the log.
      const jobs = startBackgroundJobs(store, env, (line) => logger().info({ job: true }, terminalText(line)));
      const extensionDir = path.resolve('.output/chrome-mv3');
      const lines = [
        tty`Groundtruth is serving on ${running.url} (data: ${store.location})`,
        `  API:       ${running.url}/v1  (docs: ${running.url}/openapi.json)`,
        `  Dashboard: ${running.url}/dashboard`,
        ...(running.metricsUrl ? [`  Metrics:   ${running.metricsUrl}/metrics  (no token: keep this port internal)`] : []),
      ];
      if (firstToken) {
        lines.push(
          '',
          'First start with an empty store: an admin token was created. It is shown only this once:',
          '',
          `  Admin token: ${firstToken}`,
          '',
          `Load the extension: chrome://extensions → Developer mode → Load unpacked → ${extensionDir}`,
          `then in its options set the server URL to ${running.url} and paste a token`,
          '(create rater tokens with: npx groundtruth token create --role rater --name alice).',
        );
      }
      process.stdout.write(`${lines.join('\n')}\n`);
      const shutdown = (signal: string) => {
        process.stdout.write(`${signal}: finishing requests in flight, then closing the store…\n`);
        jobs
          .stop()
          .then(() => running.stop())
          .then(
            () => process.exit(0),
            (err) => {
              logger().error({ err }, 'shutdown failed');
              process.exit(1);
            },
          );
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
    });
}
