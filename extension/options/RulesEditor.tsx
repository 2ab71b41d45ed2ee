/**
 * The custom rules editor: one small form per rule (which pages, which element is the AI output,
 * where to read prompt, model and subject), plus JSON export and import.
 */
import type { ComponentChildren, JSX } from 'preact';
import { useState } from 'preact/hooks';
import { TARGET_KINDS, type TargetKind } from '../../shared/schemas.ts';
import type { CustomRule, RuleField } from '../config.ts';
import { exportRules, mergeRules, parseRulesFile } from './rules-io.ts';

/** A rule as edited: every text field a string, so half-typed rules can live in the form. */
export interface RuleDraft {
  id: string;
  name: string;
  urlPattern: string;
  outputSelector: string;
  kind: TargetKind;
  enabled: boolean;
  promptSelector: string;
  promptUrlRegex: string;
  modelSelector: string;
  modelUrlRegex: string;
  subjectSelector: string;
  subjectUrlRegex: string;
}

export function draftOf(rule: CustomRule): RuleDraft {
  return {
    id: rule.id,
    name: rule.name ?? '',
    urlPattern: rule.urlPattern,
    outputSelector: rule.outputSelector,
    kind: rule.kind,
    enabled: rule.enabled,
    promptSelector: rule.prompt?.selector ?? '',
    promptUrlRegex: rule.prompt?.urlRegex ?? '',
    modelSelector: rule.model?.selector ?? '',
    modelUrlRegex: rule.model?.urlRegex ?? '',
    subjectSelector: rule.subject?.selector ?? '',
    subjectUrlRegex: rule.subject?.urlRegex ?? '',
  };
}

function field(selector: string, urlRegex: string): RuleField | undefined {
  const f: { selector?: string; urlRegex?: string } = {};
  if (selector.trim()) f.selector = selector.trim();
  if (urlRegex.trim()) f.urlRegex = urlRegex.trim();
  return f.selector || f.urlRegex ? (f as RuleField) : undefined;
}

/** The rule input for CustomRule.parse (which applies defaults and says what is wrong). */
export function ruleInputOf(d: RuleDraft): Record<string, unknown> {
  const input: Record<string, unknown> = {
    id: d.id,
    urlPattern: d.urlPattern,
    outputSelector: d.outputSelector,
    kind: d.kind,
    enabled: d.enabled,
    source: 'user',
  };
  if (d.name.trim()) input.name = d.name.trim();
  const prompt = field(d.promptSelector, d.promptUrlRegex);
  const model = field(d.modelSelector, d.modelUrlRegex);
  const subject = field(d.subjectSelector, d.subjectUrlRegex);
  if (prompt) input.prompt = prompt;
  if (model) input.model = model;
  if (subject) input.subject = subject;
  return input;
}

function emptyDraft(existing: RuleDraft[]): RuleDraft {
  let n = existing.length + 1;
  while (existing.some((r) => r.id === `rule-${n}`)) n++;
  return {
    id: `rule-${n}`, name: '', urlPattern: '', outputSelector: '', kind: 'error_analysis', enabled: true,
    promptSelector: '', promptUrlRegex: '', modelSelector: '', modelUrlRegex: '', subjectSelector: '', subjectUrlRegex: '',
  };
}

interface EditorProps {
  rules: RuleDraft[];
  errors: Record<number, string>;
  /** Gets an update function, so that changes made before the next render all count. */
  onChange(update: (rules: RuleDraft[]) => RuleDraft[]): void;
  /** Saves imported rules at once (merged by id with the saved ones). */
  onImport(rules: CustomRule[]): Promise<void>;
  /** The saved rules, for export. */
  saved: CustomRule[];
  download(filename: string, text: string): void;
  /** Whether a rule can run on its pages (RuleAccess.tsx), shown under it. */
  access?(rule: RuleDraft): ComponentChildren;
}

