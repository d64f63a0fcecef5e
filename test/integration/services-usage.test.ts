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
      subkeyName: 'a',
      subkeyDeleted: false,
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
      costUsd: null,
      cachedTokens: null,
      reasoningTokens: null,
    });
    expect(entries[0]!.refusal).toBe('unknown sub-key');
    expect(entries[0]).toMatchObject({ subkeyId: null, subkeyName: null, subkeyDeleted: false });
  });

  it('keeps the name of a deleted sub-key on its rows, marked as deleted, unlike a request that named no known key', async () => {
    const at = Date.parse('2030-05-01T10:00:00Z');
    logRequest(keyA, at, { totalTokens: 30 });
    logRequest(keyB, at + 1);
    logRequest(null, at + 2, { refusal: 'invalid_api_key' });
    await fx.call('subkeys:update', { id: keyA, name: 'alice-laptop' });
    await fx.call('subkeys:remove', { id: keyA });
    const entries = await fx.call<UsageEntry[]>('usage:list', {});
    expect(entries.map(({ subkeyId, subkeyName, subkeyDeleted }) => ({ subkeyId, subkeyName, subkeyDeleted }))).toEqual([
      { subkeyId: null, subkeyName: null, subkeyDeleted: false },
      { subkeyId: keyB, subkeyName: 'b', subkeyDeleted: false },
      { subkeyId: null, subkeyName: 'alice-laptop', subkeyDeleted: true },
    ]);
    expect(fx.core.db.prepare('SELECT subkey_id, subkey_name FROM usage ORDER BY id').all()).toEqual([
      { subkey_id: null, subkey_name: 'alice-laptop' },
      { subkey_id: keyB, subkey_name: null },
      { subkey_id: null, subkey_name: null },
    ]);
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
  it('sums requests, refused requests and tokens per UTC day and sub-key over the last N days', async () => {
    const today = new Date();
    const midnight = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
    const day = (offset: number) => new Date(midnight - offset * 86_400_000).toISOString().slice(0, 10);
    logRequest(keyA, midnight + 1000, { totalTokens: 10 });
    logRequest(keyA, midnight + 2000, { totalTokens: 5 });
    logRequest(keyB, midnight + 3000);
    logRequest(keyB, midnight + 4000, { refusal: 'quota spent' });
    logRequest(null, midnight + 5000, { refusal: 'invalid_api_key' });
    logRequest(keyA, midnight - 1000, { totalTokens: 7 });
    logRequest(keyA, midnight - 40 * 86_400_000, { totalTokens: 100 });
    const days = await fx.call<UsageDay[]>('usage:daily', {});
    const sorted = (list: UsageDay[]) => [...list].sort((x, y) => `${x.day}${x.subkeyId}`.localeCompare(`${y.day}${y.subkeyId}`));
    const named = { subkeyDeleted: false };
    expect(sorted(days)).toEqual(
      sorted([
        { day: day(1), subkeyId: keyA, subkeyName: 'a', ...named, requests: 1, interrupted: 0, refused: 0, totalTokens: 7, costUsd: 0, unpricedRequests: 1 },
        { day: day(0), subkeyId: keyA, subkeyName: 'a', ...named, requests: 2, interrupted: 0, refused: 0, totalTokens: 15, costUsd: 0, unpricedRequests: 2 },
        { day: day(0), subkeyId: keyB, subkeyName: 'b', ...named, requests: 1, interrupted: 0, refused: 1, totalTokens: 0, costUsd: 0, unpricedRequests: 1 },
        { day: day(0), subkeyId: null, subkeyName: null, ...named, requests: 0, interrupted: 0, refused: 1, totalTokens: 0, costUsd: 0, unpricedRequests: 0 },
      ]),
    );
    expect(await fx.call<UsageDay[]>('usage:daily', { days: 1, subkeyId: keyA })).toEqual([
      { day: day(0), subkeyId: keyA, subkeyName: 'a', ...named, requests: 2, interrupted: 0, refused: 0, totalTokens: 15, costUsd: 0, unpricedRequests: 2 },
    ]);
    expect((await fx.call<UsageDay[]>('usage:daily', { days: 60 })).some((entry) => entry.totalTokens === 100)).toBe(true);
  });

  it('counts the requests a crash left interrupted as charged requests, and says how many were interrupted', async () => {
    const today = new Date();
    const midnight = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
    logRequest(keyA, midnight + 1000, { totalTokens: 4 });
    // In flight (reserved, forwarded, no answer recorded yet) when the process died.
    const inFlight = { ...newUsageRecord('POST', '/v1/chat/completions', midnight + 2000), subkeyId: keyA };
    // A WebSocket still open then: its connection row is no request, and ends as an abnormal close.
    const openSocket = { ...newUsageRecord('WS', '/v1/realtime', midnight + 2500), subkeyId: keyA };
    const writes = new WriteBatcher(fx.core.db);
    writes.enqueueInsert(inFlight, { subkeyId: keyA, delta: 0, at: inFlight.at });
    writes.enqueueInsert(openSocket, { subkeyId: keyA, delta: 0, at: openSocket.at });
    writes.flush();
    logRequest(keyA, midnight + 3000, { refusal: 'insufficient_quota' });
    await fx.core.close();
    const restarted = startCore({ dataDir: fx.dataDir });
    try {
      const listed = await restarted.call<UsageEntry[]>('usage:list', { subkeyId: keyA });
      expect(listed).toContainEqual(expect.objectContaining({ status: null, refusal: 'interrupted' }));
      expect(listed).toContainEqual(expect.objectContaining({ method: 'WS', status: 101, refusal: 'ws_close_1006' }));
      expect(await restarted.call<UsageDay[]>('usage:daily', { days: 1 })).toEqual([
        { day: new Date(midnight).toISOString().slice(0, 10), subkeyId: keyA, subkeyName: 'a', subkeyDeleted: false, requests: 2, interrupted: 1, refused: 1, totalTokens: 4, costUsd: 0, unpricedRequests: 2 },
      ]);
    } finally {
      await restarted.close();
    }
  });

  it('counts every row of the request log: forwarded plus refused is the log\'s length', async () => {
    const now = Date.now();
    for (let i = 0; i < 7; i++) logRequest(i % 3 ? keyA : null, now - i, i % 2 ? { refusal: 'model_not_allowed' } : {});
    const days = await fx.call<UsageDay[]>('usage:daily', { days: 1 });
    const log = await fx.call<UsageEntry[]>('usage:list', { limit: 1000 });
    expect(days.reduce((sum, entry) => sum + entry.requests + entry.refused, 0)).toBe(log.length);
  });

  it('groups a deleted sub-key\'s days under the name it had, apart from requests that named no known key', async () => {
    const now = Date.now();
    logRequest(keyA, now, { totalTokens: 4 });
    logRequest(null, now, { refusal: 'invalid_api_key' });
    await fx.call('subkeys:remove', { id: keyA });
    const days = await fx.call<UsageDay[]>('usage:daily', { days: 1 });
    expect(days.map(({ subkeyId, subkeyName, subkeyDeleted, requests, refused }) => ({ subkeyId, subkeyName, subkeyDeleted, requests, refused }))).toEqual([
      { subkeyId: null, subkeyName: null, subkeyDeleted: false, requests: 0, refused: 1 },
      { subkeyId: null, subkeyName: 'a', subkeyDeleted: true, requests: 1, refused: 0 },
    ]);
  });
});
