/**
 * Custom rules as a JSON file: what "Export" writes and "Import" reads. The file is
 * `{ "groundtruthRules": 1, "rules": [...] }`; a bare array of rules is accepted too (and the
 * `rules` of a published config, so an admin can import what they publish).
 */
import { describeZodError } from '../../shared/schemas.ts';
import { CustomRule } from '../config.ts';

const RULES_FILE_VERSION = 1;

export function exportRules(rules: CustomRule[]): string {
  const clean = rules.map(({ source: _source, ...rest }) => rest);
  return `${JSON.stringify({ groundtruthRules: RULES_FILE_VERSION, rules: clean }, null, 2)}\n`;
}

interface ImportResult {
  rules: CustomRule[];
  /** Entries that are not usable rules, with the reason in words. */
  skipped: string[];
  /** Set when the text is not a rules file at all. */
  error?: string;
}

export function parseRulesFile(text: string): ImportResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { rules: [], skipped: [], error: 'This is not JSON. Paste or choose a file exported by Groundtruth.' };
  }
  const list = Array.isArray(data) ? data : data && typeof data === 'object' && Array.isArray((data as { rules?: unknown }).rules) ? (data as { rules: unknown[] }).rules : undefined;
  if (!list) return { rules: [], skipped: [], error: 'No rules found: expected { "rules": [ … ] } or a list of rules.' };
  const out: ImportResult = { rules: [], skipped: [] };
  list.forEach((raw, i) => {
    const parsed = CustomRule.safeParse(raw && typeof raw === 'object' ? { ...raw, source: 'user' } : raw);
    if (parsed.success) out.rules.push(parsed.data);
    else out.skipped.push(`rule ${i + 1}${raw && typeof raw === 'object' && 'id' in raw ? ` (${String((raw as { id: unknown }).id)})` : ''}: ${describeZodError(parsed.error)}`);
  });
  return out;
}

/** Imported rules replace rules with the same id and are added after the others. */
export function mergeRules(current: CustomRule[], incoming: CustomRule[]): { rules: CustomRule[]; replaced: number } {
  const ids = new Set(incoming.map((r) => r.id));
  const kept = current.filter((r) => !ids.has(r.id));
  return { rules: [...kept, ...incoming], replaced: current.length - kept.length };
}
