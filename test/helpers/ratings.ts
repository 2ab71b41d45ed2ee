/** Writes ratings through the real store path (applyMutations), grouped per rater, for insights and export tests. */
import { applyMutations } from '../../server/store/feedback.ts';
import type { Store } from '../../server/store/open.ts';
import { ensureWorkspace } from '../../server/store/tokens.ts';
import { uuidv7 } from '../../shared/ids.ts';

export interface RatingSpec {
  rater?: string;
  id?: string;
  key?: string;
  kind?: string;
  model?: string;
  intent?: string;
  project?: string;
  site?: string;
  conversationId?: string;
  thumb?: 'up' | 'down';
  stars?: number;
  label?: string;
  /** What the rating judges; absent: the record names none (`overall`). */
  criterion?: string;
  subject?: string;
  /** YYYY-MM-DD, or a full ISO date-time. */
  day?: string;
  prompt?: string;
  output?: string;
  messages?: { role: 'system' | 'user' | 'assistant' | 'tool'; content: string }[];
  correction?: string;
  comment?: string;
  tags?: string[];
  context?: Record<string, unknown>;
  alternatives?: string[];
}

let seq = 0;

export function feedbackFrom(spec: RatingSpec) {
  const createdAt = !spec.day ? new Date(Date.UTC(2026, 0, 1, 12, 0, seq++)).toISOString() : spec.day.length === 10 ? `${spec.day}T12:00:00.000Z` : spec.day;
  const id = spec.id ?? uuidv7();
  return {
    id,
    target: {
      kind: spec.kind ?? 'chat_response',
      key: spec.key ?? `key-${id}`,
      ...(spec.site ? { site: spec.site } : {}),
      ...(spec.model ? { model: spec.model } : {}),
      ...(spec.intent ? { intent: spec.intent } : {}),
      ...(spec.project ? { project: spec.project } : {}),
      ...(spec.conversationId ? { conversationId: spec.conversationId } : {}),
      ...(spec.subject ? { subject: spec.subject } : {}),
      ...(spec.prompt !== undefined ? { prompt: spec.prompt } : {}),
      ...(spec.messages ? { messages: spec.messages } : {}),
      ...(spec.output !== undefined ? { output: spec.output } : {}),
      ...(spec.alternatives ? { alternatives: spec.alternatives } : {}),
      ...(spec.context ? { context: spec.context } : {}),
    },
    rating: {
      ...(spec.thumb ? { thumb: spec.thumb } : {}),
      ...(spec.stars ? { stars: spec.stars } : {}),
      ...(spec.label ? { label: spec.label } : {}),
      ...(!spec.thumb && !spec.stars && !spec.label ? { label: 'seen' } : {}),
    },
    ...(spec.criterion ? { criterion: spec.criterion } : {}),
    ...(spec.comment ? { comment: spec.comment } : {}),
    ...(spec.correction ? { correction: { output: spec.correction } } : {}),
    ...(spec.tags ? { tags: spec.tags } : {}),
    createdAt,
    updatedAt: createdAt,
  };
}

/** Stores the ratings; returns their ids in order. Throws if any mutation was not applied. */
export async function seedRatings(store: Store, workspaceId: string, specs: RatingSpec[]): Promise<string[]> {
  await ensureWorkspace(store.db, workspaceId);
  const byRater = new Map<string, ReturnType<typeof feedbackFrom>[]>();
  const ids: string[] = [];
  for (const spec of specs) {
    const f = feedbackFrom(spec);
    ids.push(f.id);
    const rater = spec.rater ?? 'rater-1';
    byRater.set(rater, [...(byRater.get(rater) ?? []), f]);
  }
  for (const [raterId, list] of byRater) {
    for (let i = 0; i < list.length; i += 500) {
      const results = await applyMutations(
        store.db,
        { workspaceId, raterId, role: 'rater', tokenId: null, clientId: 'seed' },
        list.slice(i, i + 500).map((f) => ({ id: f.id, op: 'upsert', updatedAt: f.updatedAt, feedback: f })),
      );
      const bad = results.filter((r) => r.status !== 'applied');
      if (bad.length) throw new Error(`seed failed: ${JSON.stringify(bad.slice(0, 3))}`);
    }
  }
  return ids;
}
