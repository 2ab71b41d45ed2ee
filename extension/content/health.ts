/**
 * Adapter health, counted in the page: once per page (and per URL in a single-page app) and per
 * built-in adapter, which layout found the answers, how many answers and user turns, and whether
 * the prompt, the model and the conversation id could be read — numbers and names only, never
 * page text (shared/site-health.ts). The background keeps the visits and sends them with sync to
 * servers that take them.
 *
 * A page with answers is counted at once. A page with user turns but no answers yet may still be
 * loading, or may be a layout the adapter no longer knows: it is counted once it has settled
 * (SETTLE_MS after the first sight of it, or earlier if answers appear).
 */
import type { SiteVisit } from '../../shared/site-health.ts';
import type { SiteAdapter, SiteSurvey } from '../sites/types.ts';

export const SETTLE_MS = 3000;
/** An event on document when a visit is counted (tests and benchmarks wait for it). */
const EVENT_VISIT = 'groundtruth:visit';

interface VisitReporter {
  /** After a scan: count the visits that are ready. */
  observe(adapters: readonly SiteAdapter[], url: URL): void;
}

export function createVisitReporter(send: (visit: SiteVisit) => void, signal: AbortSignal, settleMs = SETTLE_MS): VisitReporter {
  /** `${href} ${adapter id}` of visits counted, or waiting to settle. */
  const done = new Set<string>();
  const settling = new Map<string, ReturnType<typeof setTimeout>>();
  signal.addEventListener('abort', () => settling.forEach((timer) => clearTimeout(timer)), { once: true });

  function count(adapter: SiteAdapter, url: URL, surveyed?: SiteSurvey): SiteVisit | undefined {
    const survey = surveyed ?? adapter.survey?.(document);
    if (!survey) return undefined;
    let prompt = false;
    let model = false;
    let conversationId = adapter.conversationId(url) !== undefined;
    if (survey.answers > 0) {
      const answers = adapter.findAnswers(document);
      const last = answers[answers.length - 1];
      if (last) {
        try {
          const capture = adapter.capture(last, url);
          prompt = Boolean(capture.prompt);
          model = Boolean(capture.model);
          conversationId = Boolean(capture.conversationId);
        } catch {
          // Counted as not read: a capture that throws is what health is for.
        }
      }
    }
    return {
      at: new Date().toISOString(),
      site: adapter.site || url.hostname,
      adapter: adapter.id.slice(0, 64),
      layout: survey.layout.slice(0, 64),
      fallback: survey.fallback,
      ...(adapter.packVersion !== undefined ? { pack: adapter.packVersion } : {}),
      answers: survey.answers,
      userTurns: survey.userTurns,
      prompt,
      model,
      conversationId,
    };
  }

  function report(id: string, adapter: SiteAdapter, url: URL, survey?: SiteSurvey) {
    clearTimeout(settling.get(id));
    settling.delete(id);
    if (signal.aborted || done.has(id)) return;
    const visit = count(adapter, url, survey);
    if (!visit) return;
    done.add(id);
    send(visit);
    document.dispatchEvent(new CustomEvent(EVENT_VISIT, { detail: JSON.stringify(visit) }));
  }

  return {
    observe(adapters, url) {
      for (const adapter of adapters) {
        const id = `${url.href} ${adapter.id}`;
        if (done.has(id) || !adapter.survey) continue;
        const survey = adapter.survey(document);
        if (survey.answers > 0) report(id, adapter, url, survey);
        else if (survey.userTurns > 0 && !settling.has(id)) {
          settling.set(id, setTimeout(() => report(id, adapter, url), settleMs));
        }
      }
    },
  };
}
