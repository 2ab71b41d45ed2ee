/**
 * Admin policy for managed fleets (issue 15, item 3; ADR 0053): `browser.storage.managed`, which
 * Chrome fills from its enterprise policy (`3rdparty.extensions.<id>`) and Firefox from
 * policies.json (`3rdExtensions` / `3rdparty.Extensions.<gecko id>`). The background reads it at
 * start-up and when it changes, checks it strictly (an unknown key or a bad value is an error
 * that names it, kept for the options page and logged, never dropped quietly) and stores the
 * result in storage.local under MANAGED_KEY, where loadSettings lays it over the rater's settings.
 */
import { z } from 'zod';
import { BUILTIN_SITE_IDS } from '../../shared/sites.ts';

export const MANAGED_KEY = 'managedPolicy';
/** The connect code already tried, so a policy code is redeemed once, not on every start. */
export const MANAGED_CODE_TRIED_KEY = 'managedCodeTried';

const httpUrl = z.string().trim().refine((s) => {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an http:// or https:// address');

/** The policy's fields; public/managed-schema.json says the same to the browser (a test checks). */
export const ManagedPolicyInput = z.strictObject({
  serverUrl: httpUrl.optional(),
  token: z.string().trim().min(1).optional(),
  connectCode: z.string().trim().min(1).optional(),
  disabledSites: z.array(z.enum(BUILTIN_SITE_IDS as [string, ...string[]])).optional(),
});
export type ManagedPolicyInput = z.infer<typeof ManagedPolicyInput>;

export const StoredManagedPolicy = z.object({
  /** The valid fields only; a field with an error is left out and named in `errors`. */
  policy: z.object({
    serverUrl: z.string().optional(),
    token: z.string().optional(),
    connectCode: z.string().optional(),
    disabledSites: z.array(z.string()).optional(),
  }),
  errors: z.array(z.string()),
  /** What redeeming the policy's connect code gave, in one sentence. */
  connect: z.object({ ok: z.boolean(), message: z.string() }).optional(),
});
export type StoredManagedPolicy = z.infer<typeof StoredManagedPolicy>;

/** Checks the raw policy; each bad field is named and left out, the good ones still apply. */
export function parseManagedPolicy(raw: unknown): StoredManagedPolicy {
  const out: StoredManagedPolicy = { policy: {}, errors: [] };
  if (raw === undefined || raw === null) return out;
  if (typeof raw !== 'object' || Array.isArray(raw)) return { policy: {}, errors: ['the policy is not an object'] };
  const fields = ManagedPolicyInput.shape;
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!(key in fields)) {
      out.errors.push(`unknown policy field "${key}"`);
      continue;
    }
    const parsed = fields[key as keyof typeof fields].safeParse(value);
    if (parsed.success) (out.policy as Record<string, unknown>)[key] = parsed.data;
    else out.errors.push(`policy field "${key}": ${z.prettifyError(parsed.error).replace(/\n/g, ' ').replace(/^✖ /, '')}`);
  }
  return out;
}

export interface ManagedArea {
  get(keys?: null | string | string[]): Promise<Record<string, unknown>>;
}

/** Reads storage.managed; a browser with no policy (Firefox throws then) counts as an empty policy. */
export async function readManagedArea(area: ManagedArea | undefined): Promise<unknown> {
  if (!area) return undefined;
  try {
    const all = await area.get(null);
    return Object.keys(all).length ? all : undefined;
  } catch {
    return undefined;
  }
}

/** The managed fields the rater cannot change, as stored (undefined: no policy). */
export function managedOf(stored: unknown): StoredManagedPolicy | undefined {
  const parsed = StoredManagedPolicy.safeParse(stored);
  return parsed.success ? parsed.data : undefined;
}

export interface ManagedDeps {
  managed: ManagedArea | undefined;
  storage: { get(keys: string | string[]): Promise<Record<string, unknown>>; set(items: Record<string, unknown>): Promise<void> };
  /** The existing connect-code path (connect.ts), which stores the token it gets. */
  connect(serverUrl: string, code: string): Promise<{ ok: boolean; message: string }>;
  /** The token in use now (policy or rater's). */
  currentToken(): Promise<string>;
}

/**
 * Reads, checks and stores the policy; then, if it has a connect code, a server URL and no token is
 * in use yet, redeems the code once (a code that failed is not tried again until the policy names another).
 */
export async function applyManagedPolicy(deps: ManagedDeps): Promise<StoredManagedPolicy> {
  const result = parseManagedPolicy(await readManagedArea(deps.managed));
  for (const e of result.errors) console.error('[groundtruth] managed policy:', e);
  const before = managedOf((await deps.storage.get(MANAGED_KEY))[MANAGED_KEY]);
  if (before?.connect) result.connect = before.connect;
  // Written only when it changed: a write wakes the background's settings listener (a sync), and
  // an unchanged policy at every start-up must not.
  let last = JSON.stringify(before ?? null);
  const store = async () => {
    const now = JSON.stringify(result);
    if (now === last) return;
    last = now;
    await deps.storage.set({ [MANAGED_KEY]: result });
  };
  await store();
  const { connectCode, serverUrl } = result.policy;
  if (!connectCode) return result;
  if (!serverUrl) {
    result.errors.push('policy field "connectCode" needs "serverUrl" too');
  } else if (!(await deps.currentToken())) {
    const tried = (await deps.storage.get(MANAGED_CODE_TRIED_KEY))[MANAGED_CODE_TRIED_KEY];
    if (tried !== connectCode) {
      await deps.storage.set({ [MANAGED_CODE_TRIED_KEY]: connectCode });
      const answer = await deps.connect(serverUrl, connectCode);
      result.connect = { ok: answer.ok, message: answer.message };
      if (!answer.ok) console.error('[groundtruth] managed connect code:', answer.message);
    }
  }
  await store();
  return result;
}
