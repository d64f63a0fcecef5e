import type { RefusalCount, StorageInfo, UsageDay, UsageEntry, UsageExport, UsageModel } from '../../../electron/shared/types';
import type { SliceCreator } from './store-types';

export const USAGE_PAGE_SIZE = 100;
export const USAGE_CHART_DAYS = 14;
/** The most a refresh re-reads (the schema's limit), so loaded older pages survive a push-event refresh. */
const USAGE_MAX_REFRESH = 1000;

export interface UsageSlice {
  usage: UsageEntry[];
  usageDaily: UsageDay[];
  /** Cost per model over the chart's days, under the same sub-key filter. */
  usageModels: UsageModel[];
  /** Requests refused before a sub-key was known, per reason (counted, not in the log). */
  usageRefusals: RefusalCount[];
  usageLoaded: boolean;
  /** Whether older entries may exist beyond the loaded ones. */
  usageHasMore: boolean;
  /** Show only this sub-key's requests; null = all. */
  usageSubkeyId: string | null;
  refreshUsage: () => Promise<void>;
  /** Re-reads the per-day and per-model totals and refusal counts only (all small: the log is not read). */
  refreshUsageTotals: () => Promise<void>;
  /** Merges pushed rows into the loaded log (by id, newest first), keeping to the sub-key filter. */
  patchUsage: (entries: readonly UsageEntry[]) => void;
  setUsageSubkey: (subkeyId: string | null) => Promise<void>;
  /** Appends the next page of older entries (cursor: the oldest loaded id). */
  loadOlderUsage: () => Promise<void>;
  /** The store's size on disk and the oldest request kept (the storage panel); null until read. */
  usageStorage: StorageInfo | null;
  refreshUsageStorage: () => Promise<void>;
  /** Exports the log under the current sub-key filter as CSV (desktop: a file the user picks; browser: a download). */
  exportUsage: () => Promise<UsageExport>;
}

/** Recent proxied requests, per-day totals and the counts of refusals before authentication, for the Usage screen. */
export const createUsageSlice: SliceCreator<UsageSlice> = (api) => (set, get) => ({
  usage: [],
  usageDaily: [],
  usageModels: [],
  usageRefusals: [],
  usageLoaded: false,
  usageHasMore: false,
  usageSubkeyId: null,
  usageStorage: null,
  exportUsage() {
    const subkeyId = get().usageSubkeyId;
    return api['usage:export'](subkeyId ? { subkeyId } : {});
  },
  async refreshUsageStorage() {
    set({ usageStorage: await api['usage:storage']({}) });
  },
  async refreshUsage() {
    const subkeyId = get().usageSubkeyId ?? undefined;
    const limit = Math.min(USAGE_MAX_REFRESH, Math.max(USAGE_PAGE_SIZE, get().usage.length));
    const [usage, usageDaily, usageRefusals, usageModels] = await Promise.all([
      api['usage:list']({ limit, ...(subkeyId ? { subkeyId } : {}) }),
      api['usage:daily']({ days: USAGE_CHART_DAYS, ...(subkeyId ? { subkeyId } : {}) }),
      api['usage:refusals']({}),
      api['usage:models']({ days: USAGE_CHART_DAYS, ...(subkeyId ? { subkeyId } : {}) }),
    ]);
    // A filter change while this was in flight wins.
    if ((get().usageSubkeyId ?? undefined) !== subkeyId) return;
    set({ usage, usageDaily, usageRefusals, usageModels, usageLoaded: true, usageHasMore: usage.length === limit });
  },
  async refreshUsageTotals() {
    const subkeyId = get().usageSubkeyId ?? undefined;
    const [usageDaily, usageRefusals, usageModels] = await Promise.all([
      api['usage:daily']({ days: USAGE_CHART_DAYS, ...(subkeyId ? { subkeyId } : {}) }),
      api['usage:refusals']({}),
      api['usage:models']({ days: USAGE_CHART_DAYS, ...(subkeyId ? { subkeyId } : {}) }),
    ]);
    if ((get().usageSubkeyId ?? undefined) !== subkeyId) return;
    set({ usageDaily, usageRefusals, usageModels });
  },
  patchUsage(entries) {
    const { usage, usageSubkeyId, usageLoaded } = get();
    if (!usageLoaded) return;
    const wanted = entries.filter((entry) => usageSubkeyId === null || entry.subkeyId === usageSubkeyId);
    if (wanted.length === 0) return;
    // The first of several versions of a row is the newest; older pages stay as loaded.
    const byId = new Map<number, UsageEntry>();
    for (const entry of wanted) if (!byId.has(entry.id)) byId.set(entry.id, entry);
    const oldest = usage.at(-1)?.id ?? -Infinity;
    const merged = usage.map((entry) => {
      const update = byId.get(entry.id);
      if (update) byId.delete(entry.id);
      return update ?? entry;
    });
    const added = [...byId.values()].filter((entry) => entry.id > oldest || !get().usageHasMore);
    if (added.length === 0 && merged.every((entry, i) => entry === usage[i])) return;
    // The log keeps its length: what a refresh would re-read (the newest ones), older ones a page away again.
    const all = [...added, ...merged].sort((x, y) => y.id - x.id);
    const keep = Math.max(USAGE_PAGE_SIZE, usage.length);
    set({ usage: all.slice(0, keep), ...(all.length > keep && { usageHasMore: true }) });
  },
  async setUsageSubkey(subkeyId) {
    set({ usageSubkeyId: subkeyId, usage: [] });
    await get().refreshUsage();
  },
  async loadOlderUsage() {
    const { usage, usageSubkeyId } = get();
    const oldest = usage.at(-1);
    if (!oldest) return;
    const older = await api['usage:list']({ limit: USAGE_PAGE_SIZE, before: oldest.id, ...(usageSubkeyId ? { subkeyId: usageSubkeyId } : {}) });
    if (get().usageSubkeyId !== usageSubkeyId || get().usage.at(-1)?.id !== oldest.id) return;
    set({ usage: [...usage, ...older], usageHasMore: older.length === USAGE_PAGE_SIZE });
  },
});
