/**
 * An open window must not slow the proxy (issue 14): `usage:changed` pushes carry what changed (the sub-key's counts
 * and the finished rows), so a window patches its store instead of re-reading the lists on the proxy's thread.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UsageChanged } from '../../electron/shared/contract';
import type { UsageEntry } from '../../electron/shared/types';
import { startServedCore, type ServedCore } from '../helpers/served-core';

let served: ServedCore;
let pushed: UsageChanged[];
beforeEach(async () => {
  served = await startServedCore();
  pushed = [];
  served.fx.core.events.on('usage:changed', (change) => pushed.push(change));
});
afterEach(() => served.close());

describe('usage:changed', () => {
  it("carries the key's current counts and the finished rows exactly as usage:list answers them", async () => {
    const key = await served.newKey(5);
    for (let i = 0; i < 3; i++) expect((await served.chat(key.secret)).status).toBe(200);
    await expect.poll(() => pushed.flatMap((change) => change.entries ?? []).length, { timeout: 3000 }).toBeGreaterThanOrEqual(3);
    const last = pushed.at(-1)!;
    expect(last.subkeys).toEqual([expect.objectContaining({ id: key.subkey.id, remainingRequests: 2, lastUsedAt: expect.any(String) })]);
    const listed = await served.fx.call<UsageEntry[]>('usage:list', { subkeyId: key.subkey.id });
    const pushedRows = pushed.flatMap((change) => change.entries ?? []);
    for (const entry of listed) expect(pushedRows).toContainEqual(entry);
  });

});
