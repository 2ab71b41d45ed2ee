import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyMutations, type Actor } from '../store/feedback.ts';
import type { Store } from '../store/open.ts';
import { openTestStore } from '../../test/helpers/backend.ts';
import type { FeedbackTable } from '../store/schema.ts';
import { ensureWorkspace } from '../store/tokens.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { rebuildRollups } from './rollups.ts';
import { disagreementOf, emptyTallies, tallyRows, tallyTarget } from './agreement-rollup.ts';
import { distinctInWindow } from './distinct.ts';
import type { RollupTargetsTable } from './tables.ts';
import { withInsightsTables } from './tables.ts';

const RATERS = ['r1', 'r2', 'r3'];
const TARGETS = ['k1', 'k2', 'k3', 'k4'];
const MODELS = ['m1', 'm2', undefined];
const DAYS = ['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04', '2026-01-05'];
/** undefined: the record names none (`overall`); the rollups keep each criterion apart (migration 0130). */
const CRITERIA = [undefined, 'overall', 'correctness'];
/** undefined: a person; else an LLM judge (source.type model): counted in no rollup, its example kept (issue 16). */
const JUDGES = [undefined, undefined, 'j1', 'j2'];

const ratingArb = fc
  .record({
    thumb: fc.constantFrom('up', 'down', undefined),
    stars: fc.constantFrom(1, 2, 3, 4, 5, undefined),
  })
  .map((r) => (r.thumb === undefined && r.stars === undefined ? { label: 'meh' } : r));

const voteArb = fc.record({
  op: fc.constant('vote' as const),
  rater: fc.integer({ min: 0, max: 2 }),
  target: fc.integer({ min: 0, max: 3 }),
  model: fc.integer({ min: 0, max: 2 }),
  day: fc.integer({ min: 0, max: 4 }),
  rating: ratingArb,
  latency: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: undefined }),
  conversation: fc.constantFrom('c1', 'c2', undefined),
  withText: fc.boolean(),
  /** Vote from a second device: a new id for the same rater and target (supersedes the old one). */
  newDevice: fc.boolean(),
  workspace: fc.constantFrom(0, 1),
  criterion: fc.integer({ min: 0, max: 2 }),
  judge: fc.integer({ min: 0, max: 3 }),
});
const deleteArb = fc.record({
  op: fc.constant('delete' as const),
  rater: fc.integer({ min: 0, max: 2 }),
  target: fc.integer({ min: 0, max: 3 }),
  /** An admin removing someone else's record, as an erasure does. */
  byAdmin: fc.boolean(),
  workspace: fc.constantFrom(0, 1),
  criterion: fc.integer({ min: 0, max: 2 }),
  judge: fc.integer({ min: 0, max: 3 }),
});
const stepArb = fc.array(fc.oneof({ weight: 3, arbitrary: voteArb }, { weight: 1, arbitrary: deleteArb }), { minLength: 1, maxLength: 4 });

type Step = (typeof voteArb extends fc.Arbitrary<infer V> ? V : never) | (typeof deleteArb extends fc.Arbitrary<infer D> ? D : never);

class Model {
  constructor(readonly workspaces: string[]) {}
  /** Live id per workspace/rater/target/criterion. */
  ids = new Map<string, string>();
  clock = Date.UTC(2026, 1, 1);
  next(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString();
  }
}

