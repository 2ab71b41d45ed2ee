/**
 * The rule that flags a site as broken and the one that ends the incident, as pure functions over
 * what the store counted (HEALTH_RULE in shared/site-health.ts holds every threshold).
 *
 * - A visit is *healthy* when answers were found and either the prompt was read or there was no
 *   user turn to read it from (monitoring tools show analyses without a prompt).
 * - A visit is *bad* when it saw user turns and is not healthy: no answers, or answers without the
 *   prompt. Visits with neither (an empty new chat) say nothing and are neutral.
 * - Broken, `no_answers`: at least minVisits visits with user turns and 0 answers, from at least
 *   minClients clients, in the window.
 * - Broken, `no_prompt`: at least minVisits visits with answers and user turns, from at least
 *   minClients clients, of which under minPromptShare had the prompt read. Visits without user
 *   turns are left out of this share on purpose, the same way they count as healthy: otherwise a
 *   site without prompts would recover and break again in a loop.
 */
import { HEALTH_RULE } from '../../shared/site-health.ts';
import type { IncidentReason } from './tables.ts';

export interface VisitCounts {
  answers: number;
  userTurns: number;
  prompt: boolean;
}

export const isHealthy = (v: VisitCounts): boolean => v.answers > 0 && (v.prompt || v.userTurns === 0);
export const isBad = (v: VisitCounts): boolean => v.userTurns > 0 && !isHealthy(v);

/** What the store counted over one site's window (server/health/window.ts). */
export interface WindowCounts {
  visits: number;
  clients: number;
  /** Visits with answers > 0. */
  withAnswers: number;
  /** Visits with answers and user turns: the base of the prompt share. */
  promptBase: number;
  promptBaseClients: number;
  /** Of promptBase, the visits whose prompt was read. */
  withPrompt: number;
  /** Visits with user turns and 0 answers. */
  noAnswers: number;
  noAnswersClients: number;
  firstNoAnswersAt: string | null;
  /** First visit with answers and user turns but no prompt. */
  firstNoPromptAt: string | null;
}

export interface Verdict {
  reason: IncidentReason;
  /** UTC day of the first bad visit of that kind in the window. */
  since: string;
}

const dayOf = (iso: string) => iso.slice(0, 10);
const share = (part: number, whole: number) => (whole > 0 ? part / whole : null);

/** Whether the window says "broken", and why; `no_answers` wins when both hold. */
export function judge(w: WindowCounts): Verdict | null {
  const { minVisits, minClients, minPromptShare } = HEALTH_RULE;
  if (w.noAnswers >= minVisits && w.noAnswersClients >= minClients && w.firstNoAnswersAt) {
    return { reason: 'no_answers', since: dayOf(w.firstNoAnswersAt) };
  }
  if (w.promptBase >= minVisits && w.promptBaseClients >= minClients && w.withPrompt / w.promptBase < minPromptShare && w.firstNoPromptAt) {
    return { reason: 'no_prompt', since: dayOf(w.firstNoPromptAt) };
  }
  return null;
}

export interface Figures {
  visits: number;
  clients: number;
  /** Share of the visits with answers found. */
  answersShare: number | null;
  /** Share of the visits with answers and user turns whose prompt was read. */
  promptShare: number | null;
}

export function figures(w: Pick<WindowCounts, 'visits' | 'clients' | 'withAnswers' | 'promptBase' | 'withPrompt'>): Figures {
  return { visits: w.visits, clients: w.clients, answersShare: share(w.withAnswers, w.visits), promptShare: share(w.withPrompt, w.promptBase) };
}

/**
 * Runs an open incident's healthy streak over new visits (in the order they happened): healthy
 * ones add one, bad ones reset it, neutral ones change nothing. Returns the streak and the visit
 * that completed the recovery, if one did (the rest are not counted).
 */
export function runStreak<V extends VisitCounts>(streak: number, visits: V[]): { streak: number; recoveredBy: V | null } {
  for (const v of visits) {
    if (isHealthy(v)) streak++;
    else if (isBad(v)) streak = 0;
    if (streak >= HEALTH_RULE.healthyToRecover) return { streak, recoveredBy: v };
  }
  return { streak, recoveredBy: null };
}
