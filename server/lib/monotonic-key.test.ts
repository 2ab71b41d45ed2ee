import { describe, expect, it } from 'vitest';
import { monotonicKey } from './monotonic-key.ts';

describe('monotonicKey', () => {
  it('grows strictly within one millisecond and when the clock steps back', () => {
    const keys = [monotonicKey(2_000_000_000_000), monotonicKey(2_000_000_000_000), monotonicKey(1_999_999_999_000), monotonicKey(2_000_000_000_001)];
    const sorted = [...keys].sort();
    expect(sorted).toEqual(keys);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('sorts as text in creation order over many calls', () => {
    const keys = Array.from({ length: 5000 }, () => monotonicKey());
    expect([...keys].sort()).toEqual(keys);
  });
});
