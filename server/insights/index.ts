/**
 * The insights API for other parts of the server (routes, dashboard, CLI). Every function takes a
 * Kysely handle and a workspace id and reads rollups only (never raw rows).
 *
 *   accuracy(db, workspaceId, { groupBy?, since?, until?, model? })  → groups with Wilson intervals
 *   stats(db, workspaceId, { days, now? })                           → window vs previous window
 *   agreement(db, workspaceId, { model?, disputedLimit? })           → alpha, percent agreement, disputed
 */
export { accuracy, THIN_BELOW, type AccuracyGroup, type AccuracyOptions, type AccuracyResult } from './accuracy.ts';
export { agreement, type AgreementOptions, type AgreementResult, type DisputedTarget } from './agreement.ts';
export { krippendorffAlpha, type AlphaResult, type Metric } from './krippendorff.ts';
export { DIMENSIONS, rebuildRollups, type Dimension } from './rollups.ts';
export { stats, type DayFigures, type StatsOptions, type StatsResult, type WindowFigures } from './stats.ts';
export { wilson, Z95, type Interval } from './wilson.ts';
