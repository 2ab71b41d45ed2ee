/**
 * SIGKILL at random moments while clients sync (issue 7): at least 20 kills on each backend.
 * The campaign itself is test/durability/crash.ts; `npm run bench crash` runs a longer one.
 */
import { describe, expect, it } from 'vitest';
import { runCrashCampaign } from './crash.ts';

const KILLS = Number(process.env.GT_CRASH_KILLS ?? 20);

describe.each(['sqlite', 'postgres'] as const)('crash campaign on %s', (backend) => {
  it(`keeps every acknowledged mutation through ${KILLS} SIGKILLs, with nothing unexpected or duplicated`, async () => {
    const report = await runCrashCampaign({ backend, kills: KILLS });
    console.log(`[crash:${backend}] ${JSON.stringify(report)}`);
    expect(report.problems).toEqual([]);
    expect(report.integrityFailures).toEqual([]);
    expect(report.errors5xx).toBe(0);
    // The kills really interrupted syncing, and the clients got everything through in the end.
    expect(report.batchesInterrupted + report.replaysOfCommitted).toBeGreaterThan(0);
    expect(report.acknowledgedApplied).toBeGreaterThan(0);
    if (backend === 'sqlite') expect(report.integrityChecks).toBe(KILLS + 1);
  }, 600_000);
});
