/**
 * Every migration, in order. Names are numbered in tens ("0010-init", "0020-…"); a shipped
 * migration is never edited — add the next one instead. test/conventions checks the numbering.
 */
import type { Migration } from 'kysely';
import * as m0010 from './0010-init.ts';
import * as m0020 from './0020-insights.ts';
import * as m0030 from './0030-items-events.ts';
import * as m0040 from './0040-governance.ts';
import * as m0050 from './0050-extension-config.ts';
import * as m0060 from './0060-dashboard.ts';
import * as m0070 from './0070-config-versions.ts';
import * as m0080 from './0080-site-health.ts';
import * as m0090 from './0090-feedback-conversation-index.ts';
import * as m0100 from './0100-ids-per-workspace.ts';
import * as m0110 from './0110-audit.ts';
import * as m0120 from './0120-criteria-columns.ts';
import * as m0130 from './0130-rollups-by-criterion.ts';
import * as m0140 from './0140-conversation-logs.ts';
import * as m0150 from './0150-items-as-posted.ts';
import * as m0160 from './0160-training-runs.ts';
import * as m0170 from './0170-trace-actors.ts';
import * as m0180 from './0180-lexical-search.ts';
import * as m0190 from './0190-work-queue-and-vectors.ts';
import * as m0200 from './0200-sources-and-queues.ts';
import * as m0210 from './0210-feedback-links.ts';
import * as m0220 from './0220-public-keys.ts';
import * as m0230 from './0230-connect-codes.ts';
import * as m0240 from './0240-flat-insights.ts';
import * as m0250 from './0250-filter-indexes.ts';

export const MIGRATIONS: Record<string, Migration> = {
  '0010-init': m0010,
  '0020-insights': m0020,
  '0030-items-events': m0030,
  '0040-governance': m0040,
  '0050-extension-config': m0050,
  '0060-dashboard': m0060,
  '0070-config-versions': m0070,
  '0080-site-health': m0080,
  '0090-feedback-conversation-index': m0090,
  '0100-ids-per-workspace': m0100,
  '0110-audit': m0110,
  '0120-criteria-columns': m0120,
  '0130-rollups-by-criterion': m0130,
  '0140-conversation-logs': m0140,
  '0150-items-as-posted': m0150,
  '0160-training-runs': m0160,
  '0170-trace-actors': m0170,
  '0180-lexical-search': m0180,
  '0190-work-queue-and-vectors': m0190,
  '0200-sources-and-queues': m0200,
  '0210-feedback-links': m0210,
  '0220-public-keys': m0220,
  '0230-connect-codes': m0230,
  '0240-flat-insights': m0240,
  '0250-filter-indexes': m0250,
};
