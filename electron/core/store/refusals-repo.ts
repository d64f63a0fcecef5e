import type { RefusalCount } from '../../shared/types';
import type { Database } from './database';
import { statement } from './statements';

const HOUR_MS = 3_600_000;

/**
 * Requests refused before a sub-key was known, per reason, over the last 24 and 168 hourly counters (the current
 * hour included); most frequent first. The proxy writes the counters (`refusal_counts`) through its WriteBatcher.
 */
export function refusalCounts(db: Database, now: number): RefusalCount[] {
  const hour = Math.floor(now / HOUR_MS) * HOUR_MS;
  const sql = `SELECT reason, sum(CASE WHEN hour >= @day THEN count ELSE 0 END) AS last_day, sum(count) AS last_week
               FROM refusal_counts WHERE hour >= @week
               GROUP BY reason ORDER BY last_week DESC, reason`;
  const rows = statement<[Record<string, number>], { reason: string; last_day: number; last_week: number }>(db, sql).all({
    day: hour - 23 * HOUR_MS,
    week: hour - 167 * HOUR_MS,
  });
  return rows.map((row) => ({ reason: row.reason, lastDay: row.last_day, lastWeek: row.last_week }));
}
