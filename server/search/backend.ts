/**
 * The search interface the routes and the dashboard use. Two implementations with one contract:
 * SQLite FTS5 (sqlite-fts.ts) and PostgreSQL full-text search (postgres-fts.ts, tsvector + GIN).
 * Both index feedback records, subject notes and trace events in the same transaction that writes
 * them, match words as prefixes and "quoted words" as phrases (query.ts), return one hit per rated
 * target, and forget erased rows through triggers. See docs/decisions/0040-lexical-search.md.
 */
import type { Kysely, Transaction } from 'kysely';
import type { FeedbackInput } from '../../shared/schemas.ts';
import type { SubjectNotesTable } from '../store/dashboard-schema.ts';
import type { FeedbackChange } from '../store/feedback-changes.ts';
import type { DB } from '../store/schema.ts';
import type { SnippetPart } from './query.ts';

/** What a hit can be: a feedback record (standing for its target), a subject note, a trace event. */
export const SEARCH_SOURCES = ['feedback', 'note', 'event'] as const;
export type SearchSource = (typeof SEARCH_SOURCES)[number];

/** The lexical backends' names, as a search answer reports them. */
export const LEXICAL_BACKENDS = ['sqlite-fts5', 'postgres-fts'] as const;
export type LexicalBackendName = (typeof LEXICAL_BACKENDS)[number];

export interface SearchHit {
  source: SearchSource;
  /** The feedback id (the best-matching record of its target), the note id or the event id. */
  id: string;
  /** Feedback: the rated target's key (the hit stands for every live record on it); else null. */
  targetKey: string | null;
  /** Feedback: how many live records (raters, criteria) on this target matched; 1 for notes and events. */
  ratings: number;
  subject: string | null;
  model: string | null;
  at: string;
  /** 0..1: the mean rating of the target's matching records (null: no rating, e.g. a note). */
  quality: number | null;
  /** Text relevance alone (higher is better; scales differ between backends). */
  relevance: number;
  /** Relevance with the recency and rating boosts: the order of the list. */
  score: number;
  /** An excerpt with the matching words marked. */
  snippet: SnippetPart[];
}

export interface SearchOptions {
  limit: number;
  subject?: string;
  now?: number;
}

/** The columns of a trace event the index reads (server/store/items-tables.ts TraceEventsTable). */
export interface IndexableEvent {
  id: string;
  workspace_id: string;
  type: string;
  subject: string | null;
  data: string;
  at: string;
}

export interface SearchBackend {
  readonly name: LexicalBackendName;
  /** Keeps the index current; runs inside the transaction that changed the records. */
  indexFeedback(trx: Transaction<DB>, changes: FeedbackChange[]): Promise<void>;
  indexNote(db: Kysely<DB>, note: SubjectNotesTable): Promise<void>;
  /** Indexes appended trace events; call it in the transaction that inserts them. */
  indexEvents(trx: Kysely<any> | Transaction<any>, events: IndexableEvent[]): Promise<void>;
  search(db: Kysely<DB>, workspaceId: string, q: string, opts: SearchOptions): Promise<SearchHit[]>;
}

/** The searchable text of one record (or event), by field. */
export interface FeedbackTexts {
  prompt: string;
  answer: string;
  comment: string;
  correction: string;
}

export function feedbackTexts(record: FeedbackInput): FeedbackTexts {
  const fields = record.correction?.fields;
  const fieldText = fields
    ? Object.values(fields)
        .filter((v): v is string | number => typeof v === 'string' || typeof v === 'number')
        .join(' ')
    : '';
  return {
    prompt: record.target.prompt ?? '',
    answer: record.target.output ?? '',
    comment: record.comment ?? '',
    correction: `${record.correction?.output ?? ''} ${fieldText}`.trim(),
  };
}

/** The most text one event contributes to the index (a trace step is short; a pasted log is not). */
export const EVENT_TEXT_MAX_CHARS = 20_000;

/**
 * Whether an event is indexed. `feedback.*` events are not: the traces part stores the feedback
 * record each describes, and that record is indexed (one hit per target, not one per event too).
 */
export function isIndexedEvent(type: string): boolean {
  return !type.startsWith('feedback.');
}

/**
 * The searchable text of a trace event: every string value of its data (hypothesis text, SQL,
 * evidence, synthesis), keys named `id` or ending in `_id` / `Id` left out (identifiers are not
 * words); `comment` values count as what people wrote.
 */
export function eventTexts(data: string): FeedbackTexts {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    parsed = data;
  }
  const machine: string[] = [];
  const human: string[] = [];
  let budget = EVENT_TEXT_MAX_CHARS;
  const walk = (v: unknown, key: string, depth: number) => {
    if (budget <= 0 || depth > 8) return;
    if (typeof v === 'string') {
      if (key === 'id' || /(_id|Id)$/.test(key)) return;
      const text = v.slice(0, budget);
      budget -= text.length;
      (key === 'comment' ? human : machine).push(text);
    } else if (Array.isArray(v)) for (const x of v) walk(x, key, depth + 1);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k, depth + 1);
  };
  walk(parsed, '', 0);
  return { prompt: '', answer: machine.join('\n'), comment: human.join('\n'), correction: '' };
}
