import type { ChannelParsed } from '../../shared/contract';
import type { RefusalCount, StorageInfo, UsageDay, UsageEntry } from '../../shared/types';
import type { Database } from '../store/database';
import { refusalCounts } from '../store/refusals-repo';
import { dailyUsage, listUsage } from '../store/usage-repo';
import { oldestUsageAt, shrinksIncrementally, storeBytes } from '../store/usage-retention';
import { isoOrNull } from '../store/statements';

export const DEFAULT_USAGE_LIMIT = 100;
export const DEFAULT_USAGE_DAYS = 30;

/**
 * usage:* — the request log (newest first, paged by id), per-day totals for the chart, the counts of requests
 * refused before a sub-key was known, and the store's size.
 */
export function createUsageService(deps: { db: Database; now?: () => number }) {
  const { db } = deps;
  const now = deps.now ?? Date.now;
  return {
    list(input: ChannelParsed<'usage:list'>): UsageEntry[] {
      return listUsage(db, { subkeyId: input.subkeyId, before: input.before, limit: input.limit ?? DEFAULT_USAGE_LIMIT });
    },
    daily(input: ChannelParsed<'usage:daily'>): UsageDay[] {
      return dailyUsage(db, { days: input.days ?? DEFAULT_USAGE_DAYS, subkeyId: input.subkeyId, now: now() });
    },
    refusals(): RefusalCount[] {
      return refusalCounts(db, now());
    },
    storage(): StorageInfo {
      return { sizeBytes: storeBytes(db), oldestRequestAt: isoOrNull(oldestUsageAt(db)), shrinks: shrinksIncrementally(db) };
    },
  };
}

export type UsageService = ReturnType<typeof createUsageService>;
