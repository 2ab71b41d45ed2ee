/**
 * The retention schedule with time in the test's hands: `now` is passed in and the schedule's timer
 * is fake, so "nothing happens without a setting" and "once per interval" are shown without
 * waiting. (governance.test.ts shows the real `groundtruth serve` applying a setting.)
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestApp, makeFeedback } from '../../test/helpers/app.ts';
import { updateSettings, getSettings } from '../store/settings.ts';
import { applyRetention, startRetentionSchedule } from './retention.ts';

const DAY = 86_400_000;
const NOW = new Date('2026-03-01T12:00:00Z');

afterEach(() => {
  vi.useRealTimers();
});

async function withTwoRecords() {
  const t = await createTestApp();
  const rater = (await t.token('rater')).token;
  const old = makeFeedback({ createdAt: '2025-01-01T00:00:00Z', updatedAt: '2025-01-01T00:00:00Z' });
  const fresh = makeFeedback({ createdAt: '2026-02-28T00:00:00Z', updatedAt: '2026-02-28T00:00:00Z' });
  for (const f of [old, fresh]) expect((await t.call(rater, 'POST', '/v1/feedback', f)).status).toBe(201);
  const ids = async () =>
    (await t.store.db.selectFrom('feedback').select('id').where('deleted', '=', 0).orderBy('id').execute()).map((r) => r.id);
  return { t, old, fresh, ids };
}

describe('applyRetention', () => {
  it('does nothing in a workspace without a retention setting', async () => {
    const { t, ids } = await withTwoRecords();
    const before = await ids();
    expect(await applyRetention(t.store.db, { now: NOW })).toEqual([]);
    expect(await ids()).toEqual(before);
    expect((await getSettings(t.store.db, 'default')).lastPurgedAt).toBeNull();
    await t.store.close();
  });

  it('deletes what is older than the setting, once per interval', async () => {
    const { t, fresh, ids } = await withTwoRecords();
    await updateSettings(t.store.db, 'default', { retentionDays: 30 });
    const [report] = await applyRetention(t.store.db, { now: NOW, intervalMs: DAY });
    expect(report).toMatchObject({ workspaceId: 'default', feedback: 1 });
    expect(await ids()).toEqual([fresh.id]);
    expect((await getSettings(t.store.db, 'default')).lastPurgedAt).toBe(NOW.toISOString());
    // Not due again within the interval; due again after it.
    expect(await applyRetention(t.store.db, { now: new Date(NOW.getTime() + DAY - 1), intervalMs: DAY })).toEqual([]);
    expect(await applyRetention(t.store.db, { now: new Date(NOW.getTime() + DAY + 1), intervalMs: DAY })).toHaveLength(1);
    await t.store.close();
  });
});

describe('startRetentionSchedule', () => {
  it('looks first after firstCheckMs, then every checkEveryMs, and logs what it deleted', async () => {
    const { t, fresh, ids } = await withTwoRecords();
    await updateSettings(t.store.db, 'default', { retentionDays: 30 });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const lines: string[] = [];
    let logged!: () => void;
    const firstLine = new Promise<void>((resolve) => (logged = resolve));
    let ran = 0;
    const schedule = startRetentionSchedule(t.store.db, {
      intervalMs: DAY,
      checkEveryMs: 60_000,
      firstCheckMs: 1_000,
      log: (line) => {
        lines.push(line);
        logged();
      },
      now: () => {
        ran++;
        return NOW;
      },
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(ran).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(ran).toBe(1);
    await firstLine; // the store's I/O is real (PostgreSQL: a socket): wait for the line, not for time
    expect(lines[0]).toMatch(/^retention: workspace default: deleted 1 feedback/);
    expect(await ids()).toEqual([fresh.id]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ran).toBe(2);
    await schedule.stop(); // also waits for that second look to finish
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(ran).toBe(2);
    expect(lines).toHaveLength(1); // the second look found nothing due within the interval
    await t.store.close();
  });
});
