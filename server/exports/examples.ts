/**
 * Training examples from rated records, one prompt at a time. Records arrive ordered by
 * (prompt hash, example hash, created_at, id), so every record of one prompt is adjacent and,
 * within it, identical prompt+answer records are adjacent: they merge into one example with the
 * majority label while memory holds a single prompt's answers, never the whole set.
 *
 * Sides (with a split): each record has the side of its conversation. A merged example goes to
 * train if any of its records is on the train side; its copies on the validation side are then
 * dropped (counted as `leaksDropped`) so the same example is never on both sides. See
 * docs/decisions/0022-export-split-and-merging.md. Only records of one criterion reach the grouper
 * (withGateCriterion): their votes are the labels. Feedback on items arrives through `addParsed`
 * from item-reviews.ts, with the item's prompt and analysis (ADR 0037).
 */
import { DEFAULT_CRITERION } from '../../shared/schemas.ts';
import type { FeedbackTable } from '../store/schema.ts';
import { promptTurns, type ChatTurn, type StoredTarget } from './formats/chat.ts';
import { sideOf, splitKeyOf, type Side } from './split.ts';

export type ExampleSide = Side | 'all';

export interface ExampleRow extends FeedbackTable {
  prompt_hash: string;
  example_hash: string;
}

/** Where an example came from: its earliest record. */
export interface Origin {
  feedbackId: string;
  createdAt: string;
  model: string | null;
  intent: string | null;
  project: string | null;
}

/** How an answer became an example: a rated text output, or an item's analysis rated by its review (ADR 0037). */
export type AnswerHow = 'rated_output' | 'rated_analysis';
/** How a correction became one: a text correction, or an analysis corrected field by field. */
export type CorrectionHow = 'corrected_output' | 'corrected_analysis';

export interface Example {
  how: AnswerHow;
  output: string;
  up: number;
  down: number;
  /** Majority of the merged records' votes; null on a tie or without votes. */
  label: 'up' | 'down' | null;
  side: ExampleSide;
  records: number;
  origin: Origin;
}

export interface CorrectionExample {
  how: CorrectionHow;
  corrected: string;
  /** The answer it corrects ('' when the record had none). */
  original: string;
  side: ExampleSide;
  /** Records that made this same correction of the same answer (merged). */
  records: number;
  origin: Origin;
}

/** The columns of a record that grouping reads besides its parsed contents. */
export type ExampleMeta = Pick<
  FeedbackTable,
  'id' | 'created_at' | 'model' | 'intent' | 'project' | 'thumb' | 'stars' | 'conversation_id' | 'target_key'
>;

/** What one record brings to its prompt's group: an answer its vote rates, a correction, or both. */
export interface ParsedExample {
  promptHash: string;
  /** The prompt's turns (read once per group, from its first record). */
  prompt: () => ChatTurn[];
  /** `key`: identical answers to the prompt share it and merge. */
  answer?: { key: string; output: string; how: AnswerHow };
  correction?: { corrected: string; original: string; how: CorrectionHow };
}

export interface PromptGroup {
  promptHash: string;
  prompt: ChatTurn[];
  examples: Example[];
  corrections: CorrectionExample[];
}

export interface GroupCounts {
  read: number;
  examples: number;
  merged: number;
  leaksDropped: number;
}

interface StoredRecord {
  target: StoredTarget;
  correction?: { output?: string };
}

/**
 * The criterion whose votes gate training examples: the export's `criterion` filter, else
 * `overall` (the widget's thumbs), so a thumbs-down on `correctness` never turns an answer rated
 * up `overall` into a rejected one unless asked (docs/decisions/0030-criteria.md). Training formats
 * read only records of that criterion (their corrections included); record formats (jsonl, csv)
 * keep every criterion unless filtered. Set in the resolved filters, so manifests record it.
 */
export function withGateCriterion<F extends { criterion?: string }>(mode: 'records' | 'examples', filters: F): F {
  if (mode === 'records' || filters.criterion) return filters;
  return { ...filters, criterion: DEFAULT_CRITERION };
}

/**
 * A record's vote for training: its thumb, else its stars (4–5 up, 1–2 down, 3 none). Labels
 * alone carry no direction.
 */
export function voteOf(row: Pick<FeedbackTable, 'thumb' | 'stars'>): 'up' | 'down' | null {
  if (row.thumb) return row.thumb;
  if (row.stars != null) return row.stars >= 4 ? 'up' : row.stars <= 2 ? 'down' : null;
  return null;
}

