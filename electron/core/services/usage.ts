import { createWriteStream } from 'node:fs';
import type { ChannelParsed } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import type { RefusalCount, StorageInfo, UsageDay, UsageEntry, UsageExport, UsageModel } from '../../shared/types';
import type { Database } from '../store/database';
import { refusalCounts } from '../store/refusals-repo';
import { dailyUsage, listUsage, modelUsage } from '../store/usage-repo';
import { oldestUsageAt, shrinksIncrementally, storeBytes } from '../store/usage-retention';
import { isoOrNull } from '../store/statements';
import { writeUsageCsv } from './usage-export';

export const DEFAULT_USAGE_LIMIT = 100;
export const DEFAULT_USAGE_DAYS = 30;

/**
 * usage:* — the request log (newest first, paged by id), per-day totals for the chart, the counts of requests
 * refused before a sub-key was known, and the store's size.
 */
export function createUsageService(deps: { db: Database; now?: () => number; pickExportFile?: () => Promise<string | null> }) {
  const { db } = deps;
  const now = deps.now ?? Date.now;
  return {
    list(input: ChannelParsed<'usage:list'>): UsageEntry[] {
      return listUsage(db, { subkeyId: input.subkeyId, before: input.before, limit: input.limit ?? DEFAULT_USAGE_LIMIT });
    },
    daily(input: ChannelParsed<'usage:daily'>): UsageDay[] {
      return dailyUsage(db, { days: input.days ?? DEFAULT_USAGE_DAYS, subkeyId: input.subkeyId, now: now() });
    },
    /** Cost per model over the same days and sub-key filter as `daily`. */
    models(input: ChannelParsed<'usage:models'>): UsageModel[] {
      return modelUsage(db, { days: input.days ?? DEFAULT_USAGE_DAYS, subkeyId: input.subkeyId, now: now() });
    },
    refusals(): RefusalCount[] {
      return refusalCounts(db, now());
    },
    /** Streams the filtered log as CSV into the file the user picks (the save dialog is the host's). */
    async export(input: ChannelParsed<'usage:export'>): Promise<UsageExport> {
      if (!deps.pickExportFile) {
        throw new AppError('INVALID_INPUT', 'usage:export saves a file from the desktop app; over HTTP, GET /admin/api/usage/export answers the CSV itself.');
      }
      const path = await deps.pickExportFile();
      if (path === null) return { path: null, rows: 0 };
      // 0o600: the log names keys and models, like the store it comes from.
      const rows = await writeUsageCsv(db, input, createWriteStream(path, { mode: 0o600 }));
      return { path, rows };
    },
    storage(): StorageInfo {
      return { sizeBytes: storeBytes(db), oldestRequestAt: isoOrNull(oldestUsageAt(db)), shrinks: shrinksIncrementally(db) };
    },
  };
}

export type UsageService = ReturnType<typeof createUsageService>;
