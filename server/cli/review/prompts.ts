/**
 * The questions for one item, with @clack/prompts (ADR 0036): a rating of the AI analysis (a key
 * press: 1–5, s to skip the item, q to stop), then each analysis field in the order of
 * ANALYSIS_FIELDS — category and severity from the known values, "keep" first (Enter keeps the
 * AI's value) and "other…" for a value of one's own, confidence as 0–1, the texts typed, an empty
 * answer keeping the AI's — then a comment. Ctrl+C at any question stops the session; the answers
 * given so far for that item are dropped, never half sent.
 */
import { isCancel, select, selectKey, text } from '@clack/prompts';
import { ANALYSIS_FIELDS, type Analysis } from '../../../shared/analysis.ts';
import { LIMITS } from '../../../shared/limits.ts';
import { changedFields, type ReviewAnswers } from './feedback.ts';
import { shownValue } from './show.ts';

export type ItemOutcome = { kind: 'rated'; answers: ReviewAnswers } | { kind: 'skipped' } | { kind: 'stopped' };

/** Thrown from inside the questions when the reviewer presses Ctrl+C. */
class Stopped extends Error {}
function answered<T>(value: T): Exclude<T, symbol> {
  if (isCancel(value)) throw new Stopped();
  return value as Exclude<T, symbol>;
}

const KEEP = '\u0000keep';
const OTHER = '\u0000other';

async function choiceField(label: string, known: readonly string[], ai: string | undefined): Promise<string | undefined> {
  const picked = answered(
    await select<string>({
      message: label,
      initialValue: KEEP,
      maxItems: known.length + 2,
      options: [
        { value: KEEP, label: ai === undefined ? 'keep (none)' : `keep: ${shownValue(ai)}`, hint: 'the AI\'s value' },
        ...known.map((v) => ({ value: v, label: v })),
        { value: OTHER, label: 'other…' },
      ],
    }),
  );
  if (picked === KEEP) return undefined;
  if (picked !== OTHER) return picked;
  const typed = answered(
    await text({
      message: `${label}: your value`,
      validate: (v) => (!v?.trim() ? 'type a value (Ctrl+C stops the session)' : v.length > LIMITS.shortTextMaxChars ? `at most ${LIMITS.shortTextMaxChars} characters` : undefined),
    }),
  );
  return typed.trim();
}

const keepHint = (ai: unknown) => (ai === undefined ? 'Enter: none' : `Enter keeps: ${shownValue(ai)}`);

async function textField(label: string, ai: string | undefined, max: number = LIMITS.textMaxChars, placeholder = keepHint(ai)): Promise<string | undefined> {
  const typed = answered(
    await text({
      message: label,
      placeholder,
      validate: (v) => ((v ?? '').length > max ? `at most ${max} characters` : undefined),
    }),
  );
  return typed.trim() === '' ? undefined : typed.trim();
}

async function confidenceField(label: string, ai: number | undefined): Promise<number | undefined> {
  const typed = answered(
    await text({
      message: label,
      placeholder: keepHint(ai),
      validate: (v) => {
        const t = (v ?? '').trim();
        if (t === '') return undefined;
        const n = Number(t);
        return /^(0|1|0?\.\d+|1\.0*)$/.test(t) && n >= 0 && n <= 1 ? undefined : 'a number from 0 to 1, e.g. 0.8 (empty keeps the AI\'s)';
      },
    }),
  );
  return typed.trim() === '' ? undefined : Number(typed.trim());
}

/** Asks about one item. `position` is "3/20", shown in the rating question. */
export async function askItem(ai: Analysis, position: string): Promise<ItemOutcome> {
  try {
    const rating = answered(
      await selectKey<string>({
        message: `[${position}] Rate the AI analysis`,
        options: [
          { value: '1', label: 'wrong' },
          { value: '2', label: 'mostly wrong' },
          { value: '3', label: 'partly right' },
          { value: '4', label: 'mostly right' },
          { value: '5', label: 'right' },
          { value: 's', label: 'skip this item', hint: 'nothing is sent; it comes back next run' },
          { value: 'q', label: 'stop', hint: 'run again to resume' },
        ],
      }),
    );
    if (rating === 'q') return { kind: 'stopped' };
    if (rating === 's') return { kind: 'skipped' };
    const given: Record<string, unknown> = {};
    for (const field of ANALYSIS_FIELDS) {
      const current = ai[field.name];
      if (field.type === 'choice') given[field.name] = await choiceField(field.label, field.known, current as string | undefined);
      else if (field.type === 'number') given[field.name] = await confidenceField(field.label, current as number | undefined);
      else given[field.name] = await textField(field.label, current as string | undefined);
    }
    const comment = await textField('Comment', undefined, LIMITS.commentMaxChars, 'optional; Enter: none');
    return { kind: 'rated', answers: { stars: Number(rating), changed: changedFields(ai, given as Analysis), ...(comment && { comment }) } };
  } catch (err) {
    if (err instanceof Stopped) return { kind: 'stopped' };
    throw err;
  }
}