function mutationsFor(model: Model, batch: Step[]): { actor: Actor; mutations: unknown[] }[] {
  return batch.map((s) => {
    const rater = RATERS[s.rater]!;
    const workspace = model.workspaces[s.workspace]!;
    const key = `${workspace}/${rater}/${TARGETS[s.target]}/${CRITERIA[s.criterion] ?? 'overall'}/${JUDGES[s.judge] ?? ''}`;
    const at = model.next();
    if (s.op === 'delete') {
      const id = model.ids.get(key) ?? uuidv7();
      model.ids.delete(key);
      return {
        actor: { workspaceId: workspace, raterId: s.byAdmin ? 'admin' : rater, role: s.byAdmin ? 'admin' : 'rater', tokenId: null, clientId: null },
        mutations: [{ id, op: 'delete', updatedAt: at }],
      };
    }
    let id = model.ids.get(key);
    if (!id || s.newDevice) id = uuidv7();
    model.ids.set(key, id);
    const feedback = {
      id,
      target: {
        kind: 'chat_response',
        key: TARGETS[s.target],
        ...(MODELS[s.model] ? { model: MODELS[s.model] } : {}),
        ...(s.conversation ? { conversationId: s.conversation } : {}),
        ...(s.withText ? { prompt: `question ${s.target}`, output: `answer ${s.target} by ${s.model}` } : {}),
        ...(s.latency !== undefined ? { context: { latency_ms: s.latency, tokens_used: s.latency / 10 } } : {}),
      },
      rating: s.rating,
      ...(CRITERIA[s.criterion] ? { criterion: CRITERIA[s.criterion] } : {}),
      ...(JUDGES[s.judge] ? { source: { type: 'model', name: JUDGES[s.judge] } } : {}),
      createdAt: `${DAYS[s.day]}T10:00:00.000Z`,
      updatedAt: at,
    };
    return {
      actor: { workspaceId: workspace, raterId: rater, role: 'rater', tokenId: null, clientId: 'c' },
      mutations: [{ id, op: 'upsert', updatedAt: at, feedback }],
    };
  });
}

/** The rollups recomputed from the live rows, independently of the module under test. */
function recount(rows: FeedbackTable[]) {
  const daily = new Map<string, Record<string, number>>();
  const members = new Map<string, number>();
  const targets = new Map<string, Record<string, number>>();
  const examples = new Set<string>();
  const bump = (m: Map<string, Record<string, number>>, key: string, field: string, by = 1) => {
    const r = m.get(key) ?? {};
    r[field] = (r[field] ?? 0) + by;
    m.set(key, r);
  };
  for (const row of rows.filter((r) => !r.deleted)) {
    const record = JSON.parse(row.record!);
    if (record.target.prompt && record.target.output) examples.add(row.id);
    // People only: a judge's rating counts in no figure unless asked (exact.ts counts those from the rows).
    if (row.source_type === 'model') continue;
    const day = row.created_at.slice(0, 10);
    const criterion = record.criterion ?? 'overall';
    const dk = [row.workspace_id, day, row.model ?? '', row.intent ?? '', row.project ?? '', row.site ?? '', row.kind, criterion].join('|');
    const tk = [row.workspace_id, criterion, row.target_key, row.model ?? ''].join('|');
    for (const [m, k] of [[daily, dk], [targets, tk]] as const) {
      bump(m, k, 'n');
      if (row.thumb) bump(m, k, row.thumb);
      if (row.stars) {
        bump(m, k, 'stars_n');
        bump(m, k, `stars_${row.stars}`);
      }
    }
    if (row.stars) bump(daily, dk, 'stars_sum', row.stars);
    const latency = record.target.context?.latency_ms;
    if (typeof latency === 'number') {
      bump(daily, dk, 'latency_n');
      bump(daily, dk, 'latency_sum', latency);
      bump(daily, dk, 'tokens_n');
      bump(daily, dk, 'tokens_sum', Math.round(record.target.context.tokens_used));
    }
    const mk = (facet: string, v: string) => [row.workspace_id, criterion, facet, day, v].join('|');
    members.set(mk('rater', row.rater_id), (members.get(mk('rater', row.rater_id)) ?? 0) + 1);
    if (row.conversation_id) members.set(mk('conversation', row.conversation_id), (members.get(mk('conversation', row.conversation_id)) ?? 0) + 1);
  }
  for (const r of targets.values()) {
    const t = { n: 0, up: 0, down: 0, stars_n: 0, stars_1: 0, stars_2: 0, stars_3: 0, stars_4: 0, stars_5: 0, ...r } as unknown as RollupTargetsTable;
    r.disagreement = disagreementOf(t);
  }
  const dropZeros = (m: Map<string, Record<string, number>>) =>
    new Map([...m].map(([k, r]) => [k, Object.fromEntries(Object.entries(r).filter(([, v]) => v !== 0))]));
  return { daily: dropZeros(daily), members, targets: dropZeros(targets), examples };
}

