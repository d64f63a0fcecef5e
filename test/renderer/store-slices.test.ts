import { describe, expect, it, vi } from 'vitest';
import type { Model } from '../../electron/shared/types';
import { ApiError } from '../../renderer/src/api/api-error';
import { createKeygateStore, followPushEvents, loadAll, refreshPage } from '../../renderer/src/store/store';
import { deferred } from '../helpers/deferred';
import { fakeApi, proxyStatus, subkey, upstream, usageEntry } from './fake-api';
import { fakeEvents } from './fake-events';

const SECRET = 'sk-kg-THISISTHESECRETTHATMUSTNEVERBESTORED0123';

function model(id: string, upstreamId = 'up1'): Model {
  return { id, upstreamId, ownedBy: 'openai', syncedAt: '2026-01-02T00:00:00.000Z' };
}

describe('upstreams slice', () => {
  it('adds through the API, then refreshes the list from main', async () => {
    const fake = fakeApi();
    const store = createKeygateStore(fake.api);
    await store.getState().addUpstream({ name: 'Work', baseUrl: 'https://api.openai.com', apiKey: 'sk-real-1234' });
    expect(fake.channelsCalled()).toEqual(['upstreams:add', 'upstreams:list']);
    expect(store.getState().upstreams.map((each) => each.name)).toEqual(['Work']);
    expect(store.getState().upstreamsLoaded).toBe(true);
    expect(JSON.stringify(store.getState())).not.toContain('sk-real-1234');
  });

  it('removing an upstream forgets its models and refreshes the sub-keys it took with it', async () => {
    const fake = fakeApi();
    fake.data.upstreams = [upstream()];
    fake.data.models = { up1: [model('gpt-4o')] };
    fake.data.subkeys = [subkey()];
    const store = createKeygateStore(fake.api);
    await loadAll(store);
    expect(store.getState().models.up1).toHaveLength(1);
    await store.getState().removeUpstream('up1');
    expect(store.getState().models.up1).toBeUndefined();
    expect(store.getState().upstreams).toEqual([]);
    expect(store.getState().subkeys).toEqual([]);
  });
});

describe('models slice', () => {
  it('marks a sync in flight, stores the synced list and refreshes the upstream (for lastSyncedAt)', async () => {
    const sync = deferred<Model[]>();
    const fake = fakeApi({ 'models:sync': () => sync.promise });
    fake.data.upstreams = [upstream()];
    const store = createKeygateStore(fake.api);
    const pending = store.getState().syncModels('up1');
    expect(store.getState().syncing.up1).toBe(true);
    fake.data.upstreams = [upstream({ lastSyncedAt: '2026-01-02T00:00:00.000Z' })];
    sync.resolve([model('gpt-4o'), model('gpt-4o-mini')]);
    await pending;
    expect(store.getState().syncing.up1).toBe(false);
    expect(store.getState().models.up1!.map((each) => each.id)).toEqual(['gpt-4o', 'gpt-4o-mini']);
    expect(store.getState().upstreams[0]!.lastSyncedAt).toBe('2026-01-02T00:00:00.000Z');
  });

  it('clears the in-flight mark when the sync fails, and passes the error on', async () => {
    const fake = fakeApi({ 'models:sync': () => Promise.reject(new ApiError({ code: 'UPSTREAM_ERROR', message: 'upstream said 401' })) });
    const store = createKeygateStore(fake.api);
    await expect(store.getState().syncModels('up1')).rejects.toMatchObject({ code: 'UPSTREAM_ERROR' });
    expect(store.getState().syncing.up1).toBe(false);
  });
});

