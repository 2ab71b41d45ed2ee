/** Adapter health visits for tests, and sending them the way the extension does (POST /v1/sync). */
import type { SiteVisit } from '../../shared/site-health.ts';

/** A healthy visit on chatgpt.com, counted now; override what the test is about. */
export function siteVisit(overrides: Partial<SiteVisit> = {}): SiteVisit {
  return {
    at: new Date().toISOString(),
    site: 'chatgpt.com',
    adapter: 'chatgpt',
    layout: '2026-09',
    fallback: false,
    answers: 2,
    userTurns: 2,
    prompt: true,
    model: true,
    conversationId: true,
    ...overrides,
  };
}

/** User turns found, but no answers: the adapter's answer selectors no longer match. */
export const noAnswersVisit = (overrides: Partial<SiteVisit> = {}) =>
  siteVisit({ answers: 0, prompt: false, model: false, layout: 'none', ...overrides });

/** Answers found, but not the prompt. */
export const noPromptVisit = (overrides: Partial<SiteVisit> = {}) => siteVisit({ prompt: false, ...overrides });

/** `n` copies of a visit, a minute apart, the last at `last` (default: now). */
export function visitsBefore(n: number, make: (at: string) => SiteVisit, last = Date.now()): SiteVisit[] {
  return Array.from({ length: n }, (_, i) => make(new Date(last - (n - 1 - i) * 60_000).toISOString()));
}

type Call = (token: string, method: string, url: string, body?: unknown) => Response | Promise<Response>;

/** Sends visits with an empty sync batch, as the extension does between ratings. */
export function syncVisits(call: Call, token: string, clientId: string, health: unknown[], mutations: unknown[] = []) {
  return Promise.resolve(call(token, 'POST', '/v1/sync', { clientId, mutations, health }));
}
