/**
 * What a content script needs to know about the page it runs on: custom rules, switches for the
 * built-in site adapters, star mode, the per-site switch. The background answers the
 * `get-content-config` message (extension/messages.ts) with a `ContentConfig`, validated with the
 * schema below on the background side. Content scripts import only the types from this file
 * (`import type`), so zod stays out of the content bundle (size goal: ≤ 30 KB gzip).
 */
import { z } from 'zod';
import { PublishedCriterion, SelectorPack } from '../shared/extension-config.ts';
import { TargetKind } from '../shared/schemas.ts';
import { LIMITS } from '../shared/limits.ts';

/** A CSS selector, checked for syntax where a DOM exists (options page, background has none). */
const selector = z.string().trim().min(1, 'must not be empty').max(1000, 'at most 1000 characters');

/** A regular expression source; its first capture group (or the whole match) is the value. */
const regexSource = z
  .string()
  .min(1)
  .max(1000)
  .refine((s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  }, 'must be a valid regular expression');

/** Where to read one optional field of a custom rule: a CSS selector on the page, or a regex on the URL. */
export const RuleField = z
  .object({
    /** Text of the first element matching this selector (for prompt: the last match before the output). */
    selector: selector.optional(),
    /** Matched against the page URL; the first capture group (or the whole match) is the value. */
    urlRegex: regexSource.optional(),
  })
  .refine((f) => f.selector !== undefined || f.urlRegex !== undefined, {
    message: 'give a selector or a URL regex',
  });
export type RuleField = z.infer<typeof RuleField>;

/**
 * A rule a user or an admin writes for a page no built-in adapter knows (an AI analysis in Airflow,
 * Grafana, an internal tool). Exported and imported as JSON; published by the server in
 * GET /v1/extension-config.
 */
export const CustomRule = z.object({
  /** Stable id (used in target keys and to switch the rule off). */
  id: z.string().trim().min(1).max(LIMITS.shortTextMaxChars),
  name: z.string().max(LIMITS.shortTextMaxChars).optional(),
  /**
   * Which pages: a glob on the full URL where `*` matches any run of characters
   * (e.g. `https://airflow.example.com/dags/*`), or a regular expression written as `/…/`.
   */
  urlPattern: z.string().trim().min(1).max(LIMITS.urlMaxChars),
  /** CSS selector of each AI-output element to rate. */
  outputSelector: selector,
  prompt: RuleField.optional(),
  model: RuleField.optional(),
  subject: RuleField.optional(),
  kind: TargetKind.default('other'),
  enabled: z.boolean().default(true),
  /** Where the rule came from; server rules cannot be edited in the options page. */
  source: z.enum(['user', 'server']).default('user'),
});
export type CustomRule = z.infer<typeof CustomRule>;
/** What a rule looks like before defaults are applied (what people type or import). */
export type CustomRuleInput = z.input<typeof CustomRule>;

export const ContentConfig = z.object({
  /** Custom rules (user and server); the content script keeps those whose urlPattern matches. */
  rules: z.array(CustomRule).max(500).default([]),
  /** Ids of built-in adapters switched off (e.g. a site redesign broke one): `chatgpt`, `claude`, … */
  disabledAdapters: z.array(z.string()).default([]),
  /** Show 1–5 stars in the widget besides thumbs. */
  starMode: z.boolean().default(false),
  /**
   * Per-site switch, keyed by site id: the adapter id for built-in sites (`chatgpt`), the rule id
   * for custom rules, the hostname for any other page (text selections). Missing means enabled.
   */
  siteEnabled: z.record(z.string(), z.boolean()).default({}),
  /** Target kind for "Rate with Groundtruth" on a text selection. */
  selectionKind: TargetKind.default('other'),
  /** Selector packs an admin published, per built-in site id, each checked by the background. */
  selectorPacks: z.record(z.string(), SelectorPack).default({}),
  /** The published config version the packs come from (0: none). */
  configVersion: z.number().int().nonnegative().default(0),
  /** The server takes health counters: count each visit and report it. */
  reportHealth: z.boolean().default(false),
  /** Extra criteria of the widget's detail form an admin published (only from a server that takes them). */
  criteria: z.array(PublishedCriterion).default([]),
});
export type ContentConfig = z.infer<typeof ContentConfig>;
// The config when none is stored is `ContentConfig.parse({})`; content scripts that cannot reach
// the background use FALLBACK_CONFIG in extension/content/controller.ts (no zod in their bundle).
