import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { registry } from './registry.ts';

const DIR = path.resolve(import.meta.dirname, '../../docs/monitoring');
const known = async () => new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
/** Metric names an expression uses, without the histogram suffixes. */
const namesIn = (expr: string) => [...expr.matchAll(/groundtruth_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, ''));

describe('docs/monitoring', () => {
  it('the Grafana dashboard is JSON whose queries name only metrics the server exports', async () => {
    const dash = JSON.parse(fs.readFileSync(path.join(DIR, 'grafana-dashboard.json'), 'utf8'));
    const names = await known();
    const exprs: string[] = dash.panels.flatMap((p: { targets: { expr: string }[] }) => p.targets.map((t) => t.expr));
    expect(exprs.length).toBeGreaterThan(10);
    for (const title of ['Requests', 'Latency', 'Ingest', 'Webhook deliveries', 'Share up per model']) {
      expect(dash.panels.some((p: { title: string }) => p.title.startsWith(title)), title).toBe(true);
    }
    for (const expr of exprs) for (const name of namesIn(expr)) expect(names.has(name), `${name} in ${expr}`).toBe(true);
  });

  it('the alert rules are YAML rule groups over exported metrics', async () => {
    const rules = parseYaml(fs.readFileSync(path.join(DIR, 'prometheus-alerts.yml'), 'utf8'));
    const names = await known();
    const all = rules.groups.flatMap((g: { rules: unknown[] }) => g.rules) as { alert: string; expr: string; labels: { severity: string } }[];
    expect(all.map((r) => r.alert)).toEqual(expect.arrayContaining(['GroundtruthShareUpDropped', 'GroundtruthSiteBroken', 'GroundtruthWebhookFailures', 'GroundtruthIndexerLag']));
    for (const r of all) {
      expect(r.labels.severity).toMatch(/^(warning|critical)$/);
      expect(namesIn(r.expr).length).toBeGreaterThan(0);
      for (const name of namesIn(r.expr)) expect(names.has(name), `${name} in ${r.alert}`).toBe(true);
      // Balanced brackets: a cheap syntax check in the absence of promtool.
      for (const [open, close] of ['()', '[]', '{}']) expect(r.expr.split(open!).length, `${open} in ${r.alert}`).toBe(r.expr.split(close!).length);
    }
  });
});
