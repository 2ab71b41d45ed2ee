import { describe, expect, it } from 'vitest';
import { CustomRule } from '../config.ts';
import { ruleHostPattern, rulePatterns } from './rule-scripts.ts';

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