describe('subkeys slice', () => {
  it('hands a new secret to the caller only: nothing in the store holds it', async () => {
    const fake = fakeApi({
      'subkeys:create': async (input) => {
        const created = subkey({ name: input.name });
        fake.data.subkeys = [created];
        return { subkey: created, secret: SECRET };
      },
      'subkeys:rotate': async () => ({ subkey: fake.data.subkeys[0]!, secret: `${SECRET}-rotated` }),
    });
    const store = createKeygateStore(fake.api);
    const issued = await store.getState().createSubkey({ name: 'ci-bot', upstreamId: 'up1', remainingRequests: 2 });
    expect(issued.secret).toBe(SECRET);
    expect(store.getState().subkeys.map((each) => each.name)).toEqual(['ci-bot']);
    const rotated = await store.getState().rotateSubkey('sk1');
    expect(rotated.secret).toBe(`${SECRET}-rotated`);
    expect(JSON.stringify(store.getState())).not.toContain(SECRET);
    expect(fake.channelsCalled()).toEqual(['subkeys:create', 'subkeys:list', 'subkeys:rotate', 'subkeys:list']);
  });

  it('enables and disables through subkeys:update and shows main\'s answer', async () => {
    const fake = fakeApi({
      'subkeys:update': async (input) => {
        fake.data.subkeys = [subkey({ enabled: input.enabled!, status: input.enabled ? 'active' : 'disabled' })];
        return fake.data.subkeys[0]!;
      },
    });
    const store = createKeygateStore(fake.api);
    await store.getState().setSubkeyEnabled('sk1', false);
    expect(fake.calls[0]).toEqual({ channel: 'subkeys:update', input: { id: 'sk1', enabled: false } });
    expect(store.getState().subkeys[0]!.status).toBe('disabled');
  });

  it('leaves the cached list alone when an update is refused', async () => {
    const fake = fakeApi({
      'subkeys:update': () => Promise.reject(new ApiError({ code: 'INVALID_INPUT', message: 'Quota cannot be negative', issues: [{ path: ['remainingRequests'], message: 'Quota cannot be negative' }] })),
    });
    fake.data.subkeys = [subkey({ remainingRequests: 5 })];
    const store = createKeygateStore(fake.api);
    await store.getState().refreshSubkeys();
    await expect(store.getState().updateSubkey({ id: 'sk1', remainingRequests: -1 })).rejects.toMatchObject({ issues: [{ path: ['remainingRequests'] }] });
    expect(store.getState().subkeys[0]!.remainingRequests).toBe(5);
  });
});

describe('usage slice', () => {
  it('filters both the list and the chart by sub-key', async () => {
    const fake = fakeApi();
    const store = createKeygateStore(fake.api);
    await store.getState().setUsageSubkey('sk1');
    expect(fake.calls).toEqual([
      { channel: 'usage:list', input: { limit: 100, subkeyId: 'sk1' } },
      { channel: 'usage:daily', input: { days: 14, subkeyId: 'sk1' } },
      { channel: 'usage:refusals', input: {} },
      { channel: 'usage:models', input: { days: 14, subkeyId: 'sk1' } },
    ]);
    expect(store.getState().usageSubkeyId).toBe('sk1');
  });

  it('drops an answer that arrives after the filter changed', async () => {
    const slow = deferred<never[]>();
    let first = true;
    const fake = fakeApi({
      'usage:list': async () => {
        if (first) {
          first = false;
          return slow.promise;
        }
        return [];
      },
    });
    const store = createKeygateStore(fake.api);
    const stale = store.getState().setUsageSubkey('old');
    await store.getState().setUsageSubkey(null);
    const staleEntry = { id: 1, subkeyId: 'old', at: '', method: 'POST', path: '/v1/x', model: null, status: 200, latencyMs: 1, promptTokens: null, completionTokens: null, totalTokens: null, refusal: null };
    slow.resolve([staleEntry] as never[]);
    await stale;
    expect(store.getState().usage).toEqual([]);
  });
});

