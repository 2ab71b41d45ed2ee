/**
 * One investigation's trace turned into training examples of one task (seed 001's table):
 * - hypothesis_gen: alert + context → a hypothesis text (each `hypothesis.generated`), scored by
 *   the feedback on that hypothesis;
 * - hypothesis_rank: the investigation's hypotheses → which were accepted and rejected, and a
 *   ranking (accepted first, then unjudged, then rejected; by feedback score within each), scored
 *   by the feedback on the accepted ones;
 * - query_gen: hypothesis + schema → the SQL of each `query.planned`, scored by its query's feedback;
 * - synthesis: the evidence list → the root cause of each `synthesis.generated`, scored by its feedback.
 * Pure: the caller reads the events and the scores (examples.ts).
 */
import type { TrainingExample, TrainingTask } from '../../../shared/trace-training.ts';
import { confidenceOf, datasetTypeOf, issueTypeOf, stepIdOf, stepTextOf } from '../../../shared/trace-steps.ts';

export interface TraceStep {
  id: string;
  type: string;
  data: Record<string, unknown>;
  at: string;
}

export interface InvestigationTrace {
  investigationId: string;
  subject: string | null;
  /** Its events in arrival order, feedback events left out. */
  steps: TraceStep[];
}

/** An example before its score: the ids of the steps whose feedback scores it. */
export interface Candidate {
  example: Omit<TrainingExample, 'feedbackScore' | 'feedbackCount'>;
  scoredBy: string[];
}

export interface Built {
  candidates: Candidate[];
  incomplete: number;
}

function started(trace: InvestigationTrace): Record<string, unknown> {
  return trace.steps.find((s) => s.type === 'investigation.started')?.data ?? {};
}

/** The alert and context a model is given: investigation.started's data (its `alert` apart), and the subject. */
function alertInput(trace: InvestigationTrace): Record<string, unknown> {
  const { alert, ...context } = started(trace);
  return { alert: alert ?? null, context, subject: trace.subject };
}

function meta(trace: InvestigationTrace, task: TrainingTask, id: string, at: string) {
  const s = started(trace);
  return {
    id: `${task}:${trace.investigationId}:${id}`,
    taskType: task,
    datasetType: datasetTypeOf(s) ?? null,
    issueType: issueTypeOf(s) ?? null,
    investigationId: trace.investigationId,
    subject: trace.subject,
    createdAt: at,
  };
}

interface Hypothesis {
  id: string;
  text: string;
  at: string;
}

function hypotheses(trace: InvestigationTrace): { list: Hypothesis[]; incomplete: number } {
  const list: Hypothesis[] = [];
  let incomplete = 0;
  const seen = new Set<string>();
  for (const s of trace.steps) {
    if (s.type !== 'hypothesis.generated') continue;
    const id = stepIdOf('hypothesis', s.data);
    const text = stepTextOf('hypothesis', s.data);
    if (!id || !text) {
      incomplete++;
      continue;
    }
    if (seen.has(id)) continue;
    seen.add(id);
    list.push({ id, text, at: s.at });
  }
  return { list, incomplete };
}

function hypothesisGen(trace: InvestigationTrace): Built {
  const { list, incomplete } = hypotheses(trace);
  return {
    incomplete,
    candidates: list.map((h) => ({
      example: { ...meta(trace, 'hypothesis_gen', h.id, h.at), input: alertInput(trace), output: { hypothesis: h.text, hypothesisId: h.id } },
      scoredBy: [h.id],
    })),
  };
}

