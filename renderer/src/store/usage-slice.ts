import type { UsageDay, UsageEntry } from '../../../electron/shared/types';
import type { SliceCreator } from './store-types';

export const USAGE_PAGE_SIZE = 100;
export const USAGE_CHART_DAYS = 14;

export interface UsageSlice {
  usage: UsageEntry[];
  usageDaily: UsageDay[];
  usageLoaded: boolean;
  /** Show only this sub-key's requests; null = all. */
  usageSubkeyId: string | null;
  refreshUsage: () => Promise<void>;
  setUsageSubkey: (subkeyId: string | null) => Promise<void>;
}

/** Recent proxied requests and per-day totals, for the Usage screen. */
export const createUsageSlice: SliceCreator<UsageSlice> = (api) => (set, get) => ({
  usage: [],
  usageDaily: [],
  usageLoaded: false,
  usageSubkeyId: null,
  async refreshUsage() {
    const subkeyId = get().usageSubkeyId ?? undefined;
    const [usage, usageDaily] = await Promise.all([
      api['usage:list']({ limit: USAGE_PAGE_SIZE, ...(subkeyId ? { subkeyId } : {}) }),
      api['usage:daily']({ days: USAGE_CHART_DAYS, ...(subkeyId ? { subkeyId } : {}) }),
    ]);
    // A filter change while this was in flight wins.
    if ((get().usageSubkeyId ?? undefined) !== subkeyId) return;
    set({ usage, usageDaily, usageLoaded: true });
  },
  async setUsageSubkey(subkeyId) {
    set({ usageSubkeyId: subkeyId });
    await get().refreshUsage();
  },
});
