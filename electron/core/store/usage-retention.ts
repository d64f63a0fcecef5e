import { statSync } from 'node:fs';
import type { Database } from './database';
import { readSetting, SETTING_KEYS } from './settings-repo';
import { statement } from './statements';

/** Days the request log keeps a row unless the settings say otherwise; `usage_daily` keeps its totals for good. */
export const DEFAULT_RETENTION_DAYS = 90;
const DAY_MS = 86_400_000;

/** Days request rows are kept (the `proxy:configure` setting, else the default). */
export function readRetentionDays(db: Database): number {
  const value = readSetting(db, SETTING_KEYS.usageRetentionDays);
  return Number.isInteger(value) && (value as number) > 0 ? (value as number) : DEFAULT_RETENTION_DAYS;
}

/** Rows that started before this moment (ms) are past retention. */
export function retentionCutoff(now: number, days: number): number {
  return now - days * DAY_MS;
}

export interface PruneStep {
  deleted: number;
  /** The last row id this step looked at: where the next step goes on. */
  lastId: number;
  /** No row past retention is left after `lastId` (a row newer than the cutoff was reached, or the log's end). */
  done: boolean;
}

/**
 * Deletes the rows past retention among the next `limit` rows after `afterId`: rows are walked in id order, which is
 * the order requests started in, so the oldest come first and a pass stops at the first newer row instead of
 * reading the whole log. Rows still in flight are kept (their request may still complete them). The roll-up is left
 * as it is: its totals outlive the rows.
 */
export function pruneUsageStep(db: Database, cutoff: number, afterId: number, limit: number): PruneStep {
  const seen = statement<[number, number, number], { n: number; last: number | null; reached: number | null }>(
    db,
    'SELECT count(*) AS n, max(id) AS last, max(at >= ?) AS reached FROM (SELECT id, at FROM usage WHERE id > ? ORDER BY id LIMIT ?)',
  ).get(cutoff, afterId, limit)!;
  if (seen.last === null) return { deleted: 0, lastId: afterId, done: true };
  const deleted = statement(
    db,
    'DELETE FROM usage WHERE id > ? AND id <= ? AND at < ? AND (status IS NOT NULL OR refusal IS NOT NULL)',
  ).run(afterId, seen.last, cutoff).changes;
  return { deleted, lastId: seen.last, done: seen.n < limit || seen.reached === 1 };
}

/** Whether the file gives freed pages back (`auto_vacuum = INCREMENTAL`) rather than only reusing them. */
export function shrinksIncrementally(db: Database): boolean {
  return db.pragma('auto_vacuum', { simple: true }) === 2;
}

/** Pages the file holds free. */
export function freePageCount(db: Database): number {
  return db.pragma('freelist_count', { simple: true }) as number;
}

/** Gives up to `pages` free pages back to the file system (they leave the file at the next checkpoint). */
export function vacuumStep(db: Database, pages: number): void {
  db.pragma(`incremental_vacuum(${Math.max(1, Math.floor(pages))})`);
}

/** Copies the write-ahead log into the file and empties it, so both the file's new end and the log's show on disk. */
export function checkpointAndTruncate(db: Database): void {
  db.pragma('wal_checkpoint(TRUNCATE)');
}

/**
 * Turns `auto_vacuum = INCREMENTAL` on for a store made before Keygate set it (a new store has it from its first
 * page, see openDatabase). That takes one VACUUM, which rewrites the whole file and holds the thread meanwhile, so it
 * runs at start, before the proxy serves, and only when the live data is at most `maxLiveBytes` (about a second's
 * work). A bigger store waits: pruning frees its old pages (reused for new rows, so the file stops growing), and a
 * later start finds it small enough. Answers whether it vacuumed.
 */
export function switchToIncrementalVacuum(db: Database, maxLiveBytes: number): boolean {
  if (shrinksIncrementally(db)) return false;
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const livePages = (db.pragma('page_count', { simple: true }) as number) - freePageCount(db);
  if (livePages * pageSize > maxLiveBytes) return false;
  db.pragma('auto_vacuum = INCREMENTAL');
  db.exec('VACUUM');
  checkpointAndTruncate(db);
  return shrinksIncrementally(db);
}

/** The store's size on disk: the database file and its write-ahead log. */
export function storeBytes(db: Database): number {
  const size = (path: string) => {
    try {
      return statSync(path).size;
    } catch {
      return 0;
    }
  };
  return size(db.name) + size(`${db.name}-wal`);
}

/** When the oldest request the log keeps started (ms), or null for an empty log. */
export function oldestUsageAt(db: Database): number | null {
  return statement<[], number>(db, 'SELECT at FROM usage ORDER BY id LIMIT 1').pluck().get() ?? null;
}
