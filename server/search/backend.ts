/**
 * The search interface the routes and the dashboard use. Two implementations: SQLite FTS5
 * (sqlite-fts.ts, the real one) and a LIKE scan for PostgreSQL until it gets its own index
 * (like-search.ts). See docs/decisions/0019-dashboard-server-rendered-and-search.md.
 */
import type { Kysely, Transaction } from 'kysely';
import type { FeedbackInput } from '../../shared/schemas.ts';
import type { SubjectNotesTable } from '../store/dashboard-schema.ts';
import type { FeedbackChange } from '../store/feedback-changes.ts';
import type { DB } from '../store/schema.ts';
import type { SnippetPart } from './query.ts';

export type SearchSource = 'feedback' | 'note';

export interface SearchHit {
  source: SearchSource;
  /** The feedback id or the note id. */
  id: string;
  subject: string | null;
  model: string | null;
  at: string;
  /** 0..1 from the rating (null: no rating, e.g. a note). */
  quality: number | null;
  /** Text relevance alone (higher is better). */
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

export interface SearchBackend {
  readonly name: 'sqlite-fts5' | 'like';
  /** Keeps the index current; runs inside the transaction that changed the records. */
  indexFeedback(trx: Transaction<DB>, changes: FeedbackChange[]): Promise<void>;
  indexNote(db: Kysely<DB>, note: SubjectNotesTable): Promise<void>;
  search(db: Kysely<DB>, workspaceId: string, q: string, opts: SearchOptions): Promise<SearchHit[]>;
}

/** The searchable text of one record, by field. */
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
