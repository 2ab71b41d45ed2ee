/**
 * Unknown body fields, reported as DESIGN.md "Errors" fixes: 422 `unknown_field` with
 * `details: {unknown, accepted}` (plus `path` when the object is nested). zod's strict objects
 * (and records keyed by an enum) report the unknown keys but not the accepted ones, so these are
 * read from the schema at the issue's path. Use `rejectUnknownKeys(Schema)` as a route's hook,
 * with a strict body schema. (Unknown query parameters: unknown-query.ts.)
 */
import type { Context, Env } from 'hono';
import type { ZodError, ZodType } from 'zod';
import { ApiError, errorBody, validationError } from './errors.ts';

interface Def {
  type: string;
  shape?: Record<string, ZodType>;
  element?: ZodType;
  items?: ZodType[];
  innerType?: ZodType;
  in?: ZodType;
  out?: ZodType;
  keyType?: ZodType;
  valueType?: ZodType;
  entries?: Record<string, string | number>;
}
const defOf = (schema: ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

/** The schema itself without optional/default/… wrappers; of a pipe, the side that checks keys (not a preprocess transform). */
function unwrap(schema: ZodType): ZodType {
  let s = schema;
  for (;;) {
    const def = defOf(s);
    if (WRAPPERS.has(def.type) && def.innerType) s = def.innerType;
    else if (def.type === 'pipe' && def.in) s = defOf(def.in).type === 'transform' && def.out ? def.out : def.in;
    else return s;
  }
}

function childAt(schema: ZodType, key: PropertyKey): ZodType | undefined {
  const def = defOf(unwrap(schema));
  if (def.type === 'object') return def.shape?.[String(key)];
  if (def.type === 'record') return def.valueType;
  if (def.type === 'array') return def.element;
  if (def.type === 'tuple') return def.items?.[Number(key)];
  return undefined;
}

/** The keys the object (or enum-keyed record) at `path` in `schema` accepts; undefined if unknown. */
export function acceptedKeysAt(schema: ZodType, path: readonly PropertyKey[]): string[] | undefined {
  let s: ZodType | undefined = schema;
  for (const key of path) {
    s = s && childAt(s, key);
    if (!s) return undefined;
  }
  const def = defOf(unwrap(s!));
  if (def.type === 'object') return Object.keys(def.shape ?? {});
  if (def.type === 'record' && def.keyType) {
    const keys = defOf(unwrap(def.keyType));
    if (keys.type === 'enum' && keys.entries) return Object.values(keys.entries).map(String);
  }
  return undefined;
}

/**
 * The 422 `unknown_field` for a failed parse that met unknown keys (the shallowest object with
 * some), or undefined when it met none.
 */
export function unknownKeysError(schema: ZodType, error: ZodError): ApiError | undefined {
  const issue = error.issues
    .filter((i): i is typeof i & { keys: string[] } => i.code === 'unrecognized_keys')
    .sort((a, b) => a.path.length - b.path.length)[0];
  if (!issue) return undefined;
  const path = issue.path.map(String).join('.');
  const accepted = acceptedKeysAt(schema, issue.path) ?? [];
  const where = path ? ` in ${path}` : '';
  const list = (xs: string[]) => xs.map((x) => `"${x}"`).join(', ');
  const details = { unknown: issue.keys, accepted, ...(path ? { path } : {}) };
  const noun = issue.keys.length === 1 ? 'field' : 'fields';
  return new ApiError(422, 'unknown_field', `Unknown ${noun} ${list(issue.keys)}${where}; accepted: ${list(accepted) || 'none'}.`, details);
}

interface HookResult {
  success: boolean;
  error?: unknown;
  target?: string;
}

/**
 * A route's validation hook: unknown keys in the JSON body come out as above; any other failure
 * as createRouter's default (422 `validation_failed`, each field named).
 */
export function rejectUnknownKeys(body: ZodType) {
  // Generic in the route's env and path: a plain `Context` here would widen the route's path to
  // `string` in the router's type, and the typed client (`hc<AppType>`, ADR 0032) would lose every route.
  return function rejectUnknownKeys<E extends Env, P extends string>(result: HookResult, c: Context<E, P>) {
    if (result.success) return undefined;
    const error = result.error as ZodError;
    const unknown = result.target === 'json' ? unknownKeysError(body, error) : undefined;
    if (unknown) return c.json(errorBody(unknown.code, unknown.message, unknown.details), unknown.status) as never;
    return c.json(validationError(error), 422) as never;
  };
}
