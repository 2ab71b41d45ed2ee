/**
 * The rater's settings, in browser.storage.local under one key, parsed by zod on every read (a
 * value written by an older version, or edited by hand, falls back to defaults field by field).
 * Only the background, popup and options read them: the token never reaches a content script,
 * which asks the background for the page's ContentConfig instead.
 */
import { z } from 'zod';
import { ExtensionConfigResponse, PublishedCriterion, SelectorPack, SiteId, type Capability } from '../../shared/extension-config.ts';
import { TargetKind } from '../../shared/schemas.ts';
import { ContentConfig, CustomRule } from '../config.ts';
import { MANAGED_KEY, managedOf } from './managed.ts';

const DEFAULT_SERVER_URL = 'http://127.0.0.1:8787';
export const SETTINGS_KEY = 'settings';
export const REMOTE_CONFIG_KEY = 'remoteConfig';

const httpUrl = z
  .string()
  .trim()
  .refine((s) => {
    try {
      const u = new URL(s);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// address, e.g. http://127.0.0.1:8787');

export const Privacy = z.object({
  /** Replace emails, phone numbers, cards, IBANs, IPs and secrets by typed placeholders before queueing. */
  redact: z.boolean().catch(true).default(true),
  /** Send SHA-256 of prompt and output and none of the page's text. */
  hashesOnly: z.boolean().catch(false).default(false),
});
export type Privacy = z.infer<typeof Privacy>;

export const Settings = z.object({
  serverUrl: httpUrl.catch(DEFAULT_SERVER_URL).default(DEFAULT_SERVER_URL),
  token: z.string().trim().catch('').default(''),
  privacy: Privacy.catch({ redact: true, hashesOnly: false }).prefault({}),
  /** Per-site switch: adapter id, rule id or hostname → false to turn Groundtruth off there. */
  siteEnabled: z.record(z.string(), z.boolean()).catch({}).default({}),
  /** Show 1–5 stars besides thumbs. */
  starMode: z.boolean().catch(false).default(false),
  /** Rules the rater wrote or imported (rules an admin publishes come with the remote config). */
  customRules: z.array(CustomRule).catch([]).default([]),
  selectionKind: TargetKind.catch('other').default('other'),
});
export type Settings = z.infer<typeof Settings>;
type SettingsInput = z.input<typeof Settings>;

/** The published config as last fetched, with when. */
export const StoredRemoteConfig = ExtensionConfigResponse.extend({ fetchedAt: z.number() });
export type StoredRemoteConfig = z.infer<typeof StoredRemoteConfig>;

/** The part of browser.storage.local used here (the real one and WXT's fake browser both fit). */
export interface KeyValueArea {
  get(keys: string | string[]): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
}

/** The rater's settings with an admin policy's fields laid over them (managed.ts, ADR 0053). */
export async function loadSettings(area: KeyValueArea): Promise<Settings> {
  const got = await area.get([SETTINGS_KEY, MANAGED_KEY]);
  const stored = got[SETTINGS_KEY];
  const settings = Settings.parse(stored && typeof stored === 'object' ? stored : {});
  const policy = managedOf(got[MANAGED_KEY])?.policy;
  if (!policy) return settings;
  const siteEnabled = { ...settings.siteEnabled };
  for (const id of policy.disabledSites ?? []) siteEnabled[id] = false;
  return {
    ...settings,
    ...(policy.serverUrl ? { serverUrl: policy.serverUrl } : {}),
    ...(policy.token ? { token: policy.token } : {}),
    siteEnabled,
  };
}

export interface ManagedFields {
  serverUrl?: string;
  token?: boolean;
  disabledSites: string[];
  /** The policy's problems (unknown fields, bad values), for the options page. */
  errors: string[];
  /** What redeeming the policy's connect code gave, if it was tried. */
  connect?: { ok: boolean; message: string };
}

/** The fields an admin policy sets, which the rater cannot change, with what went wrong in it. */
export async function managedFields(area: KeyValueArea): Promise<ManagedFields> {
  const stored = managedOf((await area.get(MANAGED_KEY))[MANAGED_KEY]);
  const policy = stored?.policy;
  return {
    serverUrl: policy?.serverUrl,
    token: policy?.token ? true : undefined,
    disabledSites: policy?.disabledSites ?? [],
    errors: stored?.errors ?? [],
    ...(stored?.connect ? { connect: stored.connect } : {}),
  };
}

/** Merges a change into the stored settings; throws a ZodError naming the field if it is invalid. */
export async function saveSettings(area: KeyValueArea, patch: Partial<SettingsInput>): Promise<Settings> {
  const current = await loadSettings(area);
  const strict = Settings.extend({ serverUrl: httpUrl, customRules: z.array(CustomRule) });
  const next = strict.parse({ ...current, ...patch });
  const managed = await managedFields(area);
  const same = (a: string, b: string) => a.trim().replace(/\/+$/, '') === b.trim().replace(/\/+$/, '');
  if (managed.serverUrl && !same(next.serverUrl, managed.serverUrl)) throw new ManagedError('serverUrl');
  if (managed.token && next.token !== current.token) throw new ManagedError('token');
  const off = managed.disabledSites.find((id) => next.siteEnabled[id] !== false);
  if (off) throw new ManagedError(`site ${off}`);
  // The rater's own values of the managed fields are what is stored: a policy's token or server
  // URL never lands in the rater's settings, so removing the policy gives the rater's back.
  const stored = (await area.get(SETTINGS_KEY))[SETTINGS_KEY];
  const own = Settings.parse(stored && typeof stored === 'object' ? stored : {});
  const toStore = { ...next, siteEnabled: { ...next.siteEnabled } };
  if (managed.serverUrl) toStore.serverUrl = own.serverUrl;
  if (managed.token) toStore.token = own.token;
  for (const id of managed.disabledSites) {
    if (id in own.siteEnabled) toStore.siteEnabled[id] = own.siteEnabled[id]!;
    else delete toStore.siteEnabled[id];
  }
  await area.set({ [SETTINGS_KEY]: toStore });
  return next;
}

/** A change to a field an admin policy sets. */
export class ManagedError extends Error {
  constructor(readonly field: string) {
    super(`${field} is set by your organisation and cannot be changed here`);
  }
}

export async function loadRemoteConfig(area: KeyValueArea): Promise<StoredRemoteConfig | undefined> {
  const parsed = StoredRemoteConfig.safeParse((await area.get(REMOTE_CONFIG_KEY))[REMOTE_CONFIG_KEY]);
  return parsed.success ? parsed.data : undefined;
}

export async function saveRemoteConfig(area: KeyValueArea, config: ExtensionConfigResponse, now = Date.now()): Promise<void> {
  await area.set({ [REMOTE_CONFIG_KEY]: { ...config, fetchedAt: now } });
}

interface RemoteRules {
  rules: CustomRule[];
  /** Published rules this version cannot use, with why (shown in the options page). */
  ignored: { id: string; reason: string }[];
}

/** The published rules checked in full; a rule this version cannot use is set aside with the reason. */
export function remoteRules(remote: StoredRemoteConfig | undefined): RemoteRules {
  const out: RemoteRules = { rules: [], ignored: [] };
  for (const raw of remote?.config.rules ?? []) {
    const parsed = CustomRule.safeParse({ ...raw, source: 'server' });
    if (parsed.success) out.rules.push(parsed.data);
    else out.ignored.push({ id: String(raw.id), reason: z.prettifyError(parsed.error).replace(/\n/g, ' ') });
  }
  return out;
}

interface RemotePacks {
  packs: Record<string, SelectorPack>;
  /** Published packs this version cannot use (an unknown site or key), with why. */
  ignored: { site: string; reason: string }[];
}

/** The published selector packs checked in full; one this version cannot use is set aside with the reason. */
export function remotePacks(remote: StoredRemoteConfig | undefined): RemotePacks {
  const out: RemotePacks = { packs: {}, ignored: [] };
  for (const [site, raw] of Object.entries(remote?.config.selectorPacks ?? {})) {
    if (!SiteId.safeParse(site).success) {
      out.ignored.push({ site, reason: 'not a site this version of the extension knows' });
      continue;
    }
    const parsed = SelectorPack.safeParse(raw);
    if (parsed.success) out.packs[site] = parsed.data;
    else out.ignored.push({ site, reason: z.prettifyError(parsed.error).replace(/\n/g, ' ') });
  }
  return out;
}

export interface RemoteCriteria {
  criteria: PublishedCriterion[];
  /** Published criteria this version cannot use, with why. */
  ignored: { name: string; reason: string }[];
}

/**
 * The published extra criteria checked one by one, for a server that takes criteria (else none:
 * an extension sends `criterion` only to a server advertising the `criteria` capability).
 */
export function remoteCriteria(remote: StoredRemoteConfig | undefined): RemoteCriteria {
  const out: RemoteCriteria = { criteria: [], ignored: [] };
  if (!serverCan(remote, 'criteria')) return out;
  const seen = new Set<string>();
  for (const raw of remote?.config.criteria ?? []) {
    const parsed = PublishedCriterion.safeParse(raw);
    const name = String((raw as { name?: unknown } | null)?.name ?? '');
    if (!parsed.success) out.ignored.push({ name, reason: z.prettifyError(parsed.error).replace(/\n/g, ' ') });
    else if (seen.has(parsed.data.name)) out.ignored.push({ name, reason: 'published twice' });
    else {
      seen.add(parsed.data.name);
      out.criteria.push(parsed.data);
    }
  }
  return out;
}

/** The server takes this feature (it said so in its last published config). */
export function serverCan(remote: StoredRemoteConfig | undefined, capability: Capability): boolean {
  return remote?.capabilities?.includes(capability) ?? false;
}

/** What a content script gets: rules and switches, never the server URL or the token. */
export function contentConfigOf(settings: Settings, remote: StoredRemoteConfig | undefined): ContentConfig {
  const ids = new Set(settings.customRules.map((r) => r.id));
  const published = remoteRules(remote).rules.filter((r) => !ids.has(r.id));
  return ContentConfig.parse({
    rules: [...settings.customRules.map((r) => ({ ...r, source: 'user' as const })), ...published].slice(0, 500),
    disabledAdapters: remote?.config.disabledAdapters ?? [],
    starMode: settings.starMode,
    siteEnabled: settings.siteEnabled,
    selectionKind: settings.selectionKind,
    selectorPacks: remotePacks(remote).packs,
    configVersion: remote?.version ?? 0,
    reportHealth: serverCan(remote, 'health'),
    criteria: remoteCriteria(remote).criteria,
  });
}