/**
 * Issue 19, item 4: distinct members over random windows (rollup_distinct) equal a brute-force
 * count over the recounted members, and rollup_agreement holds the tallies of the recounted targets.
 */
async function checkFlat(store: Store, workspaces: string[], expected: ReturnType<typeof recount>): Promise<void> {
  const days = new Map<string, Map<string, Set<string>>>();
  for (const [key, n] of expected.members) {
    if (!n) continue;
    const [ws, criterion, facet, day, value] = key.split('|') as [string, string, string, string, string];
    const group = JSON.stringify([ws, criterion, facet]);
    if (!days.has(group)) days.set(group, new Map());
    const byValue = days.get(group)!;
    if (!byValue.has(value)) byValue.set(value, new Set());
    byValue.get(value)!.add(day);
  }
  const edges = ['2025-12-31', ...DAYS, '2026-01-06'];
  for (const ws of workspaces) {
    for (const criterion of ['overall', 'correctness']) {
      for (const facet of ['rater', 'conversation'] as const) {
        const byValue = days.get(JSON.stringify([ws, criterion, facet])) ?? new Map<string, Set<string>>();
        for (let i = 0; i < 4; i++) {
          const a = edges[Math.floor(Math.random() * edges.length)]!;
          const b = edges[Math.floor(Math.random() * edges.length)]!;
          const brute = [...byValue.values()].filter((set) => [...set].some((d) => d >= a && d < b)).length;
          expect(await distinctInWindow(store.db, ws, criterion, facet, a, b), `${ws} ${criterion} ${facet} [${a}, ${b})`).toBe(brute);
        }
      }
    }
  }
  const db = withInsightsTables(store.db);
  expect(await db.selectFrom('rollup_distinct').select('n').where('workspace_id', 'in', workspaces).where('n', '<=', 0).execute()).toEqual([]);

  const groups = new Map<string, ReturnType<typeof emptyTallies> & { raters: Map<number, number>; keys: string[] }>();
  for (const [key, counts] of expected.targets) {
    const [ws, criterion, , model] = key.split('|') as [string, string, string, string];
    const t = { n: 0, up: 0, down: 0, stars_n: 0, stars_1: 0, stars_2: 0, stars_3: 0, stars_4: 0, stars_5: 0, ...counts } as unknown as RollupTargetsTable;
    if (t.n < 2) continue;
    const g = JSON.stringify([ws, criterion, model]);
    if (!groups.has(g)) groups.set(g, { ...emptyTallies(), raters: new Map(), keys: [ws, criterion, model] });
    const into = groups.get(g)!;
    tallyTarget(into, t);
    into.raters.set(t.n, (into.raters.get(t.n) ?? 0) + 1);
  }
  const row = (x: object) => {
    const r = x as Record<string, unknown>;
    return [r.workspace_id, r.criterion, r.model, r.scale, Number(r.m), Number(r.c), Number(r.k), Number(r.n)].join('|');
  };
  const wanted = [...groups.values()].flatMap((g) => tallyRows(g.keys[0]!, g.keys[1]!, g.keys[2]!, g, g.raters)).map(row).sort();
  const actual = (await db.selectFrom('rollup_agreement').selectAll().where('workspace_id', 'in', workspaces).execute()).map(row).sort();
  expect(actual).toEqual(wanted);
}

