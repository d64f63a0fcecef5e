import { unrestrictedPermissions } from '../../electron/shared/permissions';
import type { Channel, ChannelInput, ChannelOutput, KeygateApi } from '../../electron/shared/contract';
import type { BudgetThreshold, Model, ProxyStatus, RefusalCount, Subkey, Upstream, UsageDay, UsageEntry, UsageModel } from '../../electron/shared/types';

/** Every call a fake API received, in order. */
export type Call = { channel: Channel; input: unknown };

/** Plain data the fake answers from; tests change it between calls. */
export interface FakeData {
  upstreams: Upstream[];
  models: Record<string, Model[]>;
  subkeys: Subkey[];
  usage: UsageEntry[];
  daily: UsageDay[];
  /** What usage:models answers. */
  costByModel: UsageModel[];
  refusals: RefusalCount[];
  proxy: ProxyStatus;
  /** What alerts:list answers. */
  alerts: BudgetThreshold[];
}

export function upstream(overrides: Partial<Upstream> = {}): Upstream {
  return { id: 'up1', name: 'OpenAI', baseUrl: 'https://api.openai.com', keyHint: 'sk-…wxyz', createdAt: '2026-01-01T00:00:00.000Z', lastSyncedAt: null, passThroughUnknownEndpoints: false, ...overrides };
}

export function subkey(overrides: Partial<Subkey> = {}): Subkey {
  return {
    id: 'sk1',
    name: 'ci-bot',
    upstreamId: 'up1',
    hint: 'sk-kg-…abcd',
    createdAt: '2026-01-01T00:00:00.000Z',
    expiresAt: null,
    remainingRequests: null,
    allowModels: [],
    denyModels: [],
    budgets: [],
    rateLimits: { requestsPerMinute: null, tokensPerMinute: null, maxConcurrent: null },
    enabled: true,
    permissions: unrestrictedPermissions(),
    status: 'active',
    lastUsedAt: null,
    ...overrides,
  };
}

export function usageEntry(id: number, overrides: Partial<UsageEntry> = {}): UsageEntry {
  return { id, subkeyId: 'sk1', subkeyName: 'ci-bot', subkeyDeleted: false, at: '2026-01-01T00:00:00.000Z', method: 'POST', path: '/v1/chat/completions', model: 'gpt-4o', status: 200, latencyMs: 5, promptTokens: 1, completionTokens: 1, totalTokens: 2, refusal: null, costUsd: null, cachedTokens: null, reasoningTokens: null, ...overrides };
}

export const proxyStatus = (overrides: Partial<ProxyStatus> = {}): ProxyStatus => ({
  running: true,
  url: 'http://127.0.0.1:8080/v1',
  host: '127.0.0.1',
  port: 8080,
  autoStart: true,
  timeZone: 'UTC',
  defaultOutputTokens: 4096,
  usageRetentionDays: 90,
  error: null,
  storeError: null,
  ...overrides,
});

type Overrides = { [C in Channel]?: (input: ChannelInput<C>) => Promise<ChannelOutput<C>> };

/**
 * A KeygateApi over in-memory data, for unit tests of the store's slices: answers lists from `data`, records every
 * call, and lets a test replace any channel.
 */
export function fakeApi(overrides: Overrides = {}) {
  const calls: Call[] = [];
  const data: FakeData = { upstreams: [], models: {}, subkeys: [], usage: [], daily: [], costByModel: [], refusals: [], proxy: proxyStatus(), alerts: [] };
  const defaults: Overrides = {
    'app:info': async () => ({ version: '0.1.0', mode: 'headless', secretStorage: 'master-key', dataDir: '/tmp/x' }),
    'upstreams:list': async () => data.upstreams,
    'upstreams:add': async (input) => {
      const added = upstream({ id: `up${data.upstreams.length + 1}`, name: input.name, baseUrl: input.baseUrl, keyHint: `…${input.apiKey.slice(-4)}`, passThroughUnknownEndpoints: input.passThroughUnknownEndpoints ?? false });
      data.upstreams = [...data.upstreams, added];
      return added;
    },
    'upstreams:remove': async ({ id }) => {
      data.upstreams = data.upstreams.filter((each) => each.id !== id);
      data.subkeys = data.subkeys.filter((each) => each.upstreamId !== id);
      return { id };
    },
    'models:list': async ({ upstreamId }) => data.models[upstreamId] ?? [],
    'subkeys:list': async () => data.subkeys,
    'usage:list': async () => data.usage,
    'usage:daily': async () => data.daily,
    'usage:models': async () => data.costByModel,
    'usage:refusals': async () => data.refusals,
    'usage:storage': async () => ({ sizeBytes: 1_572_864, oldestRequestAt: '2026-01-01T00:00:00.000Z', shrinks: true }),
    'proxy:status': async () => data.proxy,
    'alerts:list': async () => data.alerts,
  };
  const api = new Proxy({} as KeygateApi, {
    get(_target, channel: Channel) {
      return async (input: unknown) => {
        calls.push({ channel, input });
        const handler = (overrides[channel] ?? defaults[channel]) as ((value: unknown) => Promise<unknown>) | undefined;
        if (!handler) throw new Error(`fake API: no answer for ${channel}`);
        return handler(input);
      };
    },
  });
  return { api, calls, data, channelsCalled: () => calls.map((call) => call.channel) };
}
