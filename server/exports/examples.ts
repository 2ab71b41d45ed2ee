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
 * (withGateCriterion): their votes are the labels.
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

export interface Example {
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
  corrected: string;
  /** The answer it corrects ('' when the record had none). */
  original: string;
  side: ExampleSide;
  origin: Origin;
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

function originOf(row: FeedbackTable): Origin {
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
    const done = row.prompt_hash !== this.promptHash ? this.flush() : null;
    this.counts.read++;
    const record = JSON.parse(row.record ?? '{}') as StoredRecord;
    if (this.promptHash === null) {
      this.promptHash = row.prompt_hash;
      this.prompt = promptTurns(record.target ?? {});
    }
    const side: ExampleSide = this.validationShare === null ? 'all' : sideOf(splitKeyOf(row), this.validationShare);
    const origin = originOf(row);
    const vote = voteOf(row);
    const output = record.target?.output ?? '';

    if (output.trim()) {
      const pending = this.examples.get(row.example_hash);
      if (pending) {
        const ex = pending.value;
        ex.records++;
        if (vote) ex[vote]++;
        if (earlier(origin, ex.origin)) ex.origin = origin;
        pending.sides.add(side);
      } else {
        const ex: Example = { output, up: vote === 'up' ? 1 : 0, down: vote === 'down' ? 1 : 0, label: null, side, records: 1, origin };
        this.examples.set(row.example_hash, { value: ex, sides: new Set([side]) });
      }
    }
    const corrected = record.correction?.output ?? '';
    if (corrected.trim() && corrected !== output) {
      const key = JSON.stringify([corrected, output]);
      const pending = this.corrections.get(key);
      if (pending) {
        if (earlier(origin, pending.value.origin)) pending.value.origin = origin;
        pending.sides.add(side);
      } else {
        this.corrections.set(key, { value: { corrected, original: output, side, origin }, sides: new Set([side]) });
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
      corrections: [...this.corrections.values()].map(resolve),
    };
    this.promptHash = null;
    this.examples = new Map();
    this.corrections = new Map();
    return group;
  }
}
