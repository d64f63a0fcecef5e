import type { KeyCache, SubkeyState } from './key-cache';
import { proxyErrors } from './proxy-error';
import type { UsageRecord } from './usage-record';
import type { SpendChange, WriteBatcher } from './write-batcher';

/**
 * Refuses a sub-key with no requests left before its body is read (429): a spent key must not make the proxy read
 * and parse a large body, nor open a WebSocket that could send nothing. Only an early answer; `reserveQuota` still takes
 * the request.
 */
export function checkQuotaLeft(subkey: SubkeyState): void {
  if (subkey.remaining !== null && subkey.remaining <= 0) throw proxyErrors.quotaSpent();
}

/**
 * Takes `count` requests (one, or a batch's lines: all or none) from the sub-key's quota and queues the in-flight usage
 * row with it, its journal row carrying the change (and `spend`, what the request took from its budgets). The
 * in-memory count is the authority (one process, one thread: no two requests can take the last one); the store
 * follows: the journal row before the request is forwarded, the count when its usage row is written.
 * Resolves once the reservation and the row are committed: an unlimited key's row too, so no request is forwarded
 * that the store could not record. 429 when spent.
 */
export function reserveQuota(subkey: SubkeyState, record: UsageRecord, writes: WriteBatcher, count = 1, spend: SpendChange[] | null = null): Promise<void> {
  if (subkey.remaining === null) return writes.enqueueAwaitedInsert(record, { subkeyId: subkey.id, delta: 0, at: record.at }, spend);
  if (subkey.remaining <= 0 || subkey.remaining < count) throw proxyErrors.quotaSpent();
  subkey.remaining -= count;
  return writes.enqueueAwaitedInsert(record, { subkeyId: subkey.id, delta: -count, at: record.at }, spend);
}

/**
 * Gives back `count` reserved requests (upstream did not answer 2xx): to the current cached state and to the store.
 * Not when the remaining count was set anew since the request took its share: the new count already stands for it.
 */
export function refundQuota(subkey: SubkeyState, keys: KeyCache, writes: WriteBatcher, count = 1): void {
  if (subkey.remaining === null) return;
  if (keys.quotaEpoch(subkey.id) !== subkey.quotaEpoch) return;
  const current = keys.cachedSubkey(subkey.id);
  if (current && current.remaining !== null) current.remaining += count;
  writes.enqueueRefund(subkey.id, count);
}
