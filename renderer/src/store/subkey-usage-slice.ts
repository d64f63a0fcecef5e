import type { UsageDay, UsageEntry } from '../../../electron/shared/types';
import type { SliceCreator } from './store-types';
import { USAGE_CHART_DAYS } from './usage-slice';

/** How many of a key's latest requests its page reads: the models it used most and its refusals are counted in them. */
export const SUBKEY_RECENT_REQUESTS = 1000;

/** One sub-key's usage, for its own page. */
export interface SubkeyUsage {
  subkeyId: string;
  /** Its latest requests, newest first (at most SUBKEY_RECENT_REQUESTS). */
  recent: UsageEntry[];
  /** Its per-day totals over the chart's days. */
  daily: UsageDay[];
}

export interface SubkeyUsageSlice {
  /** The usage of the key whose page is open; null before the first read. */
  subkeyUsage: SubkeyUsage | null;
  refreshSubkeyUsage: (subkeyId: string) => Promise<void>;
}

/** A key's own usage, apart from the Usage screen's (whose key filter it leaves alone). */
export const createSubkeyUsageSlice: SliceCreator<SubkeyUsageSlice> = (api) => (set, get) => ({
  subkeyUsage: null,
  async refreshSubkeyUsage(subkeyId) {
    const [recent, daily] = await Promise.all([
      api['usage:list']({ subkeyId, limit: SUBKEY_RECENT_REQUESTS }),
      api['usage:daily']({ subkeyId, days: USAGE_CHART_DAYS }),
    ]);
    // Another key's page opened while this was in flight: its answer wins.
    if (get().subkeyPageId !== subkeyId) return;
    set({ subkeyUsage: { subkeyId, recent, daily } });
  },
});
