import type { UsageDay } from '../../../electron/shared/types';

/** One sub-key's totals over the days read: charged requests, their tokens, the cost of the priced ones. */
export interface KeyCost {
  /** The sub-key id; for a deleted key `deleted:<name>`, for requests without a known key `unknown`. */
  key: string;
  label: string;
  requests: number;
  totalTokens: number;
  costUsd: number;
  unpricedRequests: number;
}

/**
 * The per-day totals summed per sub-key, dearest first (then by name), and the sum of all: what the Usage screen's
 * cost table shows. Keys with no charged request in the days read (only refusals) are left out.
 */
export function costByKey(daily: UsageDay[], nameOf: (entry: UsageDay) => string): { keys: KeyCost[]; total: Omit<KeyCost, 'key' | 'label'> } {
  const keys = new Map<string, KeyCost>();
  const total = { requests: 0, totalTokens: 0, costUsd: 0, unpricedRequests: 0 };
  for (const entry of daily) {
    if (entry.requests === 0) continue;
    const key = entry.subkeyId ?? (entry.subkeyDeleted ? `deleted:${entry.subkeyName}` : 'unknown');
    let row = keys.get(key);
    if (!row) keys.set(key, (row = { key, label: nameOf(entry), requests: 0, totalTokens: 0, costUsd: 0, unpricedRequests: 0 }));
    for (const sum of [row, total]) {
      sum.requests += entry.requests;
      sum.totalTokens += entry.totalTokens;
      sum.costUsd += entry.costUsd;
      sum.unpricedRequests += entry.unpricedRequests;
    }
  }
  return { keys: [...keys.values()].sort((a, b) => b.costUsd - a.costUsd || a.label.localeCompare(b.label)), total };
}
