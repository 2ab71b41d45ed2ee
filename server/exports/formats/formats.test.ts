import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Feedback } from '../../../shared/schemas.ts';
import type { Store } from '../../store/open.ts';
import { openTestStore } from '../../../test/helpers/backend.ts';
import { seedRatings, type RatingSpec } from '../../../test/helpers/ratings.ts';
import { emptyCounts, exportLines, prepareExport, type ExportCounts, type ExportOptions } from '../stream.ts';
import { validateOpenAIChatExample, validateOpenAIPreferenceExample } from '../validate-openai-chat.ts';
import { CSV_COLUMNS, csv } from './csv.ts';

let store: Store;

const earlier: RatingSpec['messages'] = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'hi' },
  { role: 'assistant', content: 'hello' },
  { role: 'tool', content: '{"result": 1}' },
  { role: 'user', content: '   ' },
];

const DATA: RatingSpec[] = [
  // P1: the same answer "4" three times (2 up, 1 down: majority up); "5" twice down; "22" a tie.
  { rater: 'r1', prompt: 'What is 2+2?', output: '4', thumb: 'up', model: 'gpt', conversationId: 'c1' },
  { rater: 'r2', prompt: 'What is 2+2?', output: '4', thumb: 'up', model: 'gpt', conversationId: 'c2' },
  { rater: 'r3', prompt: 'What is 2+2?', output: '4', thumb: 'down', model: 'gpt', conversationId: 'c3' },
  { rater: 'r4', prompt: 'What is 2+2?', output: '5', thumb: 'down', model: 'gpt', conversationId: 'c4' },
  { rater: 'r5', prompt: 'What is 2+2?', output: '5', thumb: 'down', model: 'gpt', conversationId: 'c5' },
  { rater: 'r6', prompt: 'What is 2+2?', output: '22', thumb: 'up', model: 'gpt', conversationId: 'c6' },
  { rater: 'r7', prompt: 'What is 2+2?', output: '22', thumb: 'down', model: 'gpt', conversationId: 'c7' },
  // P2: a down-rated answer with a correction, after earlier turns (a tool turn and an empty one to drop).
  { rater: 'r1', prompt: 'Capital of France?', messages: earlier, output: 'Lyon', thumb: 'down', correction: 'Paris', model: 'claude', conversationId: 'c8' },
  // P3: two regenerations of one answer, rated differently.
  { rater: 'r1', prompt: 'Write a haiku', output: 'A', thumb: 'up', model: 'gpt', conversationId: 'c9', key: 'c9:0:v1', alternatives: ['B'] },
  { rater: 'r1', prompt: 'Write a haiku', output: 'B', thumb: 'down', model: 'gpt', conversationId: 'c9', key: 'c9:0:v2', alternatives: ['A'] },
  // P4: stars only: 5 is up, 1 is down.
  { rater: 'r1', prompt: 'Explain X', output: 'good', stars: 5, model: 'gemini', conversationId: 'c10', intent: 'explain' },
  { rater: 'r2', prompt: 'Explain X', output: 'bad', stars: 1, model: 'gemini', conversationId: 'c11', intent: 'explain' },
  // P5: a label without direction; a record without a prompt.
  { rater: 'r1', prompt: 'Label me', output: 'lbl', label: 'other', model: 'gpt', conversationId: 'c12' },
  { rater: 'r1', output: 'no prompt', thumb: 'up', model: 'gpt', kind: 'error_analysis' },
];

beforeAll(async () => {
  store = await openTestStore();
  await seedRatings(store, 'w', DATA);
  await seedRatings(store, 'other', [{ prompt: 'What is 2+2?', output: 'four', thumb: 'up' }]);
});
afterAll(() => store.close());

async function run(options: Omit<ExportOptions, 'filters'> & { filters?: ExportOptions['filters'] }) {
  const counts: ExportCounts = emptyCounts();
  const prepared = prepareExport({ ...options, filters: { all: true, ...options.filters } });
  const lines: string[] = [];
  for await (const line of exportLines(store.db, 'w', prepared, counts)) {
    expect(line.text.endsWith('\n')).toBe(true);
    lines.push(line.text);
  }
  const objects = options.format === 'csv' ? [] : lines.map((l) => JSON.parse(l) as Record<string, any>);
  return { lines, objects, counts };
}

const lastUser = (messages: { role: string; content: string }[]) => messages.filter((m) => m.role === 'user').at(-1)!.content;

