import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../store/open.ts';
import { openTestStore } from '../../test/helpers/backend.ts';
import { seedRatings, type RatingSpec } from '../../test/helpers/ratings.ts';
import { tempDir } from '../../test/helpers/app.ts';
import { exportToFiles } from './files.ts';
import { sideOf, unitHash } from './split.ts';

let store: Store;
let dir: string;

function conversation(i: number, day: string): RatingSpec[] {
  // Three rated turns per conversation, each a different prompt; a few without a conversation id.
  return [0, 1, 2].map((turn) => ({
    rater: `r${i % 5}`,
    conversationId: i % 10 === 9 ? undefined : `conv-${i}`,
    key: `conv-${i}:${turn}`,
    prompt: `question ${i}.${turn}`,
    output: `answer ${i}.${turn}`,
    thumb: turn === 2 ? 'down' : 'up',
    correction: turn === 2 ? `better answer ${i}.${turn}` : undefined,
    day,
  }));
}

beforeAll(async () => {
  dir = tempDir('gt-split-');
  store = await openTestStore();
  const specs: RatingSpec[] = [];
  for (let i = 0; i < 200; i++) specs.push(...conversation(i, i < 100 ? '2026-01-01' : '2026-01-10'));
  // The same prompt+answer in many conversations: it must land on one side only.
  for (let i = 0; i < 40; i++) specs.push({ rater: 'dup', conversationId: `conv-${i}`, key: `dup-${i}`, prompt: 'Same question', output: 'Same answer', thumb: 'up', day: '2026-01-01' });
  await seedRatings(store, 'w', specs);
});
afterAll(() => store.close());

function readJsonl(file: string): Record<string, any>[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

async function split(format: 'jsonl' | 'openai-sft', name: string, filters: Record<string, unknown> = { all: true }) {
  const out = path.join(dir, `${name}.jsonl`);
  const { manifest } = await exportToFiles(store, 'w', { format, filters, split: 0.1 }, out);
  return {
    manifest,
    train: readJsonl(path.join(dir, `${name}.train.jsonl`)),
    validation: readJsonl(path.join(dir, `${name}.validation.jsonl`)),
  };
}

describe('split', () => {
  it('sideOf is a pure function of the key, and unitHash spreads keys evenly over [0, 1)', () => {
    expect(sideOf('conversation:abc', 0.1)).toBe(sideOf('conversation:abc', 0.1));
    let validation = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < 20_000; i++) {
      const u = unitHash(`k${i}`);
      min = Math.min(min, u);
      max = Math.max(max, u);
      if (sideOf(`k${i}`, 0.1) === 'validation') validation++;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(validation / 20_000).toBeGreaterThan(0.09);
    expect(validation / 20_000).toBeLessThan(0.11);
  });

  it('writes x.train.jsonl, x.validation.jsonl and x.manifest.json with counts and sha256 per file', async () => {
    const { manifest } = await split('jsonl', 'files');
    expect(fs.existsSync(path.join(dir, 'files.manifest.json'))).toBe(true);
    const onDisk = JSON.parse(fs.readFileSync(path.join(dir, 'files.manifest.json'), 'utf8'));
    expect(onDisk).toEqual(manifest);
    expect(manifest.files.map((f) => f.name)).toEqual(['files.train.jsonl', 'files.validation.jsonl']);
    const { createHash } = await import('node:crypto');
    for (const f of manifest.files) {
      const bytes = fs.readFileSync(path.join(dir, f.name));
      expect(f.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(f.bytes).toBe(bytes.length);
    }
    expect(manifest.counts.written.train + manifest.counts.written.validation).toBe(640);
  });

  it('is deterministic: the same export twice gives the same bytes', async () => {
    const a = await split('openai-sft', 'det-a');
    const b = await split('openai-sft', 'det-b');
    expect(a.manifest.files.map((f) => f.sha256)).toEqual(b.manifest.files.map((f) => f.sha256));
    expect(a.validation.length).toBeGreaterThan(0);
  });

  it('never lets a conversation straddle the split, and sends about the asked share to validation', async () => {
    const { train, validation } = await split('jsonl', 'leak');
    const key = (r: Record<string, any>) => r.target.conversationId ?? `target:${r.target.key}`;
    const trainKeys = new Set(train.map(key));
    const validationKeys = new Set(validation.map(key));
    expect([...validationKeys].filter((k) => trainKeys.has(k))).toEqual([]);
    const share = validationKeys.size / (trainKeys.size + validationKeys.size);
    expect(share).toBeGreaterThan(0.04);
    expect(share).toBeLessThan(0.18);
  });

  it('never puts the same example on both sides (merged copies stay on train)', async () => {
    const { train, validation, manifest } = await split('openai-sft', 'dups');
    const text = (o: Record<string, any>) => JSON.stringify(o.messages);
    const trainSet = new Set(train.map(text));
    expect(validation.map(text).filter((t) => trainSet.has(t))).toEqual([]);
    expect(train.filter((o) => o.messages.at(-1).content === 'Same answer')).toHaveLength(1);
    expect(manifest.counts.leaksDropped).toBe(1);
  });

  it('a record keeps its side from one export to the next, when data is added and when the window moves', async () => {
    const before = await split('jsonl', 'stable-1');
    const sideBefore = new Map<string, string>([...before.train.map((r) => [r.id, 'train'] as const), ...before.validation.map((r) => [r.id, 'validation'] as const)]);
    await seedRatings(store, 'w', Array.from({ length: 30 }, (_, i) => conversation(1000 + i, '2026-01-20')).flat());
    const after = await split('jsonl', 'stable-2');
    const windowed = await split('jsonl', 'stable-3', { since: '2026-01-05' });
    for (const run of [after, windowed]) {
      for (const [side, rows] of [['train', run.train], ['validation', run.validation]] as const) {
        for (const r of rows) if (sideBefore.has(r.id)) expect(sideBefore.get(r.id)).toBe(side);
      }
    }
    expect(after.train.length + after.validation.length).toBe(640 + 90);
    expect(windowed.train.length + windowed.validation.length).toBe(300 + 90);
  });
});
