/**
 * fast-check arbitraries for hostile HTTP requests: wrong types, huge and deep JSON, odd Unicode,
 * wrong content types, truncated bodies, injection text. Bodies start from a valid-looking sample
 * of the route's OpenAPI request schema (so they get past the first checks) and are then broken.
 */
import fc from 'fast-check';

export const INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE feedback; --",
  '" OR 1=1 --',
  '1; SELECT pg_sleep(5)',
  "') UNION SELECT token_hash FROM tokens --",
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '../../../../etc/passwd',
  '..%2f..%2f..%2fetc%2fpasswd',
  '%00',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800',
  '\u202e\u2066evil',
  '\ufeff',
  '𝕳𝖊𝖑𝖑𝖔 👩‍👩‍👧‍👦 🏳️‍🌈',
  'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇',
  '${7*7}',
  '{{7*7}}',
  '__proto__',
  'constructor',
  'prototype',
  'NaN',
  'Infinity',
  '-1',
  '1e309',
  '0x7fffffff',
  '9'.repeat(400),
  ' ',
  '',
  '*',
  '%',
  '_',
  'null',
  'true',
  '[]',
  '{}',
  '\\',
  '\r\nX-Injected: yes',
  // Times from a clock far ahead (issue 13, item 4): refused as clock_ahead, never stored.
  '9999-12-31T23:59:59.999Z',
  '2099-01-01T00:00:00+14:00',
  // A formula after a line break, for CSV exports (issue 13, item 1), and terminal escapes for
  // the CLI (item 6): stored as plain data like the rest.
  "fine\n=1+1*cmd|' /C calc'!A0",
  'ok\r@SUM(A1:A9)',
  '\u001b[2J\u001b]0;pwned\u0007',
  '\u009b31m\r\u202e',
  // Webhook URLs at the server's own network (issue 13, item 3): refused, never stored.
  'http://169.254.169.254/latest/meta-data/',
  'http://[::ffff:127.0.0.1]:8787/',
  'http://0x7f.1/',
] as const;

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...INJECTIONS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.constantFrom('x'.repeat(5000), 'é'.repeat(70_000)) },
);

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.constantFrom(-1, 0, 1e308, -1e308, 2 ** 53 + 1, 0.5, 6, 1e-320) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.array(hostileString, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.dictionary(hostileString, hostileString, { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A valid-looking value for a JSON schema (the subset zod-openapi emits). */
export function sample(schema: any, doc: any, depth = 0): Json {
  if (!schema || depth > 8) return null;
  if (schema.$ref) return sample(resolveRef(schema.$ref, doc), doc, depth + 1);
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  for (const k of ['anyOf', 'oneOf']) if (schema[k]?.length) return sample(schema[k].find((s: any) => s.type !== 'null') ?? schema[k][0], doc, depth + 1);
  if (schema.allOf?.length) {
    return Object.assign({}, ...schema.allOf.map((s: any) => sample(s, doc, depth + 1)));
  }
  const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, Json> = {};
      const props = schema.properties ?? {};
      for (const [k, s] of Object.entries(props)) out[k] = sample(s, doc, depth + 1);
      return out;
    }
    case 'array':
      return schema.minItems ? Array.from({ length: schema.minItems }, () => sample(schema.items, doc, depth + 1)) : [sample(schema.items, doc, depth + 1)];
    case 'integer':
    case 'number':
      return schema.minimum ?? schema.exclusiveMinimum ?? 1;
    case 'boolean':
      return true;
    case 'string':
      if (schema.format === 'date-time') return new Date(Date.UTC(2026, 0, 2)).toISOString();
      if (schema.format === 'uuid') return '01900000-0000-7000-8000-000000000001';
      if (schema.format === 'uri' || schema.format === 'url') return 'https://example.com/hook';
      if (schema.pattern === '^[0-9a-f]{64}$') return 'a'.repeat(64);
      return 'x'.repeat(Math.max(1, schema.minLength ?? 1));
    default:
      return schema.properties ? sample({ ...schema, type: 'object' }, doc, depth) : 'x';
  }
}

function resolveRef(ref: string, doc: any): any {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce((o: any, k) => o?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
}

/** Every path to a leaf (or a container) of a JSON value. */
function pathsOf(value: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...prefix, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, k], out);
  return out;
}

function setAt(value: Json, path: (string | number)[], next: unknown): unknown {
  if (!path.length) return next;
  const copy: any = Array.isArray(value) ? [...value] : { ...(value as object) };
  const [head, ...rest] = path;
  copy[head as never] = setAt((value as any)?.[head as never], rest, next);
  return copy;
}

export interface Body {
  kind: string;
  text?: string;
  bytes?: Uint8Array;
}

const enc = new TextEncoder();

/** Broken bodies built from a valid-looking sample. */
export function hostileBody(valid: Json): fc.Arbitrary<Body> {
  const paths = pathsOf(valid);
  const validText = JSON.stringify(valid);
  return fc.oneof(
    // One field replaced by a wrong type or hostile text (often several, compounding).
    {
      weight: 6,
      arbitrary: fc
        .array(fc.tuple(fc.nat(paths.length - 1), hostileValue), { minLength: 1, maxLength: 3 })
        .map((edits) => ({ kind: 'mutated', text: JSON.stringify(edits.reduce<unknown>((v, [i, x]) => setAt(v as Json, paths[i]!, x), valid)) })),
    },
    // An extra unknown field, e.g. to pollute prototypes.
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('__proto__', 'constructor', 'extra', 'deleted', 'workspaceId', 'raterId', 'role'), hostileValue)
        .map(([k, v]) => ({ kind: 'extra-field', text: validText.replace(/^\{/, `{${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'},`) })),
    },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => ({ kind: 'random-json', text: JSON.stringify(v) })) },
    // Deep nesting, inside and outside the 1 MiB limit.
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(1_000, 50_000, 400_000, 600_000), fc.boolean())
        .map(([n, arr]) => ({ kind: 'deep', text: arr ? '['.repeat(n) + ']'.repeat(n) : '{"a":'.repeat(n) + '1' + '}'.repeat(n) })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(600_000, 1_100_000).map((n) => ({
        kind: 'huge',
        text: validText.replace(/"x+"|"[^"]*"/, JSON.stringify('y'.repeat(n))),
      })),
    },
    { weight: 2, arbitrary: fc.nat(Math.max(0, validText.length - 1)).map((n) => ({ kind: 'truncated', text: validText.slice(0, n) })) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }).map((s) => ({ kind: 'text', text: s })) },
    { weight: 1, arbitrary: fc.constant({ kind: 'bom', text: `\ufeff${validText}` }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'lone-surrogate', text: validText.replace(/"x/, '"\\ud800x') }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'nul-escape', text: validText.replace(/"x/, '"\\u0000x') }) },
    {
      weight: 1,
      arbitrary: fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => {
        const head = enc.encode(validText.slice(0, 20));
        const bytes = new Uint8Array(head.length + b.length + 1);
        bytes.set(head);
        bytes.set(b, head.length);
        bytes[bytes.length - 1] = 0xff;
        return { kind: 'invalid-utf8', bytes };
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'empty', text: '' }) },
    { weight: 1, arbitrary: fc.constantFrom('null', '[]', '""', '0', 'true', '{}').map((t) => ({ kind: 'scalar', text: t })) },
  );
}

export const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=xyz',
      'application/json; charset=utf-16',
      'application/vnd.api+json',
      'application/jsonx',
      'text/html',
      '',
      '*/*',
    ),
  },
  { weight: 1, arbitrary: fc.constant(undefined) },
);