describe('openai-sft', () => {
  it('passes the OpenAI chat format checks on every line', async () => {
    const { objects } = await run({ format: 'openai-sft' });
    expect(objects.length).toBeGreaterThan(0);
    for (const o of objects) expect(validateOpenAIChatExample(o)).toEqual([]);
  });

  it('trains on up-rated answers (by majority, merged) and corrections, never on thumbs-down answers', async () => {
    const { objects, counts } = await run({ format: 'openai-sft' });
    const pairs = objects.map((o) => [lastUser(o.messages), o.messages.at(-1).content]).sort();
    expect(pairs).toEqual([
      ['Capital of France?', 'Paris'],
      ['Explain X', 'good'],
      ['What is 2+2?', '4'],
      ['Write a haiku', 'A'],
    ]);
    // "4" ×3, "5" ×2 and "22" ×2 each merged into one example.
    expect(counts.merged).toBe(4);
    // Every record is accounted for: the one without a prompt is read and left out, with its reason.
    expect(counts.read).toBe(14);
    expect(counts.made).toEqual({ rated_output: 3, corrected_output: 1 });
    // "5" ×2, Lyon, B and bad are down-rated; "22" ×2 a tie; "lbl" has no direction.
    expect(counts.leftOut).toEqual({ rated_down: 5, tied_votes: 2, no_vote: 1, no_prompt_or_answer: 1 });
    expect(counts.skipped).toBe(9);
  });

  it('keeps earlier turns, drops tool and empty turns, and weighs unrated assistant turns 0', async () => {
    const { objects } = await run({ format: 'openai-sft' });
    const france = objects.find((o) => lastUser(o.messages) === 'Capital of France?')!;
    expect(france.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello', weight: 0 },
      { role: 'user', content: 'Capital of France?' },
      { role: 'assistant', content: 'Paris' },
    ]);
  });

  it('the validator itself rejects what the rules forbid', () => {
    const bad = [
      {},
      { messages: [] },
      { messages: [{ role: 'user', content: 'q' }] },
      { messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: '' }] },
      { messages: [{ role: 'tool', content: 'q' }, { role: 'assistant', content: 'a' }] },
      { messages: [{ role: 'user', content: 'q', extra: 1 }, { role: 'assistant', content: 'a' }] },
      { messages: [{ role: 'user', content: 'q', weight: 1 }, { role: 'assistant', content: 'a' }] },
      { messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a', weight: 0.5 }] },
      { messages: [{ role: 'user', content: 3 }, { role: 'assistant', content: 'a' }] },
    ];
    for (const b of bad) expect(validateOpenAIChatExample(b), JSON.stringify(b)).not.toEqual([]);
    expect(validateOpenAIChatExample({ messages: [{ role: 'user', content: 'q', name: 'x' }, { role: 'assistant', content: 'a', weight: 1 }] })).toEqual([]);
  });
});

describe('weighted', () => {
  it('weighs up 2.0 and down 0.5 with metadata, leaving ties out', async () => {
    const { objects } = await run({ format: 'weighted' });
    const byAnswer = new Map(objects.map((o) => [o.messages.at(-1).content, o]));
    expect([...byAnswer.keys()].sort()).toEqual(['4', '5', 'A', 'B', 'Lyon', 'Paris', 'bad', 'good']);
    expect(byAnswer.get('4')!.weight).toBe(2);
    expect(byAnswer.get('5')!.weight).toBe(0.5);
    expect(byAnswer.get('Paris')!.weight).toBe(2);
    const meta = byAnswer.get('good')!.metadata;
    expect(meta).toMatchObject({ model: 'gemini', intent: 'explain', project: null });
    expect(Feedback.shape.id.safeParse(meta.feedbackId).success).toBe(true);
    expect(meta.createdAt).toMatch(/^2026-/);
    for (const o of objects) expect(Object.keys(o).sort()).toEqual(['messages', 'metadata', 'weight']);
  });

  it('takes configured weights', async () => {
    const { objects } = await run({ format: 'weighted', weights: { up: 1, down: 0 } });
    expect(new Set(objects.map((o) => o.weight))).toEqual(new Set([1, 0]));
  });
});

const PAIRS = [
  ['Capital of France?', 'Paris', 'Lyon'],
  ['Explain X', 'good', 'bad'],
  ['What is 2+2?', '4', '5'],
  ['Write a haiku', 'A', 'B'],
];

describe('openai-dpo', () => {
  it('pairs up- against down-rated answers to the same prompt, regenerations and corrections, and passes the checks', async () => {
    const { objects, counts } = await run({ format: 'openai-dpo' });
    for (const o of objects) expect(validateOpenAIPreferenceExample(o)).toEqual([]);
    const pairs = objects.map((o) => [lastUser(o.input.messages), o.preferred_output[0].content, o.non_preferred_output[0].content]).sort();
    expect(pairs).toEqual(PAIRS);
    // Lyon has no up-rated counterpart, but its correction rejects it: it is used, not left out.
    expect(counts.made).toEqual({ pair_from_ratings: 3, pair_from_corrected_output: 1 });
    expect(counts.leftOut).toEqual({ tied_votes: 2, no_vote: 1, no_prompt_or_answer: 1 });
  });

  it('the preference validator rejects malformed pairs', () => {
    const ok = { input: { messages: [{ role: 'user', content: 'q' }] }, preferred_output: [{ role: 'assistant', content: 'a' }], non_preferred_output: [{ role: 'assistant', content: 'b' }] };
    expect(validateOpenAIPreferenceExample(ok)).toEqual([]);
    expect(validateOpenAIPreferenceExample({ ...ok, non_preferred_output: [{ role: 'assistant', content: 'a' }] })).not.toEqual([]);
    expect(validateOpenAIPreferenceExample({ ...ok, preferred_output: [] })).not.toEqual([]);
    expect(validateOpenAIPreferenceExample({ ...ok, input: { messages: [{ role: 'assistant', content: 'q' }] } })).not.toEqual([]);
  });
});

