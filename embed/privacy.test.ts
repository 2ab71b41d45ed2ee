import { describe, expect, it } from 'vitest';
import { redactFeedbackText } from '../shared/redact-feedback.ts';
import { sha256Hex } from '../shared/hash.ts';
import { applyEmbedPrivacy } from './privacy.ts';

const PROMPT = 'My key is AKIAIOSFODNN7EXAMPLE and my mail is jane.doe@example.com, why does login fail?';
const OUTPUT = 'Call +1 415 555 0100 or write to support@example.org; card 4111 1111 1111 1111 is declined.';

describe('embed privacy: the extension redaction, before anything is stored', () => {
  it('hashes the originals and redacts prompt, output, comment and correction exactly as redactFeedbackText', async () => {
    const draft = {
      target: { kind: 'chat_response' as const, key: 'k', url: 'https://app.example.com/', prompt: PROMPT, output: OUTPUT },
      rating: { thumb: 'down' as const },
      comment: 'mail me at jane.doe@example.com',
      correction: { output: 'Use token ghp_abcdefghijklmnopqrstuvwxyz0123456789', fields: { note: 'jane.doe@example.com' } },
    };
    const got = await applyEmbedPrivacy(draft);
    const expected = redactFeedbackText({ ...draft, target: { ...draft.target } }).feedback;
    expect(got.target.prompt).toBe(expected.target.prompt);
    expect(got.target.output).toBe(expected.target.output);
    expect(got.comment).toBe(expected.comment);
    expect(got.correction).toEqual(expected.correction);
    expect(JSON.stringify(got)).not.toMatch(/AKIAIOSFODNN7EXAMPLE|jane\.doe@example\.com|4111 1111|ghp_abc/);
    expect(got.target.promptHash).toBe(await sha256Hex(PROMPT));
    expect(got.target.outputHash).toBe(await sha256Hex(OUTPUT));
  });

  it('hashes only: no page text at all, the rater\'s comment kept (redacted)', async () => {
    const got = await applyEmbedPrivacy(
      { target: { kind: 'chat_response', key: 'k', prompt: PROMPT, output: OUTPUT }, rating: { thumb: 'up' }, comment: 'fine', correction: { output: 'x' } },
      { hashesOnly: true },
    );
    expect(got.target.prompt).toBeUndefined();
    expect(got.target.output).toBeUndefined();
    expect(got.correction).toBeUndefined();
    expect(got.target.outputHash).toBe(await sha256Hex(OUTPUT));
    expect(got.comment).toBe('fine');
  });
});
