/**
 * The exports API for other parts of the server (routes, dashboard, CLI).
 *
 *   streamExport(store, workspaceId, options, writable | {train, validation}) → counts, files (sha256)
 *   exportLines(db, workspaceId, prepareExport(options), counts)               → async lines, lowest level
 *   exportToFiles(store, workspaceId, options, outPath, hooks)                  → files + manifest + export run (hooks.force replaces files)
 *   importRecords(db, readable, { workspaceId?, partial? })                     → restores a jsonl export, all or nothing unless partial
 *   listExportRuns(db, workspaceId) / getExportRun(db, workspaceId, id)
 *
 * options: { format, filters?: the filters of every list (shared/filters.ts: since, until, model, …,
 * hasCorrection) plus days (default 7) or all, split?: 0.1, weights?: { up, down } }.
 * counts: read, examples, merged, leaksDropped, made (lines by how they were made), leftOut (records
 * not written, by reason; skipped is their sum). Feedback on items trains with its item (ADR 0037).
 */
export { exportToFiles } from './files.ts';
export { DEFAULT_EXPORT_DAYS, ExportFilterInput, resolveFilters, type ResolvedFilters } from './filters.ts';
export { FORMAT_NAMES, FORMATS, type FormatName } from './formats/index.ts';
export { importRecords, type ImportOptions, type ImportReport } from './import.ts';
export { type Manifest } from './manifest.ts';
export { LEFT_OUT_REASONS, MADE_BY, describeCounts, type LeftOutReason, type MadeBy } from './tally.ts';
export { getExportRun, listExportRuns, type ExportFile, type ExportRun } from './runs.ts';
export { sideOf, splitKeyOf } from './split.ts';
export {
  countExportRows,
  emptyCounts,
  exportLines,
  openExportReader,
  prepareExport,
  streamExport,
  type ExportCounts,
  type ExportOptions,
  type PreparedExport,
} from './stream.ts';
export { validateOpenAIChatExample, validateOpenAIPreferenceExample } from './validate-openai-chat.ts';