describe('trl-dpo and trl-kto', () => {
  it('trl-dpo: {prompt, chosen, rejected} in the conversational form', async () => {
    const { objects } = await run({ format: 'trl-dpo' });
    for (const o of objects) {
      expect(Object.keys(o).sort()).toEqual(['chosen', 'prompt', 'rejected']);
      expect(o.prompt.at(-1).role).toBe('user');
      expect(o.chosen).toHaveLength(1);
      expect(o.chosen[0].role).toBe('assistant');
      expect(o.rejected[0].role).toBe('assistant');
    }
    expect(objects.map((o) => [lastUser(o.prompt), o.chosen[0].content, o.rejected[0].content]).sort()).toEqual(PAIRS);
  });

  it('trl-kto: {prompt, completion, label} with label true for up and corrections, false for down, ties left out', async () => {
    const { objects, counts } = await run({ format: 'trl-kto' });
    for (const o of objects) {
      expect(Object.keys(o).sort()).toEqual(['completion', 'label', 'prompt']);
      expect(typeof o.label).toBe('boolean');
    }
    const labels = Object.fromEntries(objects.map((o) => [o.completion[0].content, o.label]));
    expect(labels).toEqual({ '4': true, '5': false, Paris: true, Lyon: false, A: true, B: false, good: true, bad: false });
    // In records: the "22" tie (2 merged), the label-only answer, the record without a prompt.
    expect(counts.leftOut).toEqual({ tied_votes: 2, no_vote: 1, no_prompt_or_answer: 1 });
    expect(counts.skipped).toBe(4);
  });
});

describe('jsonl and csv', () => {
  it('jsonl: one full record per line, in the API shape, this workspace only', async () => {
    const { objects, counts } = await run({ format: 'jsonl' });
    expect(objects).toHaveLength(DATA.length);
    expect(counts.read).toBe(DATA.length);
    for (const o of objects) {
      expect(Feedback.safeParse(o).success).toBe(true);
      expect(o.workspaceId).toBe('w');
    }
  });

  it('csv: a header and one row per record that a CSV parser reads back', async () => {
    const { lines } = await run({ format: 'csv' });
    expect(csv.header).toBe(`${CSV_COLUMNS.join(',')}\r\n`);
    const text = csv.header + lines.join('');
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(DATA.length);
    const france = rows.find((r) => r.prompt === 'Capital of France?')!;
    expect(france).toMatchObject({ output: 'Lyon', correction: 'Paris', thumb: 'down', model: 'claude', workspaceId: 'w' });
  });
});

describe('filters', () => {
  it('by model, intent, thumb, minStars and kind', async () => {
    expect((await run({ format: 'jsonl', filters: { model: 'gemini' } })).objects).toHaveLength(2);
    expect((await run({ format: 'jsonl', filters: { intent: 'explain' } })).objects).toHaveLength(2);
    expect((await run({ format: 'jsonl', filters: { thumb: 'down' } })).objects).toHaveLength(6);
    expect((await run({ format: 'jsonl', filters: { minStars: 4 } })).objects.map((o) => o.target.output)).toEqual(['good']);
    expect((await run({ format: 'jsonl', filters: { kind: 'error_analysis' } })).objects).toHaveLength(1);
    const sft = await run({ format: 'openai-sft', filters: { model: 'gpt', thumb: 'up' } });
    expect(sft.objects.map((o) => o.messages.at(-1).content).sort()).toEqual(['22', '4', 'A']);
  });

  it('by time: since/until, the last N days (7 by default) or all', async () => {
    const now = new Date('2026-01-05T00:00:00Z');
    const days = (d: Partial<ExportOptions>) => run({ format: 'jsonl', now, ...d, filters: { all: undefined, ...d.filters } });
    // Seeded records are all on 2026-01-01.
    expect((await days({})).objects).toHaveLength(DATA.length);
    expect((await days({ filters: { days: 3 } })).objects).toHaveLength(0);
    // A time bound is a window of its own: `all` with it is refused (shared/filters.ts, conflicts).
    expect((await run({ format: 'jsonl', filters: { all: undefined, since: '2026-01-02' } })).objects).toHaveLength(0);
    expect((await run({ format: 'jsonl', filters: { all: undefined, until: '2026-01-01' } })).objects).toHaveLength(0);
    expect((await run({ format: 'jsonl', filters: { all: undefined, since: '2026-01-01', until: '2026-01-02T00:00:00Z' } })).objects).toHaveLength(DATA.length);
    expect(() => prepareExport({ format: 'jsonl', filters: { all: true, since: '2026-01-01' } })).toThrow(/since cannot be combined with all/);
    expect(() => prepareExport({ format: 'jsonl', filters: { days: 3, since: '2026-01-01' } })).toThrow(/since cannot be combined with days/);
    expect((await days({ now: new Date('2026-03-01T00:00:00Z') })).objects).toHaveLength(0);
  });
});