describe('usage paging', () => {
  function entry(id: number) {
    return { id, subkeyId: 'sk1', subkeyName: 'ci-bot', subkeyDeleted: false, at: '2026-01-01T00:00:00.000Z', method: 'POST', path: '/v1/chat/completions', model: 'gpt-4o', status: 200, latencyMs: 5, promptTokens: 1, completionTokens: 1, totalTokens: 2, refusal: null, costUsd: null, cachedTokens: null, reasoningTokens: null };
  }

  it('loads older pages by cursor, and a refresh keeps as many entries as are loaded', async () => {
    const all = Array.from({ length: 250 }, (_, index) => entry(250 - index));
    const fake = fakeApi({
      'usage:list': async (input) => all.filter((each) => input.before === undefined || each.id < input.before).slice(0, input.limit ?? 100),
    });
    const store = createKeygateStore(fake.api);
    await store.getState().refreshUsage();
    expect(store.getState().usage.map((each) => each.id).slice(0, 2)).toEqual([250, 249]);
    expect(store.getState().usageHasMore).toBe(true);

    await store.getState().loadOlderUsage();
    expect(store.getState().usage).toHaveLength(200);
    expect(store.getState().usage.at(-1)!.id).toBe(51);
    expect(fake.calls.at(-1)).toEqual({ channel: 'usage:list', input: { limit: 100, before: 151 } });

    await store.getState().loadOlderUsage();
    expect(store.getState().usage).toHaveLength(250);
    expect(store.getState().usageHasMore).toBe(false);

    await store.getState().refreshUsage();
    expect(fake.calls.filter((call) => call.channel === 'usage:list').at(-1)!.input).toEqual({ limit: 250 });
    expect(store.getState().usage).toHaveLength(250);
  });
});

describe('proxy slice', () => {
  it('starts and stops through the API and keeps main\'s status', async () => {
    const fake = fakeApi({
      'proxy:start': async () => proxyStatus({ running: true }),
      'proxy:stop': async () => proxyStatus({ running: false }),
    });
    const store = createKeygateStore(fake.api);
    await store.getState().setProxyRunning(false);
    expect(store.getState().proxy!.running).toBe(false);
    await store.getState().setProxyRunning(true);
    expect(store.getState().proxy!.running).toBe(true);
    expect(fake.channelsCalled()).toEqual(['proxy:stop', 'proxy:start']);
    expect(store.getState().proxyBusy).toBe(false);
  });

  it('on a failed start, shows the status main recorded (port in use) and passes the error on', async () => {
    const fake = fakeApi({ 'proxy:start': () => Promise.reject(new ApiError({ code: 'CONFLICT', message: 'Port 8080 is in use' })) });
    fake.data.proxy = proxyStatus({ running: false, error: 'Port 8080 is in use' });
    const store = createKeygateStore(fake.api);
    await expect(store.getState().setProxyRunning(true)).rejects.toThrow('Port 8080 is in use');
    expect(store.getState().proxy).toMatchObject({ running: false, error: 'Port 8080 is in use' });
    expect(store.getState().proxyBusy).toBe(false);
  });
});

describe('ui slice', () => {
  it('holds one dialog at a time, as a discriminated union', () => {
    const store = createKeygateStore(fakeApi().api);
    expect(store.getState().modal).toEqual({ kind: 'none' });
    store.getState().openModal({ kind: 'subkey-edit', subkeyId: 'sk1' });
    store.getState().openModal({ kind: 'subkey-remove', subkeyId: 'sk2' });
    expect(store.getState().modal).toEqual({ kind: 'subkey-remove', subkeyId: 'sk2' });
    store.getState().closeModal();
    expect(store.getState().modal).toEqual({ kind: 'none' });
  });

  it('merges filter changes and switches pages', () => {
    const store = createKeygateStore(fakeApi().api);
    store.getState().setSubkeyFilter({ text: 'bot' });
    store.getState().setSubkeyFilter({ status: 'exhausted' });
    expect(store.getState().subkeyFilter).toEqual({ text: 'bot', status: 'exhausted', upstreamId: null });
    store.getState().setPage('usage');
    expect(store.getState().page).toBe('usage');
  });
});

describe('refreshing a screen', () => {
  it('re-reads what each screen shows', async () => {
    const expected = {
      subkeys: ['subkeys:list', 'upstreams:list', 'models:list'],
      upstreams: ['upstreams:list', 'models:list', 'app:info'],
      models: ['upstreams:list', 'models:list'],
      usage: ['usage:list', 'usage:daily', 'usage:refusals', 'usage:models', 'subkeys:list'],
      proxy: ['proxy:status', 'app:info'],
    } as const;
    for (const [page, channels] of Object.entries(expected)) {
      const fake = fakeApi();
      fake.data.upstreams = [upstream()];
      await refreshPage(createKeygateStore(fake.api), page as keyof typeof expected);
      expect(new Set(fake.channelsCalled())).toEqual(new Set(channels));
    }
  });
});

