/**
 * Whether a rule can run on its pages by itself (ADR 0050): its host is a granted optional host
 * permission, it still needs one (with the button that asks, inside the click), or its pages
 * cannot become a host permission at all (a /regex/, or a `*` inside the host).
 */
import { ruleHostPattern } from '../background/rule-scripts.ts';

export type Access = Record<string, boolean>;

interface Props {
  urlPattern: string;
  enabled: boolean;
  /** Host pattern → granted, from permissions.contains; a pattern not in it is not checked yet. */
  access: Access;
  onGrant(pattern: string): void;
}

export const isRegexPattern = (urlPattern: string) => /^\/.+\/[a-z]*$/.test(urlPattern.trim());

export function RuleAccess({ urlPattern, enabled, access, onGrant }: Props) {
  if (!enabled || !urlPattern.trim()) return null;
  const pattern = ruleHostPattern(urlPattern.trim());
  if (!pattern) {
    return (
      <p class="muted" data-gt="rule-no-host">
        {isRegexPattern(urlPattern)
          ? 'A /regex/ cannot be turned into a site permission, so this rule does not run on its pages by itself: it works where Groundtruth already runs (the built-in sites, a site allowed for another rule) or where you chose "Rate with Groundtruth". Write its pages as a URL with * wildcards to let it run there.'
          : 'Its host cannot be turned into a site permission (only a leading "*." is allowed there), so this rule does not run on its pages by itself.'}
      </p>
    );
  }
  if (access[pattern] === undefined) return null;
  if (access[pattern]) {
    return (
      <p class="good" data-gt="rule-granted">
        Allowed on {pattern}.
      </p>
    );
  }
  return (
    <p class="bad" data-gt="rule-needs-access">
      Needs access to {pattern}: the rule stays off there until you allow it.{' '}
      <button type="button" data-gt="grant-rule-host" onClick={() => onGrant(pattern)}>
        Allow on {pattern.slice(pattern.indexOf('://') + 3, -2)}
      </button>
    </p>
  );
}
