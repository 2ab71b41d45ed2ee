import { describe, expect, it } from 'vitest';
import { CustomRule } from '../config.ts';
import { exportRules, mergeRules, parseRulesFile } from './rules-io.ts';

const rule = (id: string, extra: Record<string, unknown> = {}) =>
  CustomRule.parse({ id, urlPattern: `https://${id}.example.com/*`, outputSelector: '.ai', kind: 'error_analysis', ...extra });

describe('rules as JSON', () => {
  it('round-trips through export and import', () => {
    const rules = [rule('airflow', { prompt: { selector: '.q' }, model: { urlRegex: 'model=(\\w+)' } }), rule('grafana', { enabled: false })];
    const text = exportRules(rules);
    expect(JSON.parse(text).groundtruthRules).toBe(1);
    expect(text).not.toContain('"source"');
    const back = parseRulesFile(text);
    expect(back).toEqual({ rules, skipped: [] });
  });

  it('accepts a bare list, skips bad entries with the reason, refuses what is not a rules file', () => {
    const res = parseRulesFile(JSON.stringify([{ id: 'ok', urlPattern: 'https://a/*', outputSelector: '.x' }, { id: 'bad', urlPattern: 'https://b/*', outputSelector: '' }, 42]));
    expect(res.rules.map((r) => r.id)).toEqual(['ok']);
    expect(res.skipped[0]).toMatch(/^rule 2 \(bad\): outputSelector: must not be empty/);
    expect(res.skipped[1]).toMatch(/^rule 3: /);
    expect(parseRulesFile('{nope').error).toMatch(/not JSON/);
    expect(parseRulesFile('{"x":1}').error).toMatch(/No rules found/);
  });

  it('imported rules replace those with the same id', () => {
    const { rules, replaced } = mergeRules([rule('a'), rule('b')], [rule('b', { name: 'new b' }), rule('c')]);
    expect(rules.map((r) => [r.id, r.name])).toEqual([['a', undefined], ['b', 'new b'], ['c', undefined]]);
    expect(replaced).toBe(1);
  });
});
