import { INTERRUPTED_REFUSAL, WS_CLOSE_REFUSAL_PREFIX, type UsageEntry } from '../../../electron/shared/types';

/** A model a key used, with how often and how many tokens. */
export interface ModelUse {
  model: string;
  requests: number;
  tokens: number;
}

/** Requests of a key refused for one reason. */
export interface RefusalGroup {
  reason: string;
  count: number;
  /** The latest one's time. */
  lastAt: string;
}

/** A WebSocket connection's own row: not a request (its responses have rows of their own). */
function isConnectionRow(entry: UsageEntry): boolean {
  return entry.refusal?.startsWith(WS_CLOSE_REFUSAL_PREFIX) ?? false;
}

/** Refused by the proxy or closed by the client: the daily totals count these apart from the charged requests. */
function isRefused(entry: UsageEntry): boolean {
  return entry.refusal !== null && entry.refusal !== INTERRUPTED_REFUSAL && !isConnectionRow(entry);
}

/**
 * The models a key's requests went to, most requests first (then most tokens, then by name), at most `limit`.
 * Only charged requests count: refused ones never reached the model.
 */
export function modelsUsedMost(entries: readonly UsageEntry[], limit = 5): ModelUse[] {
  const uses = new Map<string, ModelUse>();
  for (const entry of entries) {
    if (entry.model === null || isRefused(entry) || isConnectionRow(entry)) continue;
    const use = uses.get(entry.model) ?? { model: entry.model, requests: 0, tokens: 0 };
    use.requests += 1;
    use.tokens += entry.totalTokens ?? 0;
    uses.set(entry.model, use);
  }
  return [...uses.values()].sort((a, b) => b.requests - a.requests || b.tokens - a.tokens || a.model.localeCompare(b.model)).slice(0, limit);
}

/** A key's refused requests grouped by reason, the most frequent first (then the most recent). */
export function refusalsByReason(entries: readonly UsageEntry[]): RefusalGroup[] {
  const groups = new Map<string, RefusalGroup>();
  for (const entry of entries) {
    if (!isRefused(entry)) continue;
    const group = groups.get(entry.refusal!);
    if (!group) groups.set(entry.refusal!, { reason: entry.refusal!, count: 1, lastAt: entry.at });
    else {
      group.count += 1;
      if (Date.parse(entry.at) > Date.parse(group.lastAt)) group.lastAt = entry.at;
    }
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || Date.parse(b.lastAt) - Date.parse(a.lastAt));
}
