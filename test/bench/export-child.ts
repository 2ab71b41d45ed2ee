/**
 * One export (as `groundtruth export` runs it: files, manifest, export run) in a process of its own, so its peak memory is its own: prints JSON with rows read,
 * lines written, time and memory (maxRSS from the OS, and the largest heapUsed sampled every 10 ms).
 * Run by test/bench/exports.ts: `node --import tsx test/bench/export-child.ts '<json options>'`.
 */
import fs from 'node:fs';
import { openStore } from '../../server/store/open.ts';
import { exportToFiles } from '../../server/exports/files.ts';
import type { ExportOptions } from '../../server/exports/stream.ts';

const { dataDir, out, options } = JSON.parse(process.argv[2]!) as { dataDir: string; out: string; options: ExportOptions };
const store = await openStore({ dataDir });
global.gc?.();
const baseline = process.memoryUsage();
let peakHeap = baseline.heapUsed;
let peakRss = baseline.rss;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peakHeap = Math.max(peakHeap, m.heapUsed);
  peakRss = Math.max(peakRss, m.rss);
}, 10);
const started = performance.now();
const { manifest, paths } = await exportToFiles(store, 'default', options, out);
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
await store.close();
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
process.stdout.write(
  `${JSON.stringify({
    rows: manifest.counts.read,
    lines: manifest.files.reduce((s, f) => s + f.rows, 0),
    bytes: manifest.files.reduce((s, f) => s + f.bytes, 0),
    seconds: Math.round(seconds * 100) / 100,
    rowsPerSecond: Math.round(manifest.counts.read / seconds),
    baselineRssMB: mb(baseline.rss),
    peakRssSampledMB: mb(peakRss),
    maxRssMB: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10,
    peakHeapUsedMB: mb(peakHeap),
  })}\n`,
);
for (const f of [...paths.files, paths.manifest]) fs.rmSync(f, { force: true });
