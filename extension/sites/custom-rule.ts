/**
 * An adapter built from a rule a user or an admin wrote (options page, or published by the server
 * in GET /v1/extension-config): pages matching a URL pattern, AI outputs matching a CSS selector,
 * optional prompt / model / subject read from the page or the URL, and the target kind (e.g.
 * `error_analysis` for an AI analysis in an Airflow or Grafana page).
 */
import type { CustomRule, RuleField } from '../config.ts';
import type { AnswerCapture, SiteAdapter } from './types.ts';
import { matchUrl, positionKey } from './dom/keys.ts';
import { hasAround, queryAll } from './dom/query.ts';
import { plainText, readText, shortText } from './dom/read-text.ts';
import { documentOrder } from './dom/turns.ts';

/**
 * The URL pattern of a rule as a RegExp: `/…/flags` is a regular expression; anything else is a
 * glob on the full URL where `*` matches any run of characters (no scheme means any scheme).
 * Null for a pattern that does not compile.
 */
export function urlPatternToRegExp(pattern: string): RegExp | null {
  const regex = /^\/(.+)\/([a-z]*)$/.exec(pattern);
  try {
    if (regex) return new RegExp(regex[1]!, regex[2]!.replace(/[gy]/g, ''));
    const glob = pattern.includes('://') ? pattern : `*://${pattern}`;
    const source = glob
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    return new RegExp(`^${source}$`);
  } catch {
    return null;
  }
}

/**
 * The element matching `selector` that belongs with `output`: inside the output (a model label in
 * the analysis), else in the output's closest ancestor that holds a match (a card, a panel), the
 * last match before the output there, else the first one. Suits one output per page as well as a
 * list of cards.
 */
function nearestMatch(output: Element, selector: string): Element | undefined {
  const inside = queryAll(output, selector)[0];
  if (inside) return inside;
  for (let scope = output.parentElement; scope; scope = scope.parentElement) {
    const found = queryAll(scope, selector).filter((m) => !m.contains(output));
    if (found.length > 0) {
      const before = found.filter((m) => documentOrder(m, output) < 0);
      return before[before.length - 1] ?? found[0];
    }
  }
  return undefined;
}

function readField(field: RuleField | undefined, output: Element, url: URL, long: boolean): string | undefined {
  if (!field) return undefined;
  if (field.selector) {
    const el = nearestMatch(output, field.selector);
    const text = el ? (long ? readText(el) : shortText(el)) : undefined;
    if (text) return text;
  }
  if (field.urlRegex) {
    try {
      return matchUrl(url.href, new RegExp(field.urlRegex));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export function ruleAdapter(rule: CustomRule): SiteAdapter {
  const pattern = urlPatternToRegExp(rule.urlPattern);
  return {
    id: `rule:${rule.id}`,
    // Rules can match several hosts: the controller uses the page's hostname as target.site.
    site: '',
    kind: rule.kind,
    testUrls: [rule.urlPattern],
    watchAttributes: ['aria-busy'],
    matches: (url) => rule.enabled && pattern !== null && pattern.test(url.href),
    findAnswers(root) {
      const found = queryAll(root, rule.outputSelector);
      return found.filter((el, i) => i === 0 || !found[i - 1]!.contains(el));
    },
    // Custom pages say nothing standard about streaming except aria-busy (used by many UI kits).
    isStreaming: (answer) => hasAround(answer, ['[aria-busy="true"]']),
    anyStreaming: (root) => root.querySelector('[aria-busy="true"]') !== null,
    key: (answer, position, url) =>
      positionKey(url.hostname, `${rule.id}:${url.pathname}`, position, plainText(answer)),
    conversationId: () => undefined,
    capture(answer, url): AnswerCapture {
      const capture: AnswerCapture = { output: readText(answer), context: { rule: rule.id } };
      const prompt = readField(rule.prompt, answer, url, true);
      const model = readField(rule.model, answer, url, false);
      const subject = readField(rule.subject, answer, url, false);
      if (prompt) capture.prompt = prompt;
      if (model) capture.model = model;
      if (subject) capture.subject = subject;
      return capture;
    },
    anchor: (answer) => answer,
  };
}
