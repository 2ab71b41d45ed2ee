/** The one filter schema: derived from the field description, values checked by the wire schema, conflicts refused. */
import { describe, expect, it } from 'vitest';
import { FEEDBACK_FILTERS } from './feedback-fields.ts';
import {
  FILTER_PARAMS,
  FILTER_SHAPE,
  FeedbackFilters,
  WindowedFilters,
  conflicts,
  filterQuery,
  flagName,
  pickFilters,
  resolveFilters,
} from './filters.ts';

const issues = (r: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  (r.error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);

describe('the filter schema', () => {
  it('has one parameter per filter of the field description, and nothing else', () => {
    expect(FILTER_PARAMS).toEqual(FEEDBACK_FILTERS.map((f) => f.param));
    expect(Object.keys(FILTER_SHAPE)).toEqual(FILTER_PARAMS);
    for (const p of ['since', 'until', 'model', 'intent', 'project', 'site', 'kind', 'subject', 'conversationId', 'criterion', 'rater', 'thumb', 'minStars', 'maxStars', 'label', 'hasCorrection']) {
      expect(FILTER_PARAMS).toContain(p);
    }
  });

  it('coerces query-string values; an empty value is absent', () => {
    const r = FeedbackFilters.parse({ model: '', minStars: '2', maxStars: '5', hasCorrection: '0', kind: 'task', since: '2026-01-01', until: '2026-01-02T12:00:00+02:00' });
    expect(pickFilters(r)).toEqual({ minStars: 2, maxStars: 5, hasCorrection: false, kind: 'task', since: '2026-01-01T00:00:00.000Z', until: '2026-01-02T10:00:00.000Z' });
    expect(FeedbackFilters.parse({ hasCorrection: true, minStars: 3 })).toEqual({ hasCorrection: true, minStars: 3 });
  });

  it('checks each value with the wire schema of its field', () => {
    const r = FeedbackFilters.safeParse({ kind: 'poem', thumb: 'sideways', minStars: '9', maxStars: '1.5', criterion: 'Task Quality', since: 'yesterday', hasCorrection: 'maybe', model: 'x'.repeat(300) });
    const got = issues(r);
    for (const p of ['kind', 'thumb', 'minStars', 'maxStars', 'criterion', 'since', 'hasCorrection', 'model']) expect(got.some((i) => i.startsWith(`${p}:`)), p).toBe(true);
    expect(got.find((i) => i.startsWith('minStars'))).toContain('stars go from 1 to 5');
  });

  it('refuses what would otherwise be resolved silently', () => {
    expect(issues(WindowedFilters.safeParse({ since: '2026-01-01', days: '3' }))).toEqual(['since: since cannot be combined with days: give the window by since/until or by days']);
    expect(issues(WindowedFilters.safeParse({ until: '2026-01-01', days: 3 }))).toHaveLength(1);
    for (const k of ['since', 'until']) expect(issues(WindowedFilters.safeParse({ all: 'true', [k]: '2026-01-01' }))[0]).toMatch(new RegExp(`^all: ${k} cannot be combined with all`));
    expect(issues(WindowedFilters.safeParse({ all: true, days: 3 }))[0]).toMatch(/days cannot be combined with all/);
    expect(issues(FeedbackFilters.safeParse({ minStars: 4, maxStars: 2 }))[0]).toMatch(/minStars \(4\) is above maxStars \(2\)/);
    expect(issues(FeedbackFilters.safeParse({ since: '2026-01-02', until: '2026-01-01' }))[0]).toMatch(/not before until/);
    // all=false is no window option at all, and a flag may say so.
    expect(WindowedFilters.safeParse({ all: 'false', since: '2026-01-01' }).success).toBe(true);
    expect(conflicts({ all: true, since: 'x', until: 'y', days: 1 }).map((c) => c.params)).toEqual([
      ['all', 'since'],
      ['all', 'until'],
      ['all', 'days'],
      ['since', 'days'],
      ['until', 'days'],
    ]);
  });

  it('resolves the window once: since/until as given, else days or the default, or none with all', () => {
    const now = new Date('2026-02-10T12:00:00Z');
    expect(resolveFilters({ model: 'gpt-5' }, { now, defaultDays: 7 })).toEqual({ since: '2026-02-03T12:00:00.000Z', until: null, model: 'gpt-5' });
    expect(resolveFilters({ days: '2' }, { now, defaultDays: 7 })).toEqual({ since: '2026-02-08T12:00:00.000Z', until: null });
    expect(resolveFilters({ all: true, hasCorrection: 'true' }, { now, defaultDays: 7 })).toEqual({ since: null, until: null, hasCorrection: true });
    // An end alone is a window: everything before it, not the last 7 days before now.
    expect(resolveFilters({ until: '2026-01-01' }, { now, defaultDays: 7 })).toEqual({ since: null, until: '2026-01-01T00:00:00.000Z' });
    expect(resolveFilters({}, { now })).toEqual({ since: null, until: null });
    expect(() => resolveFilters({ days: 1, since: '2026-01-01' })).toThrow(/since cannot be combined with days/);
  });

  it('names parameters as CLI flags and as query strings', () => {
    expect(flagName('minStars')).toBe('--min-stars');
    expect(flagName('conversationId')).toBe('--conversation-id');
    expect(flagName('hasCorrection')).toBe('--has-correction');
    expect(filterQuery({ minStars: 3, hasCorrection: false, model: 'a b' })).toEqual({ model: 'a b', minStars: '3', hasCorrection: 'false' });
  });
});
