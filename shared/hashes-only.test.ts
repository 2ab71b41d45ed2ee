import { describe, expect, it } from 'vitest';
import { privateFeedback } from '../test/fixtures/private-feedback.ts';
import { sha256Hex } from './hash.ts';
import { hashesOnly } from './hashes-only.ts';
import { redactFeedbackText } from './redact-feedback.ts';
import { FeedbackInput } from './schemas.ts';

describe('hashesOnly', () => {
  it('keeps SHA-256 of the original prompt and output and drops the page text', async () => {
    const original = privateFeedback();
    const hashed = await hashesOnly(original);

    expect(hashed.target.promptHash).toBe(await sha256Hex(original.target.prompt!));
    expect(hashed.target.outputHash).toBe(await sha256Hex(original.target.output!));
    expect(hashed.target.promptHash).toMatch(/^[0-9a-f]{64}$/);
    for (const field of ['prompt', 'output', 'messages', 'alternatives', 'quote'] as const) {
      expect(hashed.target).not.toHaveProperty(field);
    }
    expect(hashed.correction).toEqual({ fields: original.correction!.fields });
    expect(JSON.stringify(hashed)).not.toContain('taro@example.com');
    expect(JSON.stringify(hashed)).not.toContain('4111');
    expect(hashed.target.key).toBe(original.target.key);
    expect(hashed.target.model).toBe('gpt-5');
    expect(FeedbackInput.safeParse(hashed).success).toBe(true);
    expect(original.target.prompt).toBe('My email is taro@example.com, fix my config'); // not mutated
  });

  it('hashes the original text even when the rater comment is redacted afterwards', async () => {
    const original = privateFeedback();
    const { feedback } = redactFeedbackText(await hashesOnly(original));
    expect(feedback.target.outputHash).toBe(await sha256Hex(original.target.output!));
    expect(feedback.comment).toBe('Leaked my IBAN [IBAN]');
    expect(feedback.correction).toEqual({ fields: { reasoning: 'mentions [IP]', severity: 'high' } });
  });

  it('drops a correction that only held text, and keeps hashes already given', async () => {
    const promptHash = await sha256Hex('earlier prompt');
    const hashed = await hashesOnly({
      target: { kind: 'other', key: 'k', promptHash, output: '' },
      rating: { thumb: 'up' },
      correction: { output: 'better answer' },
    });
    expect(hashed).toEqual({
      target: { kind: 'other', key: 'k', promptHash, outputHash: await sha256Hex('') },
      rating: { thumb: 'up' },
    });
  });
});
