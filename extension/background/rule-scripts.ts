/**
 * Content scripts for custom and published rules (docs/decisions/0050). The declared content
 * script runs on the built-in sites only; a rule's hosts are optional host permissions the
 * options page asks for. Once some are granted, the same built script is registered for them with
 * scripting.registerContentScripts, again whenever rules or grants change (and at start-up:
 * registrations do not always outlive a browser restart, and Firefox MV2 keeps none).
 */
import type { WxtBrowser } from 'wxt/browser';
import type { CustomRule } from '../config.ts';
import { CONTENT_SCRIPT_FILE } from './rate-selection.ts';

export const RULE_SCRIPT_ID = 'groundtruth-rules';

/**
 * The match pattern of the hosts a rule's URL pattern can reach (its scheme and host, any path),
 * or null when none can be written: a regular expression, or a `*` inside the host other than a
 * leading `*.` (match patterns allow only that).
 */
export function ruleHostPattern(urlPattern: string): string | null {
  if (/^\/.+\/[a-z]*$/.test(urlPattern)) return null;
  const m = /^(?:([a-z*]+):\/\/)?([^/?#]+)/i.exec(urlPattern);
  if (!m) return null;
  const scheme = (m[1] ?? '*').toLowerCase();
  if (scheme !== '*' && scheme !== 'http' && scheme !== 'https') return null;
  const host = m[2]!.replace(/:(\d+|\*)$/, '').toLowerCase();
  const rest = host.startsWith('*.') ? host.slice(2) : host;
  if (rest.length === 0 || rest.includes('*') || !/^[a-z0-9.-]+$/.test(rest)) return null;
  return `${scheme}://${host}/*`;
}

/** The distinct host patterns of the enabled rules (rules without one are left out). */
export function rulePatterns(rules: readonly Pick<CustomRule, 'enabled' | 'urlPattern'>[]): string[] {
  const out = new Set<string>();
  for (const rule of rules) {
    const pattern = rule.enabled ? ruleHostPattern(rule.urlPattern) : null;
    if (pattern) out.add(pattern);
  }
  return [...out];
}

type Browser = {
  permissions: Pick<WxtBrowser['permissions'], 'contains'>;
  scripting?: Pick<WxtBrowser['scripting'], 'getRegisteredContentScripts' | 'registerContentScripts' | 'unregisterContentScripts'>;
};

/** The patterns among `patterns` the rater granted. */
export async function grantedPatterns(permissions: Browser['permissions'], patterns: readonly string[]): Promise<string[]> {
  const granted = await Promise.all(patterns.map((p) => permissions.contains({ origins: [p] }).catch(() => false)));
  return patterns.filter((_, i) => granted[i]);
}

/**
 * Registers the content script for the granted hosts of `rules` (or removes it); returns the hosts.
 * Leaves a registration that already has exactly those hosts alone: this runs on every settings or
 * published-config write (each sync stores the config), and re-registering would be churn.
 */
export async function syncRuleScripts(browser: Browser, rules: readonly CustomRule[]): Promise<string[]> {
  const scripting = browser.scripting;
  if (!scripting) return [];
  const matches = await grantedPatterns(browser.permissions, rulePatterns(rules));
  const existing = await scripting.getRegisteredContentScripts({ ids: [RULE_SCRIPT_ID] });
  const registered = existing.length > 0 ? [...(existing[0]!.matches ?? [])].sort() : null;
  if (registered ? matches.length > 0 && registered.join('\n') === [...matches].sort().join('\n') : matches.length === 0) return matches;
  if (existing.length > 0) await scripting.unregisterContentScripts({ ids: [RULE_SCRIPT_ID] });
  if (matches.length > 0) {
    await scripting.registerContentScripts([
      { id: RULE_SCRIPT_ID, js: [CONTENT_SCRIPT_FILE], matches, runAt: 'document_idle', persistAcrossSessions: false },
    ]);
  }
  return matches;
}
