/**
 * The proxy caches sub-keys and their quota in memory and writes in batches. Every write to sub-keys or
 * upstreams is bracketed: `beforeWrite` (→ proxy.flush) so pending counts land first, `afterWrite` (→ proxy.invalidate)
 * so the proxy re-reads what changed.
 */
export interface WriteHooks {
  beforeWrite(): void;
  /**
   * `subkeyId` when one sub-key changed; none when upstreams changed (drop everything). `quotaReset` when the write
   * set the sub-key's remaining count anew.
   */
  afterWrite(subkeyId?: string, options?: { quotaReset?: boolean }): void;
}

export const noWriteHooks: WriteHooks = { beforeWrite() {}, afterWrite() {} };

/** Runs a store write between the hooks; `afterWrite` runs even when the write failed (a cheap, safe re-read). */
export function withWriteHooks<T>(hooks: WriteHooks, write: () => T, subkeyId?: string, options?: { quotaReset?: boolean }): T {
  hooks.beforeWrite();
  try {
    return write();
  } finally {
    hooks.afterWrite(subkeyId, options);
  }
}
