/**
 * The extension config an admin publishes for a workspace (GET/PUT /v1/extension-config): custom
 * rules the whole team gets, built-in site adapters switched off after a site redesign broke
 * them, and selector packs: per built-in site, overrides of its selectors that the extension
 * merges over the built-in ones at its next sync, with no new release. The server checks the
 * outline of each rule; the extension checks each rule in full with its CustomRule schema
 * (extension/config.ts) and ignores, with a note, any it cannot use.
 *
 * Selector syntax is checked where a selector is accepted (server, options page) with a real CSS
 * selector parser (`selectorIssue` in shared/css-selector.ts); this file stays parser-free so
 * that content scripts can import its types.
 */
import { z } from 'zod';
import { LIMITS } from './limits.ts';
import { Criterion, DEFAULT_CRITERION, Role } from './schemas.ts';
import { BUILTIN_SITE_IDS } from './sites.ts';

export const PublishedRule = z.looseObject({
  id: z.string().trim().min(1).max(LIMITS.shortTextMaxChars),
  urlPattern: z.string().trim().min(1).max(LIMITS.urlMaxChars),
  outputSelector: z.string().trim().min(1).max(1000),
});

/** Bounds of a selector pack (a pack is page-facing configuration: keep it small). */
export const PACK_LIMITS = {
  /** Fallbacks per selector key. */
  selectorsPerKey: 8,
  selectorMaxChars: 500,
  /** Serialized size of one site's pack. */
  packMaxBytes: 8 * 1024,
} as const;

/** The selectors a pack may override, each a list of fallbacks tried in order. */
export const SELECTOR_PACK_KEYS = ['answer', 'answerText', 'prompt', 'streaming', 'stopButton', 'model'] as const;
export type SelectorPackKey = (typeof SELECTOR_PACK_KEYS)[number];

const selectorList = z
  .array(z.string().trim().min(1, 'must not be empty').max(PACK_LIMITS.selectorMaxChars, `at most ${PACK_LIMITS.selectorMaxChars} characters`))
  .min(1, 'give at least one selector')
  .max(PACK_LIMITS.selectorsPerKey, `at most ${PACK_LIMITS.selectorsPerKey} selectors`);

/**
 * Overrides for one built-in site. `answer`: each AI answer; `answerText`: inside an answer, the
 * parts holding its text; `prompt`: each user turn (its text is the prompt); `streaming`: on,
 * around or inside an answer while it is written; `stopButton`: anywhere on the page while the
 * last answer is written; `model`: an element whose text names the model (inside the answer
 * first, then the page); `conversationUrlPattern`: a regular expression on the URL path whose
 * first group is the conversation id.
 */
export const SelectorPack = z
  .strictObject({
    answer: selectorList.optional(),
    answerText: selectorList.optional(),
    prompt: selectorList.optional(),
    streaming: selectorList.optional(),
    stopButton: selectorList.optional(),
    model: selectorList.optional(),
    conversationUrlPattern: z
      .string()
      .min(1)
      .max(PACK_LIMITS.selectorMaxChars)
      .refine((s) => {
        try {
          new RegExp(s);
          return true;
        } catch {
          return false;
        }
      }, 'must be a valid regular expression')
      .optional(),
  })
  .refine((p) => Object.keys(p).length > 0, 'a pack overrides at least one selector')
  .refine((p) => JSON.stringify(p).length <= PACK_LIMITS.packMaxBytes, `a pack serializes to at most ${PACK_LIMITS.packMaxBytes} bytes`);
export type SelectorPack = z.infer<typeof SelectorPack>;

/** Bounds of the published criteria (the widget's detail form must stay small). */
export const CRITERIA_LIMITS = { max: 8, labelMaxChars: 64, hintMaxChars: 200 } as const;

/**
 * An extra criterion an admin publishes for the widget's detail form (docs/decisions/0030): the
 * widget keeps rating `overall` in its bar; each published criterion gets a thumb pair (`thumbs`)
 * or 1–5 stars (`stars`) in the form, and each rating given there is a record of its own, with
 * the same target and this `name` as its criterion. `label` is what the rater reads; `hint` an
 * optional line under it (shown as its title).
 */
export const PublishedCriterion = z.strictObject({
  name: Criterion.refine((n) => n !== DEFAULT_CRITERION, `"${DEFAULT_CRITERION}" is the widget's own rating: publish other criteria`),
  label: z.string().trim().min(1, 'must not be empty').max(CRITERIA_LIMITS.labelMaxChars, `at most ${CRITERIA_LIMITS.labelMaxChars} characters`),
  scale: z.enum(['thumbs', 'stars']).default('thumbs'),
  hint: z.string().trim().max(CRITERIA_LIMITS.hintMaxChars, `at most ${CRITERIA_LIMITS.hintMaxChars} characters`).optional(),
});
export type PublishedCriterion = z.infer<typeof PublishedCriterion>;

export const SiteId = z.enum(BUILTIN_SITE_IDS as [string, ...string[]], {
  error: `must be a built-in site: ${BUILTIN_SITE_IDS.join(', ')}`,
});

export const PublishedConfig = z.strictObject({
  rules: z.array(PublishedRule).max(500, 'at most 500 rules').default([]),
  /** Ids of built-in adapters to switch off: `chatgpt`, `claude`, `gemini`, `perplexity`, … */
  disabledAdapters: z.array(z.string().min(1).max(64)).max(50).default([]),
  /** Per built-in site id, selector overrides merged over the built-in selectors. */
  selectorPacks: z.partialRecord(SiteId, SelectorPack).default({}),
  /** Extra criteria the widget's detail form asks for, in this order (besides `overall`, the bar's own). */
  criteria: z
    .array(PublishedCriterion)
    .max(CRITERIA_LIMITS.max, `at most ${CRITERIA_LIMITS.max} criteria`)
    .refine((list) => new Set(list.map((c) => c.name)).size === list.length, 'each criterion name at most once')
    .default([]),
});
export type PublishedConfig = z.infer<typeof PublishedConfig>;

/**
 * What this server can take from an extension; an extension sends only what is listed.
 * `queues`: GET /v1/queues answers with each queue's `toReview` for the caller (the popup's "N to review").
 */
export const CAPABILITIES = ['packs', 'health', 'own-ratings', 'criteria', 'queues'] as const;
export type Capability = (typeof CAPABILITIES)[number];

/**
 * The config as a client reads it: tolerant, so that a newer server's additions do not break an
 * older extension, which checks each rule and pack itself and sets aside what it cannot use.
 */
export const PublishedConfigOnWire = z.looseObject({
  rules: z.array(PublishedRule).default([]),
  disabledAdapters: z.array(z.string()).default([]),
  selectorPacks: z.record(z.string(), z.unknown()).default({}),
  /** Checked one by one by the extension (PublishedCriterion); one it cannot use is set aside. */
  criteria: z.array(z.unknown()).optional(),
});

export const ExtensionConfigResponse = z.object({
  config: PublishedConfigOnWire,
  /** When an admin last published it (null: never). */
  updatedAt: z.string().nullable(),
  /** Increases with every publish (0: never published); the sync answer's `configVersion`. */
  version: z.number().int().nonnegative().default(0),
  /** Features of this server the extension may use (older servers: none listed). */
  capabilities: z.array(z.string()).default([]),
  /** Who asks: lets the extension's "Test connection" name the workspace and role. */
  caller: z.object({ workspaceId: z.string(), role: Role, name: z.string() }),
});
export type ExtensionConfigResponse = z.infer<typeof ExtensionConfigResponse>;
