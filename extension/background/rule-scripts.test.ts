import { describe, expect, it } from 'vitest';
import { CustomRule } from '../config.ts';
import { RULE_SCRIPT_ID, ruleHostPattern, rulePatterns, syncRuleScripts } from './rule-scripts.ts';

describe('the hosts a rule asks for', () => {
  it('takes scheme and host from a glob, any path, no port', () => {
    expect(ruleHostPattern('https://airflow.example.com/dags/*')).toBe('https://airflow.example.com/*');
    expect(ruleHostPattern('grafana.example.com:3000/d/*')).toBe('*://grafana.example.com/*');
    expect(ruleHostPattern('*://*.corp.example/*')).toBe('*://*.corp.example/*');
  });
  it('has none for a regular expression or a host a match pattern cannot say', () => {
    expect(ruleHostPattern('/^https:\\/\\/a\\.example\\//')).toBeNull();
    expect(ruleHostPattern('https://grafana*.example.com/*')).toBeNull();
    expect(ruleHostPattern('*')).toBeNull();
    expect(ruleHostPattern('ftp://files.example.com/*')).toBeNull();
  });
  it('lists each enabled rule host once', () => {
    const rule = (id: string, urlPattern: string, enabled = true) => CustomRule.parse({ id, urlPattern, outputSelector: '.x', enabled });
    expect(rulePatterns([rule('a', 'https://a.test/x/*'), rule('b', 'https://a.test/y/*'), rule('c', 'https://c.test/*', false)])).toEqual(['https://a.test/*']);
  });
});

describe('registering the rule hosts', () => {
  /** A browser whose scripting API records what was done; `granted` are the hosts the rater allowed. */
  function fakeBrowser(granted: string[]) {
    let registered: { id: string; matches: string[] }[] = [];
    const calls: string[] = [];
    return {
      calls,
      registered: () => registered,
      browser: {
        permissions: { contains: async ({ origins }: { origins?: string[] }) => origins!.every((o) => granted.includes(o)) },
        scripting: {
          getRegisteredContentScripts: async ({ ids }: { ids?: string[] } = {}) => registered.filter((s) => !ids || ids.includes(s.id)),
          registerContentScripts: async (scripts: { id: string; matches?: string[] }[]) => {
            calls.push('register');
            registered = [...registered, ...scripts.map((s) => ({ id: s.id, matches: s.matches ?? [] }))];
          },
          unregisterContentScripts: async ({ ids }: { ids?: string[] } = {}) => {
            calls.push('unregister');
            registered = registered.filter((s) => ids && !ids.includes(s.id));
          },
        },
      } as never,
    };
  }
  const rule = (id: string, urlPattern: string) => CustomRule.parse({ id, urlPattern, outputSelector: '.x' });

  it('registers the granted hosts, leaves an unchanged registration alone, and follows a change', async () => {
    const b = fakeBrowser(['https://a.test/*', 'https://b.test/*']);
    const rules = [rule('a', 'https://a.test/x/*'), rule('c', 'https://c.test/*')];
    expect(await syncRuleScripts(b.browser, rules)).toEqual(['https://a.test/*']);
    expect(await syncRuleScripts(b.browser, rules)).toEqual(['https://a.test/*']);
    expect(b.calls).toEqual(['register']);
    expect(await syncRuleScripts(b.browser, [...rules, rule('b', 'https://b.test/*')])).toEqual(['https://a.test/*', 'https://b.test/*']);
    expect(b.registered()).toEqual([{ id: RULE_SCRIPT_ID, matches: ['https://a.test/*', 'https://b.test/*'] }]);
    expect(await syncRuleScripts(b.browser, [])).toEqual([]);
    expect(await syncRuleScripts(b.browser, [])).toEqual([]);
    expect(b.calls).toEqual(['register', 'unregister', 'register', 'unregister']);
    expect(b.registered()).toEqual([]);
  });
});
