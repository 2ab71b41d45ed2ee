import { describe, expect, it } from 'vitest';
import { BACKOFF_MAX_MS, backoffDelay, parseRetryAfter } from './backoff.ts';

describe('backoffDelay', () => {
  it('doubles with each failure, between half and the whole step', () => {
    const low = [1, 2, 3, 4].map((n) => backoffDelay(n, undefined, { random: () => 0 }));
    const high = [1, 2, 3, 4].map((n) => backoffDelay(n, undefined, { random: () => 1 }));
    expect(low).toEqual([500, 1000, 2000, 4000]);
    expect(high).toEqual([1000, 2000, 4000, 8000]);
  });

  it('spreads clients out (jitter) and stops growing at the cap', () => {
    const seen = new Set(Array.from({ length: 50 }, () => backoffDelay(5)));
    expect(seen.size).toBeGreaterThan(10);
    expect(backoffDelay(100, undefined, { random: () => 1 })).toBe(BACKOFF_MAX_MS);
    expect(backoffDelay(100, undefined, { random: () => 0 })).toBe(BACKOFF_MAX_MS / 2);
  });

  it('waits at least what the server asked for', () => {
    expect(backoffDelay(1, 30_000, { random: () => 0.5 })).toBe(30_000);
    expect(backoffDelay(10, 1_000, { random: () => 1 })).toBe(2 ** 9 * 1000 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : 2 ** 9 * 1000);
  });
});

describe('backoffDelay with its own base and cap (the webhook worker: 10 s, an hour)', () => {
  it('starts at the base, doubles, and stops at the cap; the caller caps a longer Retry-After itself', () => {
    const options = { baseMs: 10_000, maxMs: 60 * 60_000, random: () => 1 };
    expect([1, 2, 3].map((n) => backoffDelay(n, undefined, options))).toEqual([10_000, 20_000, 40_000]);
    expect(backoffDelay(20, undefined, options)).toBe(60 * 60_000);
    expect(backoffDelay(1, 2 * 60 * 60_000, options)).toBe(2 * 60 * 60_000);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2026-02-01T10:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter(' 7 ', now)).toBe(7000);
    expect(parseRetryAfter('Sun, 01 Feb 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 01 Feb 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