describe('push events', () => {
  it('refreshes sub-keys and usage when usage changes, takes the proxy status as pushed, and unsubscribes', async () => {
    const fake = fakeApi();
    const events = fakeEvents();
    const store = createKeygateStore(fake.api);
    const stop = followPushEvents(store, events);

    fake.data.subkeys = [subkey({ remainingRequests: 1 })];
    events.emit('usage:changed', { subkeyId: 'sk1' });
    await expect.poll(() => store.getState().subkeys[0]?.remainingRequests).toBe(1);
    expect(new Set(fake.channelsCalled())).toEqual(new Set(['subkeys:list', 'usage:list', 'usage:daily', 'usage:refusals', 'usage:models']));

    events.emit('proxy:changed', proxyStatus({ running: false }));
    expect(store.getState().proxy!.running).toBe(false);

    stop();
    expect(events.count()).toBe(0);
  });

  it('patches pushed sub-keys and rows in place and re-reads only the totals, at most once a second', async () => {
    vi.useFakeTimers();
    try {
      const fake = fakeApi();
      const events = fakeEvents();
      const store = createKeygateStore(fake.api);
      const row = (id: number, status: number | null) => ({ ...usageEntry(id), status });
      fake.data.subkeys = [subkey({ remainingRequests: 9 }), subkey({ id: 'sk2', remainingRequests: null })];
      fake.data.usage = [row(2, null), row(1, 200)];
      await Promise.all([store.getState().refreshSubkeys(), store.getState().refreshUsage()]);
      fake.calls.length = 0;
      const stop = followPushEvents(store, events);

      for (let i = 0; i < 10; i++) {
        events.emit('usage:changed', { subkeyId: 'sk1', subkeys: [subkey({ remainingRequests: 8 - i })], entries: [row(3 + i, 200), row(2, 200)] });
        await vi.advanceTimersByTimeAsync(50);
      }
      const state = store.getState();
      expect(state.subkeys.map((each) => [each.id, each.remainingRequests])).toEqual([['sk1', -1], ['sk2', null]]);
      expect(state.usage.map((each) => [each.id, each.status])).toEqual([
        ...Array.from({ length: 10 }, (_, i) => [12 - i, 200]),
        [2, 200],
        [1, 200],
      ]);
      expect(fake.channelsCalled().filter((channel) => channel === 'subkeys:list' || channel === 'usage:list')).toEqual([]);
      // Ten pushes in half a second: the totals are read once at once and once after the second is over.
      expect(fake.channelsCalled().filter((channel) => channel === 'usage:daily')).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1000);
      expect(fake.channelsCalled().filter((channel) => channel === 'usage:daily')).toHaveLength(2);

      // A push that could not carry the rows, or names a sub-key not loaded, is re-read (coalesced the same way).
      events.emit('usage:changed', { subkeyId: null, subkeys: [subkey({ id: 'new' })] });
      events.emit('usage:changed', { subkeyId: null });
      await vi.advanceTimersByTimeAsync(1000);
      expect(fake.channelsCalled().filter((channel) => channel === 'subkeys:list')).toHaveLength(1);
      expect(fake.channelsCalled().filter((channel) => channel === 'usage:list')).toHaveLength(1);
      stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it("re-reads an open key page's usage when that key (or an unnamed one) changes, not another key's", async () => {
    const fake = fakeApi();
    const events = fakeEvents();
    const store = createKeygateStore(fake.api);
    const stop = followPushEvents(store, events);
    store.getState().openSubkeyPage('sk1');
    const pageReads = () => fake.calls.filter((call) => call.channel === 'usage:list' && (call.input as { limit?: number }).limit === 1000);

    events.emit('usage:changed', { subkeyId: 'sk2', subkeys: [], entries: [] });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pageReads()).toEqual([]);
    events.emit('usage:changed', { subkeyId: 'sk1', subkeys: [], entries: [] });
    await expect.poll(() => pageReads().length).toBe(1);
    expect(pageReads()[0]!.input).toEqual({ subkeyId: 'sk1', limit: 1000 });
    expect(store.getState().subkeyUsage?.subkeyId).toBe('sk1');
    stop();
  });
});
