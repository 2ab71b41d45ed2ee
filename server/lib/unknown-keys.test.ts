import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { acceptedKeysAt, unknownKeysError } from './unknown-keys.ts';

const Inner = z.strictObject({ a: z.string().optional(), b: z.number().optional() });
const Schema = z.strictObject({
  name: z.string().optional(),
  list: z.array(Inner).default([]),
  byColor: z.partialRecord(z.enum(['red', 'blue']), Inner).optional(),
  piped: z.preprocess((v) => v, Inner).optional(),
});

describe('acceptedKeysAt', () => {
  it('reads the keys of the object (or enum-keyed record) at a path, through wrappers', () => {
    expect(acceptedKeysAt(Schema, [])).toEqual(['name', 'list', 'byColor', 'piped']);
    expect(acceptedKeysAt(Schema, ['list', 3])).toEqual(['a', 'b']);
    expect(acceptedKeysAt(Schema, ['byColor'])).toEqual(['red', 'blue']);
    expect(acceptedKeysAt(Schema, ['byColor', 'red'])).toEqual(['a', 'b']);
    expect(acceptedKeysAt(Schema, ['piped'])).toEqual(['a', 'b']);
    expect(acceptedKeysAt(Schema, ['nope'])).toBeUndefined();
    expect(acceptedKeysAt(Schema, ['name'])).toBeUndefined();
  });
});

describe('unknownKeysError', () => {
  const errorFor = (input: unknown) => Schema.safeParse(input).error!;

  it('names the shallowest object with unknown keys, and what it accepts', () => {
    const err = unknownKeysError(Schema, errorFor({ extra: 1, list: [{ c: 1 }] }))!;
    expect(err.status).toBe(422);
    expect(err.code).toBe('unknown_field');
    expect(err.details).toEqual({ unknown: ['extra'], accepted: ['name', 'list', 'byColor', 'piped'] });

    const nested = unknownKeysError(Schema, errorFor({ list: [{ a: 'x' }, { c: 1, d: 2 }] }))!;
    expect(nested.message).toBe('Unknown fields "c", "d" in list.1; accepted: "a", "b".');
    expect(nested.details).toEqual({ unknown: ['c', 'd'], accepted: ['a', 'b'], path: 'list.1' });

    const key = unknownKeysError(Schema, errorFor({ byColor: { green: {} } }))!;
    expect(key.details).toEqual({ unknown: ['green'], accepted: ['red', 'blue'], path: 'byColor' });
  });

  it('is nothing when no key is unknown', () => {
    expect(unknownKeysError(Schema, errorFor({ name: 3 }))).toBeUndefined();
  });
});
