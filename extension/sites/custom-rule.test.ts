// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { ruleAdapter, urlPatternToRegExp } from './custom-rule.ts';
import { CustomRule } from '../config.ts';

/** An Airflow-like page with two AI analyses, each in a task card. */
const PAGE = `
  <h1 class="dag-title">billing_daily</h1>
  <section class="card" data-task="load">
    <h2 class="task">load_invoices</h2>
    <pre class="log">ERROR: relation "invoices" does not exist</pre>
    <div class="ai-analysis"><p>The table was dropped by the <b>cleanup</b> task.</p><span class="ai-model">gpt-4.1</span></div>
  </section>
  <section class="card" data-task="send">
    <h2 class="task">send_report</h2>
    <pre class="log">Timeout after 30s</pre>
    <div class="ai-analysis"><p>The SMTP server did not answer.</p></div>
  </section>`;

const rule = CustomRule.parse({
  id: 'airflow',
  urlPattern: 'https://airflow.example.com/dags/*',
  outputSelector: '.ai-analysis',
  prompt: { selector: '.log' },
  model: { selector: '.ai-model' },
  subject: { urlRegex: '/dags/([^/]+)/' },
  kind: 'error_analysis',
});
const URL_ = new URL('https://airflow.example.com/dags/billing_daily/grid?task=load');

describe('custom rule adapter', () => {
  beforeEach(() => {
    document.body.innerHTML = PAGE;
  });

  it('turns globs and /regex/ into URL tests', () => {
    expect(urlPatternToRegExp('https://airflow.example.com/dags/*')!.test(URL_.href)).toBe(true);
    expect(urlPatternToRegExp('https://airflow.example.com/dags/*')!.test('https://airflow.example.com/home')).toBe(false);
    expect(urlPatternToRegExp('grafana.internal/*')!.test('http://grafana.internal/d/abc')).toBe(true);
    // Dots are literal in globs.
    expect(urlPatternToRegExp('https://a.b/*')!.test('https://axb/x')).toBe(false);
    expect(urlPatternToRegExp('/^https:\\/\\/grafana\\.[a-z]+\\.io\\//')!.test('https://grafana.acme.io/d/1')).toBe(true);
    expect(urlPatternToRegExp('/(unclosed/')).toBeNull();
  });

  it('matches its pages only, and not when switched off', () => {
    expect(ruleAdapter(rule).matches(URL_)).toBe(true);
    expect(ruleAdapter(rule).matches(new URL('https://airflow.example.com/home'))).toBe(false);
    expect(ruleAdapter({ ...rule, enabled: false }).matches(URL_)).toBe(false);
  });

  it('finds each output, keys them uniquely and stably, with the rule kind', () => {
    const adapter = ruleAdapter(rule);
    const outputs = adapter.findAnswers(document);
    expect(outputs).toHaveLength(2);
    const keys = outputs.map((el, i) => adapter.key(el, i, URL_));
    expect(new Set(keys).size).toBe(2);
    expect(keys[0]).toMatch(/^airflow\.example\.com:airflow:\/dags\/billing_daily\/grid:0:[0-9a-f]{14}$/);
    document.body.innerHTML = PAGE;
    expect(adapter.findAnswers(document).map((el, i) => adapter.key(el, i, URL_))).toEqual(keys);
    expect(adapter.kind).toBe('error_analysis');
  });

  it('reads prompt and model from the same card, subject from the URL', () => {
    const adapter = ruleAdapter(rule);
    const [first, second] = adapter.findAnswers(document);
    expect(adapter.capture(first!, URL_)).toEqual({
      output: 'The table was dropped by the cleanup task.\ngpt-4.1',
      prompt: 'ERROR: relation "invoices" does not exist',
      model: 'gpt-4.1',
      subject: 'billing_daily',
      context: { rule: 'airflow' },
    });
    const two = adapter.capture(second!, URL_);
    expect(two.prompt).toBe('Timeout after 30s');
    // No model in the second card: the nearest one on the page (the first card's) is taken.
    expect(two.model).toBe('gpt-4.1');
    expect(two.subject).toBe('billing_daily');
  });

  it('survives a selector the browser rejects', () => {
    const adapter = ruleAdapter({ ...rule, outputSelector: 'div[[' });
    expect(adapter.findAnswers(document)).toEqual([]);
  });
});
