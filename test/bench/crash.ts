/**
 * The long crash campaign (the quick one is in npm test: test/durability/crash.test.ts): more
 * kills and more clients, on both backends. `npm run bench crash` (GT_CRASH_KILLS, default 50).
 */
import { runCrashCampaign } from '../durability/crash.ts';
import type { Bench } from './index.ts';

const KILLS = Number(process.env.GT_CRASH_KILLS ?? 50);

const bench: Bench = {
  name: 'crash',
  description: `SIGKILL the server ${KILLS} times while 8 clients sync; check every acknowledged mutation (SQLite, PostgreSQL)`,
  async run() {
    const out: Record<string, unknown> = {};
    for (const backend of ['sqlite', 'postgres'] as const) {
      out[backend] = await runCrashCampaign({ backend, kills: KILLS, clients: 8, batchSize: 50 });
    }
    const failed = Object.values(out).some((r) => {
      const report = r as { problems: string[]; integrityFailures: string[]; errors5xx: number };
      return report.problems.length || report.integrityFailures.length || report.errors5xx;
    });
    if (failed) process.exitCode = 1;
    return out;
  },
};
export default bench;