function originOf(row: ExampleMeta): Origin {
  return { feedbackId: row.id, createdAt: row.created_at, model: row.model, intent: row.intent, project: row.project };
}

function earlier(a: Origin, b: Origin): boolean {
  return a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.feedbackId < b.feedbackId);
}

interface Pending<T> {
  value: T;
  sides: Set<ExampleSide>;
}

/** Accumulates one prompt's records; `add` returns the previous prompt's group when a new prompt starts. */
export class PromptGrouper {
  private promptHash: string | null = null;
  private prompt: ChatTurn[] = [];
  private examples = new Map<string, Pending<Example>>();
  private corrections = new Map<string, Pending<CorrectionExample>>();

  constructor(
    private readonly validationShare: number | null,
    readonly counts: GroupCounts,
  ) {}

  add(row: ExampleRow): PromptGroup | null {
    const record = JSON.parse(row.record ?? '{}') as StoredRecord;
    const output = record.target?.output ?? '';
    const corrected = record.correction?.output ?? '';
    return this.addParsed(row, {
      promptHash: row.prompt_hash,
      prompt: () => promptTurns(record.target ?? {}),
      answer: output.trim() ? { key: row.example_hash, output, how: 'rated_output' } : undefined,
      correction: corrected.trim() && corrected !== output ? { corrected, original: output, how: 'corrected_output' } : undefined,
    });
  }

  /** Adds one record's parsed contribution; returns the previous prompt's group when a new prompt starts. */
  addParsed(row: ExampleMeta, parsed: ParsedExample): PromptGroup | null {
    const done = parsed.promptHash !== this.promptHash ? this.flush() : null;
    this.counts.read++;
    if (this.promptHash === null) {
      this.promptHash = parsed.promptHash;
      this.prompt = parsed.prompt();
    }
    const side: ExampleSide = this.validationShare === null ? 'all' : sideOf(splitKeyOf(row), this.validationShare);
    const origin = originOf(row);
    const vote = voteOf(row);

    const answer = parsed.answer;
    if (answer) {
      const pending = this.examples.get(answer.key);
      if (pending) {
        const ex = pending.value;
        ex.records++;
        if (vote) ex[vote]++;
        if (earlier(origin, ex.origin)) ex.origin = origin;
        pending.sides.add(side);
      } else {
        const ex: Example = {
          how: answer.how,
          output: answer.output,
          up: vote === 'up' ? 1 : 0,
          down: vote === 'down' ? 1 : 0,
          label: null,
          side,
          records: 1,
          origin,
        };
        this.examples.set(answer.key, { value: ex, sides: new Set([side]) });
      }
    }
    const c = parsed.correction;
    if (c) {
      const key = JSON.stringify([c.corrected, c.original]);
      const pending = this.corrections.get(key);
      if (pending) {
        pending.value.records++;
        if (earlier(origin, pending.value.origin)) pending.value.origin = origin;
        pending.sides.add(side);
      } else {
        this.corrections.set(key, { value: { how: c.how, corrected: c.corrected, original: c.original, side, records: 1, origin }, sides: new Set([side]) });
      }
    }
    return done;
  }

  /** The group in progress (call once more at the end of the stream). */
  flush(): PromptGroup | null {
    if (this.promptHash === null) return null;
    const resolve = <T extends { side: ExampleSide }>(p: Pending<T>): T => {
      if (p.sides.size > 1) {
        p.value.side = 'train';
        this.counts.leaksDropped++;
      } else {
        p.value.side = [...p.sides][0]!;
      }
      return p.value;
    };
    const examples = [...this.examples.values()].map((p) => {
      const ex = resolve(p);
      ex.label = ex.up > ex.down ? 'up' : ex.down > ex.up ? 'down' : null;
      this.counts.examples++;
      this.counts.merged += ex.records - 1;
      return ex;
    });
    const group: PromptGroup = {
      promptHash: this.promptHash,
      prompt: this.prompt,
      examples,
      corrections: [...this.corrections.values()].map((p) => {
        const c = resolve(p);
        this.counts.merged += c.records - 1;
        return c;
      }),
    };
    this.promptHash = null;
    this.examples = new Map();
    this.corrections = new Map();
    return group;
  }
}
