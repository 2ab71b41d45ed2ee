/** Small phrases the popup and options pages show: times and states in plain words. */
import type { Rating } from '../../shared/schemas.ts';

const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** "just now", "2 minutes ago", "in 30 seconds". */
export function relativeTime(at: number, now: number = Date.now()): string {
  const diff = at - now;
  const abs = Math.abs(diff);
  if (abs < 5_000) return diff > 0 ? 'in a few seconds' : 'just now';
  if (abs < 60_000) return rtf.format(Math.round(diff / 1000), 'second');
  if (abs < 3_600_000) return rtf.format(Math.round(diff / 60_000), 'minute');
  if (abs < 86_400_000) return rtf.format(Math.round(diff / 3_600_000), 'hour');
  return rtf.format(Math.round(diff / 86_400_000), 'day');
}

export function ratingText(rating: Rating | undefined): string {
  if (!rating) return '';
  const parts: string[] = [];
  // Words, not emoji: not every system has an emoji font.
  if (rating.thumb) parts.push(rating.thumb === 'up' ? 'thumbs up' : 'thumbs down');
  if (rating.stars) parts.push(`${'★'.repeat(rating.stars)}${'☆'.repeat(5 - rating.stars)}`);
  if (rating.label) parts.push(rating.label);
  return parts.join(' ');
}

export const STATE_WORDS = {
  pending: 'waiting to sync',
  synced: 'synced',
  rejected: 'not accepted',
} as const;

/** The popup's line for the rater's review queues: "1 to review", "12 to review". */
export function toReviewText(n: number): string {
  return `${n} to review`;
}

/** One queue in that line: "Daily errors (3)". */
export function queueLinkText(name: string, n: number): string {
  return `${name} (${n})`;
}
