/**
 * Background jobs tell readiness (readyz.ts) that they are alive (issue 18): each time a job arms
 * its next tick it says when that tick is due. A job whose due tick is overdue by more than its
 * grace — its loop hung or died — or that stopped makes `/readyz` fail.
 */
export interface JobBeat {
  /** When the next tick is due (ms since the epoch). */
  dueAt: number;
  stopped: boolean;
}

const jobs = new Map<string, JobBeat>();

/** A job armed its next tick, due in `inMs`. */
export function expectTick(name: string, inMs: number, now = Date.now()): void {
  jobs.set(name, { dueAt: now + inMs, stopped: false });
}

export function jobStopped(name: string): void {
  const beat = jobs.get(name);
  if (beat) beat.stopped = true;
}

/** The jobs seen, for readiness. */
export function jobBeats(): ReadonlyMap<string, JobBeat> {
  return jobs;
}

/** Tests: forget every job. */
export function resetJobBeats(): void {
  jobs.clear();
}
