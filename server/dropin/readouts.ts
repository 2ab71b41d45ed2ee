/**
 * The drop-in readouts (GET /v1/feedback/accuracy and /stats) computed by the insights module
 * (rollups, Wilson interval) and reshaped into the drop-in field names. Nothing is counted here.
 */
import type { Kysely } from 'kysely';
import type { Accuracy, Stats } from '../../shared/dropin-feedback.ts';
import { accuracy, THIN_BELOW } from '../insights/accuracy.ts';
import { stats } from '../insights/stats.ts';
import { wilson } from '../insights/wilson.ts';
import type { DB } from '../store/schema.ts';

/** insights' wilson() uses z for a two-sided 95% interval. */
const CONFIDENCE = 0.95;

export interface AccuracyFilter {
  model?: string;
  intent?: string;
  project?: string;
}

/** Thumbs up and down over every live rating matching the filters (all time). */
export async function dropInAccuracy(db: Kysely<DB>, workspaceId: string, f: AccuracyFilter): Promise<Accuracy> {
  const { groups } = await accuracy(db, workspaceId, { groupBy: ['model', 'intent', 'project'], ...(f.model !== undefined ? { model: f.model } : {}) });
  let up = 0;
  let down = 0;
  for (const g of groups) {
    if (f.intent !== undefined && g.key.intent !== f.intent) continue;
    if (f.project !== undefined && g.key.project !== f.project) continue;
    up += g.up;
    down += g.down;
  }
  const total = up + down;
  const interval = total ? wilson(up, total) : null;
  return {
    model: f.model ?? null,
    intent: f.intent ?? null,
    project: f.project ?? null,
    total,
    positive: up,
    negative: down,
    accuracy: total ? up / total : null,
    interval: interval ? { lower: interval.low, upper: interval.high, confidence: CONFIDENCE } : null,
    thin: total < THIN_BELOW,
  };
}

/** The last `days` UTC days up to today, overall, per model and per day. */
export async function dropInStats(db: Kysely<DB>, workspaceId: string, days: number, now: Date = new Date()): Promise<Stats> {
  const s = await stats(db, workspaceId, { days, now });
  const { groups } = await accuracy(db, workspaceId, { groupBy: ['model'], since: s.current.since, until: s.current.until });
  const share = (up: number, down: number) => (up + down ? up / (up + down) : null);
  return {
    days: s.days,
    since: s.current.since,
    until: s.current.until,
    total: s.current.up + s.current.down,
    positive: s.current.up,
    negative: s.current.down,
    accuracy: share(s.current.up, s.current.down),
    by_model: groups
      .map((g) => ({ model: g.key.model ?? null, total: g.n, positive: g.up, negative: g.down, accuracy: g.shareUp }))
      .sort((a, b) => b.total - a.total || String(a.model).localeCompare(String(b.model))),
    daily: s.series.map((d) => ({ date: d.day, total: d.up + d.down, positive: d.up, negative: d.down, accuracy: share(d.up, d.down) })),
  };
}
