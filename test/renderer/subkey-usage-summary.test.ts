import { describe, expect, it } from 'vitest';
import type { UsageEntry } from '../../electron/shared/types';
import { modelsUsedMost, refusalsByReason } from '../../renderer/src/lib/subkey-usage-summary';

let nextId = 1;
function entry(overrides: Partial<UsageEntry>): UsageEntry {
  return {
    id: nextId++,
    subkeyId: 'sk1',
    subkeyName: 'ci-bot',
    subkeyDeleted: false,
    at: '2026-01-01T00:00:00.000Z',
    method: 'POST',
    path: '/v1/chat/completions',
    model: 'gpt-4o-mini',
    status: 200,
    latencyMs: 10,
    promptTokens: 5,
    completionTokens: 5,
    totalTokens: 10,
    refusal: null,
    costUsd: null,
    cachedTokens: null,
    reasoningTokens: null,
    ...overrides,
  };
}

describe("a key's models used most", () => {
  it('counts charged requests per model, most first, then most tokens, then by name', () => {
    const entries = [
      entry({ model: 'gpt-4o' }),
      entry({ model: 'gpt-4o-mini' }),
      entry({ model: 'gpt-4o-mini', totalTokens: 30 }),
      entry({ model: 'text-embedding-3-small', totalTokens: 100 }),
      entry({ model: 'gpt-4o', totalTokens: 1 }),
      // Interrupted requests were charged: they count.
      entry({ model: 'o3', status: null, refusal: 'interrupted', totalTokens: null }),
    ];
    expect(modelsUsedMost(entries)).toEqual([
      { model: 'gpt-4o-mini', requests: 2, tokens: 40 },
      { model: 'gpt-4o', requests: 2, tokens: 11 },
      { model: 'text-embedding-3-small', requests: 1, tokens: 100 },
      { model: 'o3', requests: 1, tokens: 0 },
    ]);
    expect(modelsUsedMost(entries, 1)).toHaveLength(1);
  });

  it('leaves out refused requests, WebSocket connection rows and requests without a model', () => {
    const entries = [
      entry({ model: 'dall-e-3', status: 403, refusal: 'model_not_allowed', totalTokens: null }),
      entry({ model: 'gpt-4o', status: null, refusal: 'client_closed' }),
      entry({ model: 'gpt-realtime', method: 'WS', status: 101, refusal: 'ws_close_1000' }),
      entry({ model: null, path: '/v1/models' }),
    ];
    expect(modelsUsedMost(entries)).toEqual([]);
  });
});

describe("a key's refusals by reason", () => {
  it('groups refused requests by reason, most frequent first, with the latest time of each', () => {
    const entries = [
      entry({ refusal: 'model_not_allowed', status: 403, at: '2026-01-01T10:00:00.000Z' }),
      entry({ refusal: 'insufficient_quota', status: 429, at: '2026-01-01T12:00:00.000Z' }),
      entry({ refusal: 'model_not_allowed', status: 403, at: '2026-01-01T11:00:00.000Z' }),
      entry({ refusal: 'client_closed', status: null, at: '2026-01-01T09:00:00.000Z' }),
      entry({ refusal: 'interrupted', status: null }),
      entry({ refusal: 'ws_close_1006', method: 'WS', status: 101 }),
      entry({}),
    ];
    expect(refusalsByReason(entries)).toEqual([
      { reason: 'model_not_allowed', count: 2, lastAt: '2026-01-01T11:00:00.000Z' },
      { reason: 'insufficient_quota', count: 1, lastAt: '2026-01-01T12:00:00.000Z' },
      { reason: 'client_closed', count: 1, lastAt: '2026-01-01T09:00:00.000Z' },
    ]);
  });
});
