/**
 * The review queue's conflicting windows (shared/items.ts itemFilterConflicts) as the one error both
 * the API (GET /v1/items) and the dashboard's queue pages answer: 400 `conflicting_parameters`.
 */
import { itemFilterConflicts, type ItemFilterValues } from '../../shared/items.ts';
import { ApiError } from './errors.ts';

export function refuseItemFilterConflicts(f: Pick<ItemFilterValues, 'date' | 'days' | 'since' | 'until'>): void {
  const conflicts = itemFilterConflicts(f);
  if (conflicts.length) throw new ApiError(400, 'conflicting_parameters', conflicts.map((x) => x.message).join('; '), { params: conflicts[0]!.params, conflicts });
}
