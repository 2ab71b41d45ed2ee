/**
 * The registry of site adapters. A built-in adapter can be switched off without a new release
 * (config `disabledAdapters`, published by the server), and every site by the user (`siteEnabled`).
 * test/conventions/sites.test.ts checks that every adapter here has a saved page and a test.
 */
import type { ContentConfig } from '../config.ts';
import type { SiteAdapter } from './types.ts';
import type { ChatSiteAdapter } from './chat-site.ts';
import { chatgpt } from './chatgpt.ts';
import { claude } from './claude.ts';
import { copilot } from './copilot.ts';
import { deepseek } from './deepseek.ts';
import { gemini } from './gemini.ts';
import { grok } from './grok.ts';
import { meta } from './meta.ts';
import { mistral } from './mistral.ts';
import { perplexity } from './perplexity.ts';
import { ruleAdapter } from './custom-rule.ts';

export type { AnswerCapture, SiteAdapter } from './types.ts';

/** In the order of BUILTIN_SITES (shared/sites.ts). */
export const BUILTIN_ADAPTERS: readonly ChatSiteAdapter[] = [chatgpt, claude, gemini, perplexity, copilot, grok, deepseek, mistral, meta];

/**
 * Match patterns of the built-in sites' hosts: the only pages the declared content script runs on
 * (entrypoints/content.ts; docs/decisions/0050). Custom and published rules run where the rater
 * granted their hosts (background/rule-scripts.ts).
 */
export const BUILTIN_MATCHES: readonly string[] = BUILTIN_ADAPTERS.flatMap((a) => a.hosts.map((host) => `https://${host}/*`));

/**
 * The adapters that run on `url`: matching built-ins not switched off (with the selector pack an
 * admin published for them merged in), then matching custom rules.
 */
export function activeAdapters(url: URL, config: ContentConfig): SiteAdapter[] {
  const on = (id: string) => config.siteEnabled[id] !== false;
  const builtins = BUILTIN_ADAPTERS.filter(
    (a) => !config.disabledAdapters.includes(a.id) && on(a.id) && a.matches(url),
  ).map((a) => {
    const pack = config.selectorPacks[a.id];
    return pack ? a.withPack(pack, config.configVersion) : a;
  });
  const rules = config.rules
    .filter((rule) => rule.enabled && on(rule.id) && on(url.hostname))
    .map(ruleAdapter)
    .filter((a) => a.matches(url));
  return [...builtins, ...rules];
}
