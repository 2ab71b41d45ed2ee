import { describe, expect, it } from 'vitest';
import { privateFeedback } from '../test/fixtures/private-feedback.ts';
import { emptyCounts, type RedactionCounts } from './redact.ts';
import { redactFeedbackText } from './redact-feedback.ts';
import { FeedbackInput } from './schemas.ts';

const counts = (partial: Partial<RedactionCounts>): RedactionCounts => ({ ...emptyCounts(), ...partial });

describe('redactFeedbackText', () => {
  it('redacts every free-text field and returns a new, still valid record', () => {
    const original = privateFeedback();
    const copy = structuredClone(original);
    const { feedback, counts: found } = redactFeedbackText(original);

    expect(original).toEqual(copy); // not mutated
    expect(FeedbackInput.safeParse(feedback).success).toBe(true);
    expect(feedback.target.prompt).toBe('My email is [EMAIL], fix my config');
    expect(feedback.target.output).toBe('Your key [SECRET:openai] is exposed; call [PHONE].');
    expect(feedback.target.messages).toEqual([
      { role: 'user', content: 'Card [CARD] was declined' },
      { role: 'assistant', content: 'Try again later.' },
    ]);
    expect(feedback.target.alternatives).toEqual(['Contact [EMAIL]', 'Nothing to redact']);
    expect(feedback.target.quote).toEqual({ exact: 'server [IP]', prefix: 'from mail [EMAIL] ', suffix: ' end', start: 3, end: 18 });
    expect(feedback.comment).toBe('Leaked my IBAN [IBAN]');
    expect(feedback.correction).toEqual({ output: 'Rotate the key; write to [EMAIL]', fields: { reasoning: 'mentions [IP]', severity: 'high' } });
    expect(found).toEqual(counts({ email: 4, phone: 1, card: 1, iban: 1, ip: 2, openai: 1 }));
  });

  it('leaves ids, keys, URLs, models, context and ratings alone', () => {
    const original = privateFeedback();
    const { feedback } = redactFeedbackText(original);
    expect(feedback.id).toBe(original.id);
    expect(feedback.rating).toEqual(original.rating);
    expect(feedback.tags).toEqual(original.tags);
    const { prompt: _p, output: _o, messages: _m, alternatives: _a, quote: _q, ...rest } = feedback.target;
    const { prompt: _p2, output: _o2, messages: _m2, alternatives: _a2, quote: _q2, ...originalRest } = original.target;
    expect(rest).toEqual(originalRest);
  });

  it('handles a record without any text and honours the kinds option', () => {
    const bare = { target: { kind: 'task', key: 't-1' }, rating: { stars: 4 } };
    expect(redactFeedbackText(bare)).toEqual({ feedback: bare, counts: emptyCounts() });
    const { feedback } = redactFeedbackText(privateFeedback(), { kinds: ['card'] });
    expect(feedback.target.prompt).toContain('taro@example.com');
    expect(feedback.target.messages?.[0]?.content).toBe('Card [CARD] was declined');
  });

  it('redacts a correction alone (a PATCH brings no target text)', () => {
    const { feedback } = redactFeedbackText({ target: {}, correction: { output: 'mail me at a@example.com' } });
    expect(feedback).toEqual({ target: {}, correction: { output: 'mail me at [EMAIL]' } });
  });
});
