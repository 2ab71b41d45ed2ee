/**
 * CSS selector syntax checks for what admins publish (selector packs): a selector the browser
 * would refuse makes `querySelectorAll` throw in every rater's page, so it is refused where it is
 * accepted — the server's PUT /v1/extension-config, the dashboard form, the options page — with
 * the parser's reason. Uses css-selector-parser at its strict "latest" level (Selectors Level 4:
 * `:has()`, `:is()`, `:where()`, `:not()`, attribute operators…), which, like a browser, refuses
 * unknown pseudo-classes; see docs/decisions/0024-css-selector-parser.md.
 */
import { createParser, traverse, type AstEntity } from 'css-selector-parser';
import type { z } from 'zod';
import { PublishedConfig, SELECTOR_PACK_KEYS, type SelectorPack } from './extension-config.ts';

const parse = createParser({ syntax: 'latest' });
const PREFIX = 'not a valid CSS selector: ';

/** Why a selector (or selector list) cannot be used to find elements in a page; undefined if it can. */
export function selectorIssue(selector: string): string | undefined {
  let ast: AstEntity;
  try {
    ast = parse(selector);
  } catch (err) {
    // "css-selector-parser parse error: Expected attribute name. Pos: 3." → the part after the colon.
    const message = err instanceof Error ? err.message.replace(/^css-selector-parser parse error:\s*/, '') : String(err);
    return `${PREFIX}${message}`;
  }
  let issue: string | undefined;
  traverse(ast, (node) => {
    if (issue) return false;
    // Parseable, but useless or fatal in a page: querySelectorAll never returns a pseudo-element,
    // and throws on a namespace prefix, since a page has no @namespace rule to declare it.
    if (node.type === 'PseudoElement') issue = `${PREFIX}::${node.name} is a pseudo-element and matches no element`;
    else if ((node.type === 'TagName' || node.type === 'WildcardTag' || node.type === 'Attribute') && node.namespace?.type === 'NamespaceName') {
      issue = `${PREFIX}the namespace prefix "${node.namespace.name}|" is not declared in a page`;
    }
    return undefined;
  });
  return issue;
}

/**
 * A zod refinement: one issue per unusable selector in `selectorPacks`, at its path
 * (`selectorPacks.chatgpt.answer.1: not a valid CSS selector: …`).
 */
export function checkPackSelectors(config: { selectorPacks?: Partial<Record<string, SelectorPack>> }, ctx: z.RefinementCtx): void {
  for (const [site, pack] of Object.entries(config.selectorPacks ?? {})) {
    if (!pack) continue;
    for (const key of SELECTOR_PACK_KEYS) {
      pack[key]?.forEach((selector, i) => {
        const issue = selectorIssue(selector);
        if (issue) ctx.addIssue({ code: 'custom', path: ['selectorPacks', site, key, i], message: issue, input: selector });
      });
    }
  }
}

/** PublishedConfig with every pack selector's syntax checked: what the server accepts. */
export const CheckedPublishedConfig = PublishedConfig.superRefine(checkPackSelectors);
