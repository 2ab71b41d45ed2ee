/**
 * `groundtruth training record|finish|list|stats`: what trained what, from the machine that
 * trains (ADR 0038). Like the other commands it opens the store (context.ts) and calls the same
 * store functions as /v1/training-runs, checked by the same schemas (shared/training-runs.ts).
 * Stored text (model names, paths, ids) reaches the terminal only through terminal-text.ts.
 */
import { Command } from 'commander';
import type { ZodError } from 'zod';
import { TRAINING_RUN_LIMITS, TrainingRunInput, TrainingRunPatch, type TrainingRun, type TrainingStats } from '../../../shared/training-runs.ts';
import { clockNow } from '../../lib/clock.ts';
import { TrainingRunExportsError, TrainingRunTimesError, createTrainingRun, listTrainingRuns, patchTrainingRun, trainingStats } from '../../store/training-runs.ts';
import { withStore } from '../context.ts';
import { terminalJson, terminalTable, tty } from '../terminal-text.ts';

/** Each field's flag, so a refusal names what the user typed. */
const FLAG: Record<string, string> = {
  modelName: '--model',
  baseModel: '--base-model',
  exportRunIds: '--export-run',
  hyperparameters: '--hyperparameters',
  metrics: '--metrics',
  modelPath: '--model-path',
  startedAt: '--started-at',
  finishedAt: '--finished-at',
  trainingDataSize: '--training-data-size',
};

function refusal(error: ZodError): Error {
  const lines = error.issues.slice(0, 5).map((i) => {
    const field = String(i.path[0] ?? '');
    return `${FLAG[field] ?? (field || 'options')}: ${i.message}`;
  });
  return new Error(lines.join('; '));
}

function jsonObjectFlag(flag: string, value: string | undefined): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new Error(`${flag} must be a JSON object, e.g. '{"epochs": 3}'`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`${flag} must be a JSON object, e.g. '{"epochs": 3}'`);
  return parsed as Record<string, unknown>;
}

function intFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new Error(`${flag} must be a whole number`);
  return Number(value);
}

const collect = (value: string, previous: string[]) => [...previous, value];
const orDash = (v: unknown) => (v === null || v === undefined ? '-' : v);
const size = (n: number | null) => (n === null ? '-' : String(n));

function exportsCell(run: TrainingRun): string {
  return run.exportRuns.map((e) => `${e.format} ${e.id}${e.trainExamples === null ? '' : ` (${e.trainExamples})`}`).join(', ');
}

function describeRun(run: TrainingRun): string {
  return (
    tty`Recorded training run ${run.id} of model ${run.modelName}${run.baseModel ? ` (from ${run.baseModel})` : ''}.\n` +
    tty`Trained on ${run.exportRuns.length} export run(s): ${exportsCell(run)}; training data size ${size(run.trainingDataSize)}.\n`
  );
}

function renderStats(stats: TrainingStats): string {
  if (!stats.models.length) return 'No training runs yet.\n';
  const rows = stats.models.map((m) => [
    m.modelName,
    m.runs,
    m.latestRun.id,
    orDash(m.latestRun.startedAt ?? m.latestRun.createdAt),
    m.exportedRecords,
    m.newFeedback.since,
    m.newFeedback.received,
    m.newFeedback.matching,
  ]);
  const head = ['model', 'runs', 'latest run', 'latest started', 'exported records', 'new since', 'new feedback', 'matching filters'];
  return terminalTable(head, rows, { right: new Set([1, 4, 6, 7]) }).map((l) => `${l}\n`).join('');
}

