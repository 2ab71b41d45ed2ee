/**
 * `npm run bench [name…]`: runs every benchmark (or the named ones) and prints their figures.
 * Each benchmark measures against a baseline in the same run (ratios), because this machine is
 * shared and noisy. Add a benchmark by writing test/bench/<name>.ts with a default export
 * `{ name, description, run }` and listing it below.
 */
export interface Bench {
  name: string;
  description: string;
  run(): Promise<Record<string, unknown>>;
}

const BENCHES: Record<string, () => Promise<{ default: Bench }>> = {
  sync: () => import('./sync.ts'),
  'write-path': () => import('./write-path.ts'),
  load: () => import('./load.ts'),
  'load-servers': async () => ({ default: (await import('./load.ts')).serversBench }),
  crash: () => import('./crash.ts'),
  exports: () => import('./exports.ts'),
  'feedback-list': () => import('./feedback-list.ts'),
  extension: () => import('./extension.ts'),
  redact: () => import('./redact.ts'),
  observe: () => import('./observe.ts'),
  search: () => import('./search.ts'),
  'index-lag': () => import('./index-lag.ts'),
  queues: () => import('./queues.ts'),
  agreement: () => import('./agreement.ts'),
  insights: () => import('./insights.ts'),
  startup: () => import('./startup.ts'),
  'lexical-lag': () => import('./lexical-lag.ts'),
  embed: () => import('./embed.ts'),
};

const wanted = process.argv.slice(2);
const names = wanted.length ? wanted : Object.keys(BENCHES);
const unknown = names.filter((n) => !BENCHES[n]);
if (unknown.length) {
  console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Known: ${Object.keys(BENCHES).join(', ')}`);
  process.exit(2);
}
const report: Record<string, unknown> = {};
for (const name of names) {
  const bench = (await BENCHES[name]!()).default;
  console.log(`\n== ${bench.name}: ${bench.description}`);
  const started = performance.now();
  const figures = await bench.run();
  console.log(JSON.stringify(figures, null, 2));
  console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
  report[name] = figures;
}
process.exit(0);