export function RulesEditor({ rules, errors, onChange, onImport, saved, download, access }: EditorProps) {
  const [json, setJson] = useState('');
  const [note, setNote] = useState('');

  const set = (i: number, patch: Partial<RuleDraft>) => onChange((all) => all.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const text = (i: number, key: keyof RuleDraft, label: string, placeholder = '') => (
    <label>
      {label}
      <input
        name={`rule-${i}-${key}`}
        value={rules[i]![key] as string}
        placeholder={placeholder}
        onInput={(e: JSX.TargetedEvent<HTMLInputElement>) => set(i, { [key]: e.currentTarget.value } as Partial<RuleDraft>)}
      />
    </label>
  );

  async function importText(source: string) {
    const res = parseRulesFile(source);
    if (res.error) {
      setNote(res.error);
      return;
    }
    const { replaced } = mergeRules(saved, res.rules);
    await onImport(res.rules);
    const parts = [`Imported ${res.rules.length} rule${res.rules.length === 1 ? '' : 's'}${replaced ? ` (${replaced} replaced)` : ''}.`];
    if (res.skipped.length) parts.push(`Skipped ${res.skipped.length}: ${res.skipped.join('; ')}`);
    setNote(parts.join(' '));
  }

  return (
    <section aria-labelledby="rules-title">
      <h2 id="rules-title">Custom rules</h2>
      <p class="muted">
        For pages no built-in site covers, such as an AI analysis in Airflow or Grafana: which pages (a URL with <code>*</code> wildcards, or
        a <code>/regex/</code>), and the CSS selector of each AI output to rate.
      </p>
      {rules.map((r, i) => (
        <fieldset key={i} data-gt="rule">
          <legend>{r.name || r.id || `Rule ${i + 1}`}</legend>
          <div class="grid">
            {text(i, 'id', 'Id')}
            {text(i, 'name', 'Name')}
            {text(i, 'urlPattern', 'Pages (URL pattern)', 'https://airflow.example.com/dags/*')}
            {text(i, 'outputSelector', 'AI output (CSS selector)', '.ai-analysis')}
            <label>
              Kind
              <select name={`rule-${i}-kind`} value={r.kind} onChange={(e) => set(i, { kind: e.currentTarget.value as TargetKind })}>
                {TARGET_KINDS.map((k) => (
                  <option value={k}>{k}</option>
                ))}
              </select>
            </label>
            <label class="check">
              <input type="checkbox" name={`rule-${i}-enabled`} checked={r.enabled} onChange={(e) => set(i, { enabled: e.currentTarget.checked })} /> On
            </label>
            {text(i, 'promptSelector', 'Prompt: CSS selector')}
            {text(i, 'promptUrlRegex', 'or URL regex')}
            {text(i, 'modelSelector', 'Model: CSS selector')}
            {text(i, 'modelUrlRegex', 'or URL regex')}
            {text(i, 'subjectSelector', 'Subject: CSS selector')}
            {text(i, 'subjectUrlRegex', 'or URL regex', 'dags/([^/]+)')}
          </div>
          {access?.(r)}
          {errors[i] ? (
            <p class="bad" role="alert" data-gt="rule-error">
              {errors[i]}
            </p>
          ) : null}
          <button type="button" class="link" onClick={() => onChange((all) => all.filter((_, j) => j !== i))}>
            Remove this rule
          </button>
        </fieldset>
      ))}
      <div class="actions">
        <button type="button" data-gt="add-rule" onClick={() => onChange((all) => [...all, emptyDraft(all)])}>
          Add a rule
        </button>
        <button
          type="button"
          data-gt="export-rules"
          onClick={() => {
            const out = exportRules(saved);
            setJson(out);
            download('groundtruth-rules.json', out);
            setNote(`Exported ${saved.length} saved rule${saved.length === 1 ? '' : 's'}.`);
          }}
        >
          Export JSON
        </button>
      </div>
      <label>
        Import: paste rules JSON here
        <textarea name="rulesJson" rows={5} value={json} onInput={(e) => setJson(e.currentTarget.value)} />
      </label>
      <div class="actions">
        <button type="button" data-gt="import-rules" onClick={() => void importText(json)}>
          Import pasted JSON
        </button>
        <label class="file">
          or choose a file{' '}
          <input
            type="file"
            name="rulesFile"
            accept="application/json,.json"
            onChange={async (e) => {
              const file = e.currentTarget.files?.[0];
              if (file) await importText(await file.text());
            }}
          />
        </label>
      </div>
      {note ? (
        <p data-gt="rules-note" role="status">
          {note}
        </p>
      ) : null}
    </section>
  );
}
