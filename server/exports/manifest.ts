/**
 * Where a file export goes and what it says about itself: `--out x.jsonl` writes x.jsonl (or
 * x.train.jsonl and x.validation.jsonl with a split) and x.manifest.json with the format, the
 * resolved filters, counts per split, the sha256 of each file and the time.
 */
import path from 'node:path';
import type { ExportCounts } from './stream.ts';
import type { ResolvedFilters } from './filters.ts';
import type { ExportFile } from './runs.ts';
import type { GoldSummary } from './gold.ts';

export interface OutputPaths {
  files: Partial<Record<'all' | 'train' | 'validation', string>>;
  manifest: string;
}

/** x.jsonl → x.jsonl + x.manifest.json; with a split x.train.jsonl, x.validation.jsonl + x.manifest.json. */
export function outputPaths(out: string, extension: string, split: boolean): OutputPaths {
  const ext = path.extname(out) || `.${extension}`;
  const base = path.extname(out) ? out.slice(0, -ext.length) : out;
  return {
    files: split ? { train: `${base}.train${ext}`, validation: `${base}.validation${ext}` } : { all: `${base}${ext}` },
    manifest: `${base}.manifest.json`,
  };
}

export interface Manifest {
  manifestVersion: 1;
  runId: string;
  workspaceId: string;
  format: string;
  filters: ResolvedFilters;
  split: number | null;
  counts: ExportCounts;
  files: ExportFile[];
  startedAt: string;
  finishedAt: string;
  /** With `gold=adjudicated`: the gold lines, from which queue, how many reviews they replaced (also in `counts.gold`). */
  gold?: GoldSummary;
}

export function buildManifest(m: Omit<Manifest, 'manifestVersion'>): Manifest {
  return { manifestVersion: 1, ...m };
}
