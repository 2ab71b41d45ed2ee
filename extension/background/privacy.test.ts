/**
 * fitTarget clips what the description of the record (shared/feedback-fields.ts) marks as page
 * text, each to its limit and by its shape, so an overlong page never makes a rating unsendable:
 * the result is a valid Target however long the page was.
 */
import { describe, expect, it } from 'vitest';
import { CLIPPED_TARGET_TEXT } from '../../shared/feedback-fields.ts';
import { LIMITS } from '../../shared/limits.ts';
import { Target } from '../../shared/schemas.ts';
import { fitTarget } from './privacy.ts';

const long = (n: number, c = 'x') => c.repeat(n + 7);

describe('fitTarget', () => {
  it('fits every described target text to its limit, and the result is a valid Target', () => {
    const huge: Record<string, unknown> = { kind: 'chat_response', key: 'k' };
    for (const { key, text } of CLIPPED_TARGET_TEXT) {
      const max = LIMITS[text.clip];
      huge[key] =
        text.shape === 'string' ? long(max)
        : text.shape === 'list' ? Array.from({ length: LIMITS.alternativesMax + 3 }, (_, i) => long(max, String(i % 10)))
        : text.shape === 'messages' ? Array.from({ length: LIMITS.messagesMax + 3 }, (_, i) => ({ role: 'user', content: `${i}:${long(max)}` }))
        : { exact: long(max), prefix: long(1000), suffix: long(1000) };
    }
    expect(Target.safeParse(huge).success).toBe(false);
    const fitted = fitTarget(huge as Target);
    expect(Target.safeParse(fitted).error).toBeUndefined();
    for (const { key, text } of CLIPPED_TARGET_TEXT) {
      const v = (fitted as Record<string, unknown>)[key];
      if (text.shape === 'string') expect((v as string).length, key).toBe(LIMITS[text.clip]);
    }
    // The newest turns are kept, the first alternatives.
    expect(fitted.messages!.map((m) => m.content.split(':')[0])).toEqual(
      Array.from({ length: LIMITS.messagesMax }, (_, i) => String(i + 3)),
    );
    expect(fitted.alternatives!.map((a) => a[0])).toEqual(Array.from({ length: LIMITS.alternativesMax }, (_, i) => String(i % 10)));
    expect(fitted.quote!.prefix).toHaveLength(1000);
  });

  it('leaves a target within the limits as it was', () => {
    const t: Target = { kind: 'chat_response', key: 'k', site: 'chatgpt', model: 'gpt-5', prompt: 'hi', output: 'hello', url: 'https://chatgpt.com/c/1' };
    expect(fitTarget(t)).toEqual(t);
  });
});
