import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newUsageRecord } from '../../electron/core/proxy/usage-record';
import { WriteBatcher } from '../../electron/core/proxy/write-batcher';
import type { IssuedSubkey, Upstream, UsageDay, UsageEntry } from '../../electron/shared/types';
import { startCore, type CoreFixture } from '../helpers/core-fixture';

let fx: CoreFixture;
let keyA: string;
let keyB: string;

/** Logs a finished request the way the proxy does: through a write batcher, which also keeps the daily roll-up. */
function logRequest(subkeyId: string | null, at: number, extra: { totalTokens?: number; refusal?: string } = {}): void {
  const record = newUsageRecord('POST', '/v1/chat/completions', at);
  Object.assign(record, {
    subkeyId,
    model: 'gpt-4o',
    status: extra.refusal ? 401 : 200,
    latencyMs: 12.5,
    promptTokens: extra.totalTokens ?? null,
    totalTokens: extra.totalTokens ?? null,
    refusal: extra.refusal ?? null,
  });
  const writes = new WriteBatcher(fx.core.db);
  writes.enqueueInsert(record);
  writes.flush();
}

beforeEach(async () => {
  fx = startCore();
  const upstream = await fx.call<Upstream>('upstreams:add', { name: 'u', baseUrl: 'https://u.example', apiKey: 'sk-upstream-123456789' });
  keyA = (await fx.call<IssuedSubkey>('subkeys:create', { name: 'a', upstreamId: upstream.id })).subkey.id;
  keyB = (await fx.call<IssuedSubkey>('subkeys:create', { name: 'b', upstreamId: upstream.id })).subkey.id;
});
afterEach(() => fx.close());

describe('usage:list', () => {
  it('answers newest first, mapped to the domain type', async () => {
    const at = Date.parse('2030-05-01T10:00:00Z');
    logRequest(keyA, at, { totalTokens: 30 });
    logRequest(null, at + 1, { refusal: 'unknown sub-key' });
    const entries = await fx.call<UsageEntry[]>('usage:list', {});
    expect(entries.map((entry) => entry.subkeyId)).toEqual([null, keyA]);
    expect(entries[1]).toEqual({
      id: expect.any(Number),
      subkeyId: keyA,
      at: '2030-05-01T10:00:00.000Z',
      method: 'POST',
      path: '/v1/chat/completions',
      model: 'gpt-4o',
      status: 200,
      latencyMs: 12.5,
      promptTokens: 30,
      completionTokens: null,
      totalTokens: 30,
      refusal: null,
    });
    expect(entries[0]!.refusal).toBe('unknown sub-key');
  });

  it('pages with limit and a before cursor, and filters by sub-key', async () => {
    for (let i = 0; i < 250; i++) logRequest(i % 2 ? keyA : keyB, Date.now());
    const first = await fx.call<UsageEntry[]>('usage:list', {});
    expect(first).toHaveLength(100);
    const second = await fx.call<UsageEntry[]>('usage:list', { before: first.at(-1)!.id, limit: 1000 });
    expect(second).toHaveLength(150);
    expect(second[0]!.id).toBe(first.at(-1)!.id - 1);
    const onlyA = await fx.call<UsageEntry[]>('usage:list', { subkeyId: keyA, limit: 1000 });
    expect(onlyA).toHaveLength(125);
    expect(onlyA.every((entry) => entry.subkeyId === keyA)).toBe(true);
    const ids = onlyA.map((entry) => entry.id);
    expect(ids).toEqual([...ids].sort((x, y) => y - x));
  });

  it('refuses a bad limit', async () => {
    expect(await fx.core.dispatch('usage:list', { limit: 0 })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await fx.core.dispatch('usage:list', { limit: 2.5 })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
});

describe('usage:daily', () => {
  it('sums forwarded requests and tokens per UTC day and sub-key over the last N days', async () => {
    const today = new Date();
    const midnight = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
    const day = (offset: number) => new Date(midnight - offset * 86_400_000).toISOString().slice(0, 10);
    logRequest(keyA, midnight + 1000, { totalTokens: 10 });
    logRequest(keyA, midnight + 2000, { totalTokens: 5 });
    logRequest(keyB, midnight + 3000);
    logRequest(keyB, midnight + 4000, { refusal: 'quota spent' });
    logRequest(keyA, midnight - 1000, { totalTokens: 7 });
    logRequest(keyA, midnight - 40 * 86_400_000, { totalTokens: 100 });
    const days = await fx.call<UsageDay[]>('usage:daily', {});
    const sorted = (list: UsageDay[]) => [...list].sort((x, y) => `${x.day}${x.subkeyId}`.localeCompare(`${y.day}${y.subkeyId}`));
    expect(sorted(days)).toEqual(
      sorted([
        { day: day(1), subkeyId: keyA, requests: 1, interrupted: 0, totalTokens: 7 },
        { day: day(0), subkeyId: keyA, requests: 2, interrupted: 0, totalTokens: 15 },
        { day: day(0), subkeyId: keyB, requests: 1, interrupted: 0, totalTokens: 0 },
      ]),
    );
    expect(await fx.call<UsageDay[]>('usage:daily', { days: 1, subkeyId: keyA })).toEqual([
      { day: day(0), subkeyId: keyA, requests: 2, interrupted: 0, totalTokens: 15 },
    ]);
    expect((await fx.call<UsageDay[]>('usage:daily', { days: 60 })).some((entry) => entry.totalTokens === 100)).toBe(true);
  });

  it('counts the requests a crash left interrupted as charged requests, and says how many were interrupted', async () => {
    const today = new Date();
    const midnight = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
    logRequest(keyA, midnight + 1000, { totalTokens: 4 });
    // In flight (reserved, forwarded, no answer recorded yet) when the process died.
    const inFlight = { ...newUsageRecord('POST', '/v1/chat/completions', midnight + 2000), subkeyId: keyA };
    const writes = new WriteBatcher(fx.core.db);
    writes.enqueueInsert(inFlight, { subkeyId: keyA, delta: 0, at: inFlight.at });
    writes.flush();
    logRequest(keyA, midnight + 3000, { refusal: 'insufficient_quota' });
    await fx.core.close();
    const restarted = startCore({ dataDir: fx.dataDir });
    try {
      expect(await restarted.call<UsageEntry[]>('usage:list', { subkeyId: keyA })).toContainEqual(expect.objectContaining({ status: null, refusal: 'interrupted' }));
      expect(await restarted.call<UsageDay[]>('usage:daily', { days: 1 })).toEqual([
        { day: new Date(midnight).toISOString().slice(0, 10), subkeyId: keyA, requests: 2, interrupted: 1, totalTokens: 4 },
      ]);
    } finally {
      await restarted.close();
    }
  });
});
