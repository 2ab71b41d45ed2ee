import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestApp, makeFeedback, upsert } from '../../test/helpers/app.ts';
import { aheadAfter, clockAheadMessage, clockNow, findClockAhead, resetClock, setClock, stampAfter } from './clock.ts';

const T = new Date('2026-06-01T12:00:00.000Z');
const plus = (ms: number) => new Date(T.getTime() + ms).toISOString();

afterEach(() => resetClock());

describe('the server clock', () => {
  it('can be set by a test and put back', () => {
    const restore = setClock(T);
    expect(clockNow().toISOString()).toBe(T.toISOString());
    let ms = T.getTime();
    setClock(() => (ms += 1000));
    expect(clockNow().toISOString()).toBe(plus(1000));
    restore();
    // Back on the real clock: compared with Date frozen, so no time can pass between the two reads.
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2027-01-02T03:04:05.678Z') });
    try {
      expect(clockNow().toISOString()).toBe('2027-01-02T03:04:05.678Z');
    } finally {
      vi.useRealTimers();
    }
  });

  it('findClockAhead names the first time beyond the skew and leaves non-dates to the schema', () => {
    expect(findClockAhead({ updatedAt: plus(300_000) }, 300, T)).toBeUndefined();
    const a = findClockAhead({ updatedAt: plus(1000), 'feedback.createdAt': plus(300_001) }, 300, T);
    expect(a).toEqual({ field: 'feedback.createdAt', value: plus(300_001), serverTime: T.toISOString(), maxClockSkewSeconds: 300 });
    expect(clockAheadMessage(a!)).toMatch(/^clock_ahead: feedback\.createdAt .* is 300 s ahead of the server's clock/);
    expect(findClockAhead({ updatedAt: '9999-12-31', createdAt: 42 }, 300, T)).toBeUndefined();
    // An offset counts: 13:00+02:00 is 11:00Z.
    expect(findClockAhead({ updatedAt: '2026-06-01T13:00:00+02:00' }, 0, T)).toBeUndefined();
  });

  it('stampAfter follows a stored time within the skew, and not one from a clock far ahead', () => {
    expect(stampAfter(undefined, T, 300)).toBe(T.toISOString());
    expect(stampAfter(plus(-5000), T, 300)).toBe(T.toISOString());
    expect(stampAfter(T.toISOString(), T, 300)).toBe(plus(1));
    expect(stampAfter(plus(60_000), T, 300)).toBe(plus(60_001));
    expect(stampAfter('9999-12-31T23:59:59.999Z', T, 300)).toBe(T.toISOString());
    expect(aheadAfter(T, 300)).toBe(plus(300_000));
  });

  it("the sync answer's serverTime, receivedAt and the clock_ahead bound all come from it", async () => {
    const t = await createTestApp();
    const { token } = await t.token('rater');
    setClock(T);
    const fine = makeFeedback({ createdAt: plus(-1000), updatedAt: plus(299_000) });
    // The machine's clock is months past T: to the server's clock this is far ahead.
    const real = new Date(Date.now()).toISOString();
    const late = makeFeedback({ createdAt: real, updatedAt: real });
    const res = await t.call(token, 'POST', '/v1/sync', { clientId: 'c', mutations: [upsert(fine), upsert(late)] });
    const body = await res.json();
    expect(body.serverTime).toBe(T.toISOString());
    expect(body.results.map((r: { status: string }) => r.status)).toEqual(['applied', 'rejected']);
    expect(body.results[1]).toMatchObject({ reason: 'clock_ahead', error: expect.stringContaining(`server's clock (${T.toISOString()}`) });
    const got = await (await t.call(token, 'GET', `/v1/feedback/${fine.id}`)).json();
    expect(got.receivedAt).toBe(T.toISOString());
    await t.store.close();
  });
});