function hypothesisRank(trace: InvestigationTrace, scoreOf: (id: string) => number | null): Built {
  const { list } = hypotheses(trace);
  const verdict = new Map<string, 'accepted' | 'rejected'>();
  let last = '';
  for (const s of trace.steps) {
    if (s.type !== 'hypothesis.accepted' && s.type !== 'hypothesis.rejected') continue;
    const id = stepIdOf('hypothesis', s.data);
    if (!id) continue;
    verdict.set(id, s.type === 'hypothesis.accepted' ? 'accepted' : 'rejected'); // the latest verdict stands
    last = s.at;
  }
  if (list.length < 2 || verdict.size === 0) return { candidates: [], incomplete: verdict.size ? 1 : 0 };
  const group = (id: string) => (verdict.get(id) === 'accepted' ? 0 : verdict.get(id) === 'rejected' ? 2 : 1);
  const ranking = [...list]
    .sort((a, b) => group(a.id) - group(b.id) || (scoreOf(b.id) ?? -1) - (scoreOf(a.id) ?? -1))
    .map((h) => h.id);
  const accepted = list.filter((h) => verdict.get(h.id) === 'accepted').map((h) => h.id);
  const rejected = list.filter((h) => verdict.get(h.id) === 'rejected').map((h) => h.id);
  return {
    incomplete: 0,
    candidates: [
      {
        example: {
          ...meta(trace, 'hypothesis_rank', 'ranking', last),
          input: { ...alertInput(trace), hypotheses: list.map((h) => ({ id: h.id, text: h.text })) },
          output: { accepted, rejected, ranking },
        },
        scoredBy: accepted,
      },
    ],
  };
}

function queryGen(trace: InvestigationTrace): Built {
  const texts = new Map(hypotheses(trace).list.map((h) => [h.id, h.text]));
  const schema = started(trace).schema ?? null;
  const candidates: Candidate[] = [];
  let incomplete = 0;
  for (const s of trace.steps) {
    if (s.type !== 'query.planned') continue;
    const id = stepIdOf('query', s.data);
    const sql = stepTextOf('query', s.data);
    if (!id || !sql) {
      incomplete++;
      continue;
    }
    const hypothesisId = typeof s.data.hypothesis_id === 'string' ? s.data.hypothesis_id : null;
    candidates.push({
      example: {
        ...meta(trace, 'query_gen', id, s.at),
        input: {
          hypothesis: (hypothesisId && texts.get(hypothesisId)) ?? null,
          hypothesisId,
          schema: s.data.schema ?? schema,
          subject: trace.subject,
        },
        output: { query: sql, queryId: id },
      },
      scoredBy: [id],
    });
  }
  return { candidates, incomplete };
}

function synthesis(trace: InvestigationTrace): Built {
  const candidates: Candidate[] = [];
  let incomplete = 0;
  const evidence: Record<string, unknown>[] = [];
  for (const s of trace.steps) {
    if (s.type === 'evidence.collected' || s.type === 'evidence.evaluated') {
      const text = stepTextOf('evidence', s.data);
      if (text) evidence.push({ id: stepIdOf('evidence', s.data) ?? null, type: s.type, text, ...(confidenceOf(s.data) !== null ? { confidence: confidenceOf(s.data) } : {}) });
      continue;
    }
    if (s.type !== 'synthesis.generated') continue;
    const id = stepIdOf('synthesis', s.data);
    const text = stepTextOf('synthesis', s.data);
    if (!id || !text) {
      incomplete++;
      continue;
    }
    candidates.push({
      example: {
        ...meta(trace, 'synthesis', id, s.at),
        input: { ...alertInput(trace), evidence: [...evidence] },
        output: { synthesis: text, synthesisId: id, confidence: confidenceOf(s.data) },
      },
      scoredBy: [id],
    });
  }
  return { candidates, incomplete };
}

export function buildExamples(task: TrainingTask, trace: InvestigationTrace, scoreOf: (id: string) => number | null): Built {
  switch (task) {
    case 'hypothesis_gen':
      return hypothesisGen(trace);
    case 'hypothesis_rank':
      return hypothesisRank(trace, scoreOf);
    case 'query_gen':
      return queryGen(trace);
    case 'synthesis':
      return synthesis(trace);
  }
}

/** The step ids whose scores a task needs before building (ranking orders by them). */
export function stepIdsToScore(trace: InvestigationTrace): string[] {
  const ids: string[] = [];
  for (const s of trace.steps) {
    const kind = s.type.split('.')[0];
    if (kind === 'hypothesis' || kind === 'query' || kind === 'synthesis' || kind === 'evidence') {
      const id = stepIdOf(kind, s.data);
      if (id) ids.push(id);
    }
  }
  return ids;
}
