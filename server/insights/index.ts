/**
 * The insights API for other parts of the server (routes, dashboard, CLI). Every function takes a
 * Kysely handle, a workspace id and the filters of every list (InsightFilters: since, until, model,
 * intent, project, site, kind, criterion, subject, conversationId, rater, thumb, minStars,
 * maxStars, label, hasCorrection). Filters the rollups are kept by (DIMENSIONS, whole UTC days)
 * read the rollups; any other filter counts the matching rows exactly (exact.ts). Every figure is
 * for criterion `overall` unless a `criterion` filter names another or it is broken down by criterion.
 *
 *   accuracy(db, workspaceId, { groupBy?, ...filters })              → groups with Wilson intervals
 *   stats(db, workspaceId, { days, now?, ...filters but since/until })→ window vs previous window
 *   agreement(db, workspaceId, { disputedLimit?, ...filters })       → alpha, percent agreement, disputed, byCriterion
 *   calibration(db, workspaceId, { judge, criterion?, scale?, ... })  → a judge against people: kappa, matrix, disagreements
 *
 * Figures count people's ratings (source.type human) unless a `sourceType` or `judge` filter asks
 * for others (filters.ts, withDefaultSource); the rollups hold people only.
 */
export { accuracy, THIN_BELOW, type AccuracyGroup, type AccuracyOptions, type AccuracyResult } from './accuracy.ts';
export { calibration, fewShotExamples, listJudges, type CalibrationUnits } from './calibration.ts';
export { agreement, type AgreementOptions, type AgreementResult, type DisputedTarget } from './agreement.ts';
export { krippendorffAlpha, type AlphaResult, type Metric } from './krippendorff.ts';
export { DIMENSIONS, rebuildRollups, type Dimension } from './rollups.ts';
export { type InsightFilters } from './filters.ts';
export { stats, type DayFigures, type StatsOptions, type StatsResult, type WindowFigures } from './stats.ts';
export { wilson, Z95, type Interval } from './wilson.ts';
