/**
 * axe-core in a real page (ADR 0052): injects axe's own source, runs it, and turns the answer into
 * one line of the summary table and a list of the serious and critical violations, each with its
 * rule id and the nodes it found (shadow-DOM targets print as `host >>> inner`).
 *
 * The source goes in through page.evaluate, not page.addScriptTag: the dashboard's
 * Content-Security-Policy and the extension pages' CSP (script-src 'self') refuse the inline
 * <script> addScriptTag writes, while evaluate runs over the DevTools protocol, which a page's CSP
 * does not govern. Same file (require.resolve('axe-core') → axe.min.js), same global `axe`.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * A page of either driver: playwright-core's Page (Chromium) or puppeteer-core's (Firefox over
 * BiDi). Both take a source string, and a function with one argument.
 */
export interface EvaluatingPage {
  evaluate(source: string): Promise<unknown>;
  evaluate<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(path.join(path.dirname(require.resolve('axe-core')), 'axe.min.js'), 'utf8');

export const IMPACTS = ['critical', 'serious', 'moderate', 'minor'] as const;
export type Impact = (typeof IMPACTS)[number];

export interface AxeViolation {
  id: string;
  impact: Impact | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

export interface AxeRow {
  page: string;
  violations: AxeViolation[];
  counts: Record<Impact, number>;
  /** Rules that found something to check and passed: 0 means axe looked at nothing. */
  passed: number;
}

/**
 * What axe checks: WCAG 2.x A and AA plus axe's best practices. `include`: CSS selectors of the
 * part of the page that is ours (the widgets on a host page); the rest of a saved site is not ours
 * to fix. An included element brings its open shadow tree with it.
 */
export async function runAxe(page: EvaluatingPage, name: string, include?: string[]): Promise<AxeRow> {
  const loaded = await page.evaluate(() => typeof (globalThis as any).axe?.run === 'function', null);
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const { violations, passed } = (await page.evaluate(
    async ({ include }: { include: string[] | undefined }) => {
      const axe = (globalThis as any).axe;
      const context = include ? { include: include.map((s) => [s]) } : document;
      const result = await axe.run(context, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
        resultTypes: ['violations'],
      });
      return {
        passed: result.passes.length,
        violations: result.violations.map((v: any) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          nodes: v.nodes.map((n: any) => ({ target: n.target, failureSummary: n.failureSummary })),
        })),
      };
    },
    { include },
  )) as { violations: AxeViolation[]; passed: number };
  const counts = Object.fromEntries(IMPACTS.map((i) => [i, 0])) as Record<Impact, number>;
  for (const v of violations) if (v.impact) counts[v.impact] += v.nodes.length;
  return { page: name, violations, counts, passed };
}

function target(t: unknown): string {
  return Array.isArray(t) ? t.map(target).join(' >>> ') : String(t);
}

/**
 * The serious and critical violations of a row, one line per rule, with up to five targets; and a
 * line if axe passed no rule at all (it looked at an empty page or the wrong frame).
 */
export function blocking(row: AxeRow): string[] {
  if (row.passed === 0) return [`${row.page}: axe passed no rule, so it checked nothing`];
  return row.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => {
      const nodes = v.nodes.map((n) => target(n.target));
      const more = nodes.length > 5 ? ` … and ${nodes.length - 5} more` : '';
      const why = v.nodes[0]?.failureSummary?.replace(/\s+/g, ' ').slice(0, 300);
      return `${row.page}: ${v.impact} ${v.id} (${v.help}) on ${nodes.slice(0, 5).join(', ')}${more}${why ? ` — ${why}` : ''}`;
    });
}

/** The summary printed to the test output: one line per page, nodes per impact, the rules seen. */
export function table(rows: AxeRow[]): string {
  const width = Math.max(4, ...rows.map((r) => r.page.length));
  const head = `${'page'.padEnd(width)}  ${IMPACTS.map((i) => i.padStart(8)).join(' ')}  passed  violated rules`;
  const lines = rows.map(
    (r) =>
      `${r.page.padEnd(width)}  ${IMPACTS.map((i) => String(r.counts[i]).padStart(8)).join(' ')}  ${String(r.passed).padStart(6)}  ${r.violations.map((v) => `${v.id}(${v.impact})`).join(' ') || '-'}`,
  );
  return ['axe-core ' + AXE_VERSION, head, ...lines].join('\n');
}

export const AXE_VERSION: string = JSON.parse(fs.readFileSync(require.resolve('axe-core/package.json'), 'utf8')).version;
