/**
 * The server's one clock (DESIGN, "Clocks"): the times the server stamps and hands out, and the
 * bound clients' times are checked against, come from here, so a test can set it (setClock).
 *
 * A client time more than MAX_CLOCK_SKEW_SECONDS ahead of it is refused with reason `clock_ahead`
 * at the HTTP edge (sync, POST/PATCH /v1/feedback); a time stored before that rule (year 9999)
 * is no longer followed (docs/decisions/0026-clocks-from-the-future.md).
 */
import { z } from 'zod';
import { CLOCK_AHEAD } from '../../shared/schemas.ts';
import { ApiError } from './errors.ts';

const realTime = () => Date.now();
let source: () => number = realTime;

/** The server's time now. */
export function clockNow(): Date {
  return new Date(source());
}

/** Sets the clock to a fixed time or a function of your own; returns what puts the previous one back. */
export function setClock(to: Date | number | (() => number)): () => void {
  const previous = source;
  if (typeof to === 'function') source = to;
  else {
    const ms = typeof to === 'number' ? to : to.getTime();
    source = () => ms;
  }
  return () => {
    source = previous;
  };
}

/** Back to the machine's clock. */
export function resetClock(): void {
  source = realTime;
}

export interface ClockAhead {
  /** Which time, as the client sent it (`updatedAt`, `feedback.createdAt`, …). */
  field: string;
  value: string;
  serverTime: string;
  maxClockSkewSeconds: number;
}

const IsoDateTime = z.iso.datetime({ offset: true });

/**
 * The first of a client's times more than `maxSkewSeconds` ahead of `at`. A value that is not an
 * ISO 8601 date-time is left to the schema, which names it more precisely.
 */
export function findClockAhead(times: Record<string, unknown>, maxSkewSeconds: number, at: Date = clockNow()): ClockAhead | undefined {
  const limit = at.getTime() + maxSkewSeconds * 1000;
  for (const [field, value] of Object.entries(times)) {
    if (typeof value !== 'string' || !IsoDateTime.safeParse(value).success) continue;
    if (Date.parse(value) > limit) return { field, value, serverTime: at.toISOString(), maxClockSkewSeconds: maxSkewSeconds };
  }
  return undefined;
}

function span(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 2 * 3600) return `${s} s`;
  if (s < 3 * 86_400) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} days`;
}

/** One readable line that starts with the machine-readable reason. */
export function clockAheadMessage(a: ClockAhead): string {
  const ahead = span(Date.parse(a.value) - Date.parse(a.serverTime));
  return (
    `${CLOCK_AHEAD}: ${a.field} ${a.value} is ${ahead} ahead of the server's clock (${a.serverTime}; at most ` +
    `${a.maxClockSkewSeconds} s allowed). Correct the clock from serverTime and send it again.`
  );
}

/** The 422 a single write gets (POST/PATCH /v1/feedback). */
export function clockAheadError(a: ClockAhead): ApiError {
  return new ApiError(422, CLOCK_AHEAD, clockAheadMessage(a), a);
}

/** Stored times after this one are ahead of the server's clock by more than the skew: any write beats them (ADR 0026). */
export function aheadAfter(at: Date, maxSkewSeconds: number): string {
  return new Date(at.getTime() + maxSkewSeconds * 1000).toISOString();
}

/**
 * The time of a write the server stamps itself (PATCH without updatedAt, DELETE, drop-in updates):
 * its clock, or just after the stored time when that one is ahead of the clock within the allowed
 * skew (last writer wins must see the change). A stored time further ahead came from a wrong clock
 * and is not followed: the write restarts from the server's clock (and wins, see aheadAfter).
 */
export function stampAfter(stored: string | undefined, at: Date, maxSkewSeconds: number): string {
  const next = stored === undefined ? NaN : Date.parse(stored) + 1;
  if (next > at.getTime() && next <= at.getTime() + maxSkewSeconds * 1000) return new Date(next).toISOString();
  return at.toISOString();
}

/** A record's createdAt kept by a server-stamped write, but never after its new updatedAt (a wrong clock's, ADR 0026). */
export function createdNotAfter(createdAt: string, updatedAt: string): string {
  return Date.parse(createdAt) > Date.parse(updatedAt) ? updatedAt : createdAt;
}
