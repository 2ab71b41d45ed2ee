import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HEALTH_RULE } from '../../shared/site-health.ts';
import { figures, isBad, isHealthy, judge, runStreak, type WindowCounts } from './rule.ts';
import { visitTime, VISIT_MAX_AGE_DAYS } from './visits.ts';

const empty: WindowCounts = {
  visits: 0,
  clients: 0,
  withAnswers: 0,
  promptBase: 0,
  promptBaseClients: 0,
  withPrompt: 0,
  noAnswers: 0,
  noAnswersClients: 0,
  firstNoAnswersAt: null,
  firstNoPromptAt: null,
};
const { minVisits, minClients, minPromptShare, healthyToRecover } = HEALTH_RULE;

describe('the health rule', () => {
  it('calls a visit healthy, bad or neutral', () => {
    expect(isHealthy({ answers: 1, userTurns: 1, prompt: true })).toBe(true);
    expect(isHealthy({ answers: 1, userTurns: 0, prompt: false })).toBe(true); // nothing to read the prompt from
    expect(isBad({ answers: 0, userTurns: 1, prompt: false })).toBe(true);
    expect(isBad({ answers: 3, userTurns: 1, prompt: false })).toBe(true);
    const empty = { answers: 0, userTurns: 0, prompt: false };
    expect(isHealthy(empty) || isBad(empty)).toBe(false);
  });

  it('is broken (no answers) at minVisits bad visits from minClients clients, since the first one', () => {
    const w = { ...empty, visits: minVisits, clients: minClients, noAnswers: minVisits, noAnswersClients: minClients, firstNoAnswersAt: '2026-11-30T23:59:00.000Z' };
    expect(judge(w)).toEqual({ reason: 'no_answers', since: '2026-11-30' });
    expect(judge({ ...w, noAnswers: minVisits - 1 })).toBeNull();
    expect(judge({ ...w, noAnswersClients: minClients - 1 })).toBeNull();
  });

  it('is broken (no prompt) when the prompt share of visits with answers falls under minPromptShare', () => {
    const n = 10;
    const w = { ...empty, visits: n, clients: 2, withAnswers: n, promptBase: n, promptBaseClients: minClients, firstNoPromptAt: '2026-12-01T00:00:00Z' };
    const atShare = Math.ceil(n * minPromptShare);
    expect(judge({ ...w, withPrompt: atShare - 1 })).toEqual({ reason: 'no_prompt', since: '2026-12-01' });
    expect(judge({ ...w, withPrompt: atShare })).toBeNull(); // exactly the threshold is not under it
    expect(judge({ ...w, promptBase: minVisits - 1, withPrompt: 0 })).toBeNull();
    expect(judge({ ...w, promptBaseClients: 1, withPrompt: 0 })).toBeNull();
  });

  it('prefers no_answers when both hold', () => {
    const w = { ...empty, noAnswers: 9, noAnswersClients: 3, firstNoAnswersAt: '2026-12-02T00:00:00Z', promptBase: 9, promptBaseClients: 3, firstNoPromptAt: '2026-12-01T00:00:00Z' };
    expect(judge(w)?.reason).toBe('no_answers');
  });

  it('figures are shares of the window, null when there is nothing to divide', () => {
    expect(figures({ visits: 4, clients: 2, withAnswers: 3, promptBase: 2, withPrompt: 1 })).toEqual({ visits: 4, clients: 2, answersShare: 0.75, promptShare: 0.5 });
    expect(figures({ visits: 0, clients: 0, withAnswers: 0, promptBase: 0, withPrompt: 0 })).toMatchObject({ answersShare: null, promptShare: null });
  });

  it('recovers after healthyToRecover healthy visits in a row; a bad one resets, a neutral one does not', () => {
    const good = { answers: 1, userTurns: 1, prompt: true };
    const bad = { answers: 0, userTurns: 1, prompt: false };
    const neutral = { answers: 0, userTurns: 0, prompt: false };
    const almost = Array(healthyToRecover - 1).fill(good);
    expect(runStreak(0, [...almost, bad, good])).toEqual({ streak: 1, recoveredBy: null });
    expect(runStreak(0, [...almost, neutral])).toEqual({ streak: healthyToRecover - 1, recoveredBy: null });
    const last = { ...good, answers: 7 };
    expect(runStreak(1, [...Array(healthyToRecover - 2).fill(good), last, good])).toEqual({ streak: healthyToRecover, recoveredBy: last });
  });
});

describe('visit times', () => {
  const received = new Date('2026-12-10T12:00:00.000Z');
  it('keep the client time unless it is in the future or too old', () => {
    expect(visitTime('2026-12-10T11:00:00+01:00', received)).toBe('2026-12-10T10:00:00.000Z');
    expect(visitTime('2026-12-10T12:00:01Z', received)).toBe(received.toISOString());
    expect(visitTime(new Date(received.getTime() - VISIT_MAX_AGE_DAYS * 86_400_000).toISOString(), received)).toBe('2026-12-03T12:00:00.000Z');
    expect(visitTime(new Date(received.getTime() - VISIT_MAX_AGE_DAYS * 86_400_000 - 1).toISOString(), received)).toBe(received.toISOString());
  });
});

describe('the operator guide', () => {
  it('states the rule with the numbers HEALTH_RULE holds', () => {
    const doc = fs.readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf('## 9. Adapter health'));
    for (const phrase of [
      `last ${HEALTH_RULE.windowHours} hours`,
      `at least ${minVisits} visits`,
      `at least ${minClients} different clients`,
      `under ${minPromptShare * 100} %`,
      `after ${healthyToRecover} healthy visits in a row`,
      `more than ${VISIT_MAX_AGE_DAYS} days back`,
    ]) {
      expect(section).toContain(phrase);
    }
  });
});
