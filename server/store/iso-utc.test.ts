import { describe, expect, it } from 'vitest';
import { isoUtc } from './feedback.ts';

describe('isoUtc', () => {
  it('gives what toISOString gives, for texts it returns as they are and for those it converts', () => {
    const texts = [
      '2026-01-01T00:00:00.000Z',
      '0000-01-01T00:00:00.000Z',
      '9999-12-28T23:59:59.999Z',
      '2026-02-28T12:00:00.000Z',
      '2026-02-29T12:00:00.000Z', // moved to 03-01 by Date
      '2026-02-30T00:00:00.000Z',
      '2026-04-31T10:00:00.000Z',
      '2024-02-29T10:00:00.000Z',
      '2026-01-31T23:59:59.999Z',
      '2026-01-01T24:00:00.000Z',
      '2026-01-01T12:00:00Z',
      '2026-01-01T12:00:00.5Z',
      '2026-01-01T12:00:00.000+02:00',
      '2026-01-01T12:00:00.000-00:30',
    ];
    for (let i = 0; i < 2000; i++) texts.push(new Date(Date.UTC(1970, 0, 1) + i * 7_919_000_000 + i * 37).toISOString());
    for (const text of texts) expect(isoUtc(text), text).toBe(new Date(text).toISOString());
  });
});
