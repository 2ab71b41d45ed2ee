/**
 * The built-in site adapters by id, with the `target.site` each records. The extension's registry
 * (extension/sites/index.ts) must list exactly these (test/conventions/sites.test.ts checks it);
 * the server uses the ids to validate selector packs and to name sites in health figures.
 */
export const BUILTIN_SITES = {
  chatgpt: 'chatgpt.com',
  claude: 'claude.ai',
  gemini: 'gemini.google.com',
  perplexity: 'perplexity.ai',
  copilot: 'copilot.microsoft.com',
  grok: 'grok.com',
  deepseek: 'chat.deepseek.com',
  mistral: 'chat.mistral.ai',
  meta: 'meta.ai',
} as const;

export type BuiltinSiteId = keyof typeof BUILTIN_SITES;
export const BUILTIN_SITE_IDS = Object.keys(BUILTIN_SITES) as BuiltinSiteId[];
