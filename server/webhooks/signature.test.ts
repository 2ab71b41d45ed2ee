import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newWebhookSecret, signatureHeader, verifySignature } from './signature.ts';

describe('webhook signatures', () => {
  const secret = 'whsec_test';
  const body = '{"type":"feedback.negative"}';
  const now = new Date('2026-02-01T12:00:00Z');

  it('sign "<t>.<body>" with HMAC-SHA256 in hex, as a receiver would recompute it by hand', () => {
    const header = signatureHeader(secret, body, now);
    const t = now.getTime() / 1000;
    const hex = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(header).toBe(`t=${t},v1=${hex}`);
    expect(verifySignature(header, body, secret, { now })).toEqual({ ok: true, timestamp: t });
  });

  it('refuse a changed body, another secret, an old timestamp and a missing header', () => {
    const header = signatureHeader(secret, body, now);
    expect(verifySignature(header, body.replace('negative', 'positive'), secret, { now })).toMatchObject({ ok: false, reason: 'signature mismatch' });
    expect(verifySignature(header, body, 'whsec_other', { now })).toMatchObject({ ok: false });
    expect(verifySignature(header, body, secret, { now: new Date(now.getTime() + 301_000) })).toMatchObject({ ok: false, reason: 'timestamp outside tolerance' });
    expect(verifySignature(undefined, body, secret, { now })).toMatchObject({ ok: false });
    expect(verifySignature('t=abc,v1=00', body, secret, { now })).toMatchObject({ ok: false, reason: 'no timestamp' });
  });

  it('make 256-bit secrets that differ', () => {
    const a = newWebhookSecret();
    expect(a).toMatch(/^whsec_[\w-]{43}$/);
    expect(newWebhookSecret()).not.toBe(a);
  });
});