async function stored(store: Store, workspaces: string[]) {
  const db = withInsightsTables(store.db);
  const strip = (r: Record<string, unknown>, keys: string[]) =>
    Object.fromEntries(Object.entries(r).filter(([k, v]) => !keys.includes(k) && v !== 0));
  const daily = new Map(
    (await db.selectFrom('rollup_daily').selectAll().where('workspace_id', 'in', workspaces).where('n', '!=', 0).execute()).map((r) => [
      [r.workspace_id, r.day, r.model, r.intent, r.project, r.site, r.kind, r.criterion].join('|'),
      strip(r as never, ['workspace_id', 'day', 'model', 'intent', 'project', 'site', 'kind', 'criterion']),
    ]),
  );
  const members = new Map(
    (await db.selectFrom('rollup_members').selectAll().where('workspace_id', 'in', workspaces).where('n', '!=', 0).execute()).map((r) => [[r.workspace_id, r.criterion, r.facet, r.day, r.value].join('|'), r.n]),
  );
  const targets = new Map(
    (await db.selectFrom('rollup_targets').selectAll().where('workspace_id', 'in', workspaces).where('n', '!=', 0).execute()).map((r) => [
      [r.workspace_id, r.criterion, r.target_key, r.model].join('|'),
      strip(r as never, ['workspace_id', 'criterion', 'target_key', 'model']),
    ]),
  );
  const examples = new Set((await db.selectFrom('feedback_examples').select('feedback_id').where('workspace_id', 'in', workspaces).execute()).map((r) => r.feedback_id));
  // No rollup row may ever go negative.
  const negative = await db.selectFrom('rollup_daily').select('n').where((eb) => eb.or([eb('n', '<', 0), eb('up', '<', 0), eb('down', '<', 0)])).execute();
  expect(negative).toEqual([]);
  return { daily, members, targets, examples };
}

describe('rollups', () => {
  it('equal a full recount after random sequences of votes, re-votes, second devices, deletes and erasures', async () => {
    // One real SQLite store for every run; each run writes to workspaces of its own.
    const store = await openTestStore();
    let run = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 12 }), async (batches) => {
          run++;
          const workspaces = [`w1-${run}`, `w2-${run}`];
          for (const w of workspaces) await ensureWorkspace(store.db, w);
          const model = new Model(workspaces);
          for (const batch of batches) {
            for (const { actor, mutations } of mutationsFor(model, batch)) await applyMutations(store.db, actor, mutations);
          }
          const rows = await store.db.selectFrom('feedback').selectAll().where('workspace_id', 'in', workspaces).execute();
          const expected = recount(rows);
          const actual = await stored(store, workspaces);
          expect(actual.daily).toEqual(expected.daily);
          expect(actual.members).toEqual(expected.members);
          expect(actual.targets).toEqual(expected.targets);
          expect(actual.examples).toEqual(expected.examples);
          await checkFlat(store, workspaces, expected);

          // A rebuild from scratch lands on the same figures.
          for (const workspaceId of workspaces) await rebuildRollups(store.db, { workspaceId });
          const rebuilt = await stored(store, workspaces);
          expect(rebuilt.daily).toEqual(expected.daily);
          expect(rebuilt.members).toEqual(expected.members);
          expect(rebuilt.targets).toEqual(expected.targets);
          expect(rebuilt.examples).toEqual(expected.examples);
          await checkFlat(store, workspaces, expected);
        }),
        { numRuns: 60 },
      );
    } finally {
      await store.close();
    }
    // 60 runs of up to 48 writes: on PostgreSQL under a loaded machine this takes longer than the default 30 s.
  }, 300_000);

  it('moves counts within one batch that changes the same record twice', async () => {
    const store = await openTestStore();
    await ensureWorkspace(store.db, 'w1');
    const actor: Actor = { workspaceId: 'w1', raterId: 'r1', role: 'rater', tokenId: null, clientId: null };
    const id = uuidv7();
    const f = (thumb: string, at: string) => ({
      id,
      op: 'upsert',
      updatedAt: at,
      feedback: { id, target: { kind: 'chat_response', key: 'k', model: 'm' }, rating: { thumb }, createdAt: '2026-01-01T00:00:00Z', updatedAt: at },
    });
    await applyMutations(store.db, actor, [f('up', '2026-01-01T00:00:01Z'), f('down', '2026-01-01T00:00:02Z')]);
    const rows = await withInsightsTables(store.db).selectFrom('rollup_daily').select(['n', 'up', 'down']).execute();
    expect(rows).toEqual([{ n: 1, up: 0, down: 1 }]);
    await applyMutations(store.db, actor, [{ id, op: 'delete', updatedAt: '2026-01-01T00:00:03Z' }]);
    // The row the deletion emptied is gone rather than kept at zero (issue 13, item 2).
    expect(await withInsightsTables(store.db).selectFrom('rollup_daily').select(['n', 'up', 'down']).execute()).toEqual([]);
    await store.close();
  });
});
