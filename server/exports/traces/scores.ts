/**
 * The feedback score of trace steps: the mean quality (shared/trace-feedback.ts ratingScore, 0–1)
 * of the live feedback on each `trace:<id>` target, with how many records it rests on. The
 * training examples and the knowledge per subject both read it.
 */
import type { Kysely } from 'kysely';
import { traceTargetKey } from '../../../shared/trace-feedback.ts';
import { ratingScore } from '../../../shared/trace-feedback.ts';
import { chunks } from '../../lib/chunks.ts';
import type { DB } from '../../store/schema.ts';

export interface StepScore {
  score: number | null;
  count: number;
  up: number;
  down: number;
}

export const NO_SCORE: StepScore = { score: null, count: 0, up: 0, down: 0 };

/** Scores by step id (not target key) for the ids given, within one workspace. */
export async function stepScores(db: Kysely<DB>, workspaceId: string, stepIds: Iterable<string>): Promise<Map<string, StepScore>> {
  const ids = [...new Set(stepIds)];
  const byKey = new Map(ids.map((id) => [traceTargetKey(id), id]));
  const sums = new Map<string, { sum: number; n: number; count: number; up: number; down: number }>();
  for (const part of chunks([...byKey.keys()], 500)) {
    const rows = await db
      .selectFrom('feedback')
      .select(['target_key', 'thumb', 'stars'])
      .where('workspace_id', '=', workspaceId)
      .where('deleted', '=', 0)
      .where('target_key', 'in', part)
      .execute();
    for (const r of rows) {
      const acc = sums.get(r.target_key) ?? { sum: 0, n: 0, count: 0, up: 0, down: 0 };
      const s = ratingScore({ thumb: r.thumb as 'up' | 'down' | null, stars: r.stars });
      acc.count++;
      if (r.thumb === 'up') acc.up++;
      if (r.thumb === 'down') acc.down++;
      if (s !== null) {
        acc.sum += s;
        acc.n++;
      }
      sums.set(r.target_key, acc);
    }
  }
  const out = new Map<string, StepScore>();
  for (const [key, acc] of sums) {
    out.set(byKey.get(key)!, { score: acc.n ? acc.sum / acc.n : null, count: acc.count, up: acc.up, down: acc.down });
  }
  return out;
}
