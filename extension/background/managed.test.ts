import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUILTIN_SITE_IDS } from '../../shared/sites.ts';
import { applyManagedPolicy, ManagedPolicyInput, parseManagedPolicy } from './managed.ts';
import { loadSettings, managedFields, saveSettings } from './settings.ts';

function memory() {
  const data: Record<string, unknown> = {};
  return {
    data,
    async get(keys: string | string[]) {
      return Object.fromEntries([keys].flat().filter((k) => k in data).map((k) => [k, structuredClone(data[k])]));
    },
    async set(items: Record<string, unknown>) {
      Object.assign(data, structuredClone(items));
    },
  };
}

describe('managed policy', () => {
  it('names unknown fields and bad values, and keeps the good ones', () => {
    const r = parseManagedPolicy({ serverUrl: 'ftp://x', disabledSites: ['claude'], colour: 'red' });
    expect(r.policy).toEqual({ disabledSites: ['claude'] });
    expect(r.errors.join(' | ')).toMatch(/"serverUrl".*\| unknown policy field "colour"/);
    expect(parseManagedPolicy({ disabledSites: ['nowhere'] }).errors[0]).toMatch(/disabledSites/);
  });

  it('the schema file lists the same fields and site ids', () => {
    const schema = JSON.parse(readFileSync(new URL('../public/managed-schema.json', import.meta.url), 'utf8'));
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(ManagedPolicyInput.shape).sort());
    expect(schema.properties.disabledSites.items.enum).toEqual(BUILTIN_SITE_IDS);
  });

  it('overrides the settings, refuses changes to them, and redeems a connect code once', async () => {
    const storage = memory();
    const calls: string[] = [];
    const deps = {
      managed: { get: async () => ({ serverUrl: 'https://gt.example', connectCode: 'ABCD-EFGH', disabledSites: ['claude'] }) },
      storage,
      connect: async (url: string, code: string) => {
        calls.push(`${url} ${code}`);
        return { ok: false, message: 'used' };
      },
      currentToken: async () => (await loadSettings(storage)).token,
    };
    await applyManagedPolicy(deps);
    await applyManagedPolicy(deps);
    expect(calls).toEqual(['https://gt.example ABCD-EFGH']);
    const s = await loadSettings(storage);
    expect(s.serverUrl).toBe('https://gt.example');
    expect(s.siteEnabled.claude).toBe(false);
    await expect(saveSettings(storage, { serverUrl: 'http://127.0.0.1:9' })).rejects.toThrow(/serverUrl is set by your organisation/);
    await expect(saveSettings(storage, { siteEnabled: { claude: true } })).rejects.toThrow(/site claude/);
    await expect(saveSettings(storage, { starMode: true })).resolves.toMatchObject({ starMode: true });
    // What is stored is the rater's own: the policy's server URL and switched-off site are not.
    const own = storage.data.settings as { serverUrl: string; siteEnabled: Record<string, boolean>; starMode: boolean };
    expect(own.serverUrl).toBe('http://127.0.0.1:8787');
    expect(own.siteEnabled).not.toHaveProperty('claude');
    expect(own.starMode).toBe(true);
  });

  it('keeps what the options page shows: the errors, and a connect code that needs a server', async () => {
    const storage = memory();
    const deps = {
      managed: { get: async () => ({ connectCode: 'ABCD-EFGH', token: '', disabledSites: ['claude'] }) },
      storage,
      connect: async () => ({ ok: true, message: 'never called' }),
      currentToken: async () => '',
    };
    await applyManagedPolicy(deps);
    const fields = await managedFields(storage);
    expect(fields.errors).toEqual([expect.stringMatching(/^policy field "token"/), 'policy field "connectCode" needs "serverUrl" too']);
    expect(fields).toMatchObject({ disabledSites: ['claude'], token: undefined, serverUrl: undefined });
    expect(fields.connect).toBeUndefined();
  });
});
