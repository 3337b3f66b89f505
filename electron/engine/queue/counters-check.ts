import { MEMBER_JOIN, STATUS_SQL } from './status.ts';

/**
 * The status counters (campaign_counts) against a count of the rows: one row per campaign and
 * status where they differ. Used by the thorough ledger check (invariants.ts) and by the check
 * after start (db/check-worker.ts), which runs this file from source with Node's type stripping:
 * keep its imports to import-free files. The statuses are those readers see (queue/status.ts).
 */
export const COUNTERS_OFF_SQL = `SELECT campaign_id, status, SUM(real) AS real, SUM(kept) AS kept FROM (
         SELECT m.campaign_id, ${STATUS_SQL} AS status, COUNT(*) AS real, 0 AS kept FROM messages m ${MEMBER_JOIN} GROUP BY 1, 2
         UNION ALL SELECT campaign_id, status, 0, n FROM campaign_counts)
       GROUP BY 1, 2 HAVING SUM(real) != SUM(kept)`;

export interface CountersOffRow {
  campaign_id: number;
  status: string;
  real: number;
  kept: number;
}
