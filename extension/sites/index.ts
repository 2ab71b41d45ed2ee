/**
 * The registry of site adapters. A built-in adapter can be switched off without a new release
 * (config `disabledAdapters`, published by the server), and every site by the user (`siteEnabled`).
 * test/conventions/sites.test.ts checks that every adapter here has a saved page and a test.
 */
import type { ContentConfig } from '../config.ts';
import type { SiteAdapter } from './types.ts';
import { chatgpt } from './chatgpt.ts';
import { claude } from './claude.ts';
import { gemini } from './gemini.ts';
import { perplexity } from './perplexity.ts';
import { ruleAdapter } from './custom-rule.ts';

export type { AnswerCapture, SiteAdapter } from './types.ts';

export const BUILTIN_ADAPTERS: readonly SiteAdapter[] = [chatgpt, claude, gemini, perplexity];

/** The adapters that run on `url`: matching built-ins not switched off, then matching custom rules. */
export function activeAdapters(url: URL, config: ContentConfig): SiteAdapter[] {
  const on = (id: string) => config.siteEnabled[id] !== false;
  const builtins = BUILTIN_ADAPTERS.filter(
    (a) => !config.disabledAdapters.includes(a.id) && on(a.id) && a.matches(url),
  );
  const rules = config.rules
    .filter((rule) => rule.enabled && on(rule.id) && on(url.hostname))
    .map(ruleAdapter)
    .filter((a) => a.matches(url));
  return [...builtins, ...rules];
}