export function trainingCommand(): Command {
  const training = new Command('training').description('Record which model was trained on which export runs, and list them (GET /v1/training-runs)');

  training
    .command('record')
    .description('Record a fine-tuning run against the export runs it trained on (ids from `export` manifests or GET /v1/exports/runs)')
    .requiredOption('--model <name>', 'the model the run produced')
    .option('--export-run <id>', 'an export run it trained on (repeat for several)', collect, [] as string[])
    .option('--base-model <name>', 'the model it was fine-tuned from')
    .option('--hyperparameters <json>', 'a JSON object, e.g. \'{"epochs":3,"learning_rate":2e-4}\'')
    .option('--metrics <json>', 'a JSON object, e.g. \'{"eval_loss":0.41}\'')
    .option('--model-path <path>', 'where the trained model is')
    .option('--started-at <time>', 'ISO 8601 with an offset, e.g. 2026-02-01T10:00:00Z')
    .option('--finished-at <time>', 'ISO 8601 with an offset')
    .option('--training-data-size <n>', 'examples trained on (default: the export runs\' train-side lines)')
    .option('--workspace <id>', 'workspace', 'default')
    .option('--json', 'print the recorded run as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  npx groundtruth training record --model dag-v3 --export-run 0197… --base-model qwen2.5:7b \\\n' +
        '    --hyperparameters \'{"epochs":3}\' --metrics \'{"eval_loss":0.41}\' --model-path /models/dag-v3',
    )
    .action(async (opts: Record<string, string | string[] | boolean | undefined> & { exportRun: string[]; workspace: string }) => {
      const parsed = TrainingRunInput.safeParse({
        modelName: opts.model,
        baseModel: opts.baseModel,
        exportRunIds: opts.exportRun,
        hyperparameters: jsonObjectFlag('--hyperparameters', opts.hyperparameters as string | undefined),
        metrics: jsonObjectFlag('--metrics', opts.metrics as string | undefined),
        modelPath: opts.modelPath,
        startedAt: opts.startedAt,
        finishedAt: opts.finishedAt,
        trainingDataSize: intFlag('--training-data-size', opts.trainingDataSize as string | undefined),
      });
      if (!parsed.success) throw refusal(parsed.error);
      await withStore(async (store) => {
        let run: TrainingRun;
        try {
          run = await createTrainingRun(store.db, { workspaceId: opts.workspace, input: parsed.data, createdBy: null }, clockNow());
        } catch (err) {
          if (err instanceof TrainingRunExportsError) throw new Error(`--export-run: ${err.message.replace('GET /v1/exports/runs', 'the export manifests')}`);
          throw err;
        }
        process.stdout.write(opts.json ? terminalJson(run) : describeRun(run));
      });
    });

  training
    .command('finish')
    .description('Set what became known when a run ended: its end time (default now), metrics, model path')
    .argument('<id>', 'the training run id')
    .option('--finished-at <time>', 'ISO 8601 with an offset (default: now)')
    .option('--metrics <json>', 'a JSON object; replaces the stored metrics')
    .option('--model-path <path>', 'where the trained model is')
    .option('--workspace <id>', 'workspace', 'default')
    .option('--json', 'print the run as JSON')
    .action(async (id: string, opts: { finishedAt?: string; metrics?: string; modelPath?: string; workspace: string; json?: boolean }) => {
      const parsed = TrainingRunPatch.safeParse({
        finishedAt: opts.finishedAt ?? clockNow().toISOString(),
        metrics: jsonObjectFlag('--metrics', opts.metrics),
        modelPath: opts.modelPath,
      });
      if (!parsed.success) throw refusal(parsed.error);
      await withStore(async (store) => {
        let run: TrainingRun | undefined;
        try {
          run = await patchTrainingRun(store.db, opts.workspace, id, parsed.data, clockNow());
        } catch (err) {
          if (err instanceof TrainingRunTimesError) throw new Error(`--finished-at: ${err.message}`);
          throw err;
        }
        if (!run) throw new Error(`No training run ${id} in workspace ${opts.workspace}.`);
        process.stdout.write(opts.json ? terminalJson(run) : tty`Training run ${run.id} of ${run.modelName} finished at ${run.finishedAt}.\n`);
      });
    });

  training
    .command('list')
    .description('Training runs, newest recorded first, with the export runs each trained on')
    .option('--model <name>', 'only runs of this model: which exports trained it')
    .option('--export-run <id>', 'only runs that trained on this export run: which models it trained')
    .option('--limit <n>', `at most this many (1–${TRAINING_RUN_LIMITS.listMaxLimit})`, String(TRAINING_RUN_LIMITS.listDefaultLimit))
    .option('--workspace <id>', 'workspace', 'default')
    .option('--json', 'print {items, nextCursor} as JSON')
    .action(async (opts: { model?: string; exportRun?: string; limit: string; workspace: string; json?: boolean }) => {
      const limit = intFlag('--limit', opts.limit)!;
      if (limit < 1 || limit > TRAINING_RUN_LIMITS.listMaxLimit) throw new Error(`--limit must be from 1 to ${TRAINING_RUN_LIMITS.listMaxLimit}`);
      await withStore(async (store) => {
        const page = await listTrainingRuns(store.db, opts.workspace, { model: opts.model, exportRunId: opts.exportRun, limit });
        if (opts.json) {
          process.stdout.write(terminalJson(page));
          return;
        }
        if (!page.items.length) {
          process.stdout.write('No training runs.\n');
          return;
        }
        const rows = page.items.map((r) => [r.id, r.modelName, orDash(r.baseModel), orDash(r.startedAt), orDash(r.finishedAt), size(r.trainingDataSize), exportsCell(r)]);
        const head = ['id', 'model', 'base model', 'started', 'finished', 'size', 'export runs (train examples)'];
        for (const line of terminalTable(head, rows)) process.stdout.write(`${line}\n`);
        if (page.nextCursor) process.stdout.write(`(more: raise --limit, or page GET /v1/training-runs)\n`);
      });
    });

  training
    .command('stats')
    .description('Per model: runs, the latest, records exported to it, and feedback received since its data was cut (retrain?)')
    .option('--model <name>', 'only this model')
    .option('--workspace <id>', 'workspace', 'default')
    .option('--json', 'print the figures as JSON (GET /v1/training-runs/stats)')
    .addHelpText(
      'after',
      '\n"new feedback" counts live records received after the latest run\'s newest export started; "matching filters" those its\n' +
        'exports\' filters would take again (their time window aside). E.g. retrain when it reaches 20:\n' +
        '  npx groundtruth training stats --model dag-v3 --json | jq \'.models[0].newFeedback.matching\'',
    )
    .action(async (opts: { model?: string; workspace: string; json?: boolean }) => {
      await withStore(async (store) => {
        const stats = await trainingStats(store.db, opts.workspace, { model: opts.model }, clockNow());
        process.stdout.write(opts.json ? terminalJson(stats) : renderStats(stats));
      });
    });

  return training;
}
