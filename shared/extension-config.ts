/**
 * The extension config an admin publishes for a workspace (GET/PUT /v1/extension-config): custom
 * rules the whole team gets, and built-in site adapters switched off after a site redesign broke
 * them. The server checks the outline of each rule; the extension checks each rule in full with
 * its CustomRule schema (extension/config.ts) and ignores, with a note, any it cannot use.
 */
import { z } from 'zod';
import { LIMITS } from './limits.ts';
import { Role } from './schemas.ts';

export const PublishedRule = z.looseObject({
  id: z.string().trim().min(1).max(LIMITS.shortTextMaxChars),
  urlPattern: z.string().trim().min(1).max(LIMITS.urlMaxChars),
  outputSelector: z.string().trim().min(1).max(1000),
});

export const PublishedConfig = z.object({
  rules: z.array(PublishedRule).max(500, 'at most 500 rules').default([]),
  /** Ids of built-in adapters to switch off: `chatgpt`, `claude`, `gemini`, `perplexity`. */
  disabledAdapters: z.array(z.string().min(1).max(64)).max(50).default([]),
});
export type PublishedConfig = z.infer<typeof PublishedConfig>;

export const ExtensionConfigResponse = z.object({
  config: PublishedConfig,
  /** When an admin last published it (null: never). */
  updatedAt: z.string().nullable(),
  /** Who asks: lets the extension's "Test connection" name the workspace and role. */
  caller: z.object({ workspaceId: z.string(), role: Role, name: z.string() }),
});
export type ExtensionConfigResponse = z.infer<typeof ExtensionConfigResponse>;
