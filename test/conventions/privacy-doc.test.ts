/**
 * docs/privacy.md tells raters and their IT departments exactly what the extension reads and
 * sends (issue 15). It drifts when code changes, so what can be checked is checked here: every
 * server route the extension calls is listed, every redaction kind and built-in site is named,
 * and the limits it quotes are the code's.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTEXT_CHARS } from '../../extension/content/quote.ts';
import { LIMITS } from '../../shared/limits.ts';
import { REDACTION_KINDS, type RedactionKind } from '../../shared/redact.ts';
import { BUILTIN_SITE_IDS } from '../../shared/sites.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DOC = fs.readFileSync(path.join(ROOT, 'docs/privacy.md'), 'utf8').replace(/\s+/g, ' ');

function sourcesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourcesUnder(p);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [p] : [];
  });
}

/** How the doc names each kind (shared/redact.ts). */
const KIND_WORDS: Record<RedactionKind, string> = {
  private_key: 'private keys',
  jwt: 'JWTs',
  anthropic: 'Anthropic',
  openai: 'OpenAI',
  github: 'GitHub',
  aws_access_key: 'AWS',
  aws_secret_key: 'AWS',
  slack: 'Slack',
  email: 'emails',
  iban: 'IBANs',
  card: 'card numbers',
  ip: 'IP addresses',
  phone: 'phone numbers',
};

const SITE_WORDS: Record<string, string> = {
  chatgpt: 'ChatGPT',
  claude: 'Claude',
  gemini: 'Gemini',
  perplexity: 'Perplexity',
  copilot: 'Copilot',
  grok: 'Grok',
  deepseek: 'DeepSeek',
  mistral: 'Mistral',
  meta: 'Meta AI',
};

describe('docs/privacy.md', () => {
  it('lists every server route the extension calls', () => {
    const routes = new Set<string>();
    for (const file of sourcesUnder(path.join(ROOT, 'extension'))) {
      // The typed client (ADR 0032): api.v1.sync.$post, api.v1['extension-config'].$get, …
      for (const m of fs.readFileSync(file, 'utf8').matchAll(/\.v1(?:\.([a-z]+)|\['([a-z-]+)'\])\.\$(get|post|put|patch|delete)/g)) {
        routes.add(`${m[3]!.toUpperCase()} /v1/${m[1] ?? m[2]}`);
      }
    }
    expect(routes.size).toBeGreaterThan(3);
    for (const route of routes) expect(DOC, route).toContain(route);
  });

  it('names every kind of redaction and every built-in site', () => {
    for (const kind of REDACTION_KINDS) expect(DOC, kind).toContain(KIND_WORDS[kind]);
    for (const id of BUILTIN_SITE_IDS) expect(DOC, id).toContain(SITE_WORDS[id] ?? `(no words for ${id})`);
  });

  it('quotes the limits the code keeps', () => {
    expect(DOC).toContain(`up to ${LIMITS.messagesMax} earlier turns`);
    expect(DOC).toContain(`up to ${LIMITS.alternativesMax})`);
    expect(DOC).toContain(`up to ${CONTEXT_CHARS} characters just before and after it`);
  });
});
