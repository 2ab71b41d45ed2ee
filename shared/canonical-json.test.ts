import { describe, expect, it } from 'vitest';
import { canonicalJson } from './hash.ts';

describe('canonicalJson', () => {
  it('sorts the keys of every object, however deep, in arrays too', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson([[{ role: 'user', content: 'hi' }], 'prompt'])).toBe('[[{"content":"hi","role":"user"}],"prompt"]');
  });

  it('writes values without objects as JSON.stringify does', () => {
    for (const v of [[], [[], 'p\u2028"\\'], ['a', [1, ['b', null, true]]], 'text', 3.5, null]) {
      expect(canonicalJson(v)).toBe(JSON.stringify(v));
    }
  });
});
