import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IssuedSubkey, ProxyStatus, Subkey, Upstream } from '../../electron/shared/types';
import { startCore, type CoreFixture } from '../helpers/core-fixture';

let fx: CoreFixture;
let upstream: Upstream;

beforeEach(async () => {
  fx = startCore();
  upstream = await fx.call<Upstream>('upstreams:add', { name: 'u', baseUrl: 'https://u.example', apiKey: 'sk-upstream-123456789' });
});
afterEach(() => fx.close());

describe('budgets on sub-keys', () => {
  it('takes budgets on create and update, and lists each with spent, limit and resetsAt', async () => {
    await fx.call('proxy:configure', { timeZone: 'UTC' });
    const issued = await fx.call<IssuedSubkey>('subkeys:create', {
      name: 'ci',
      upstreamId: upstream.id,
      budgets: [
        { metric: 'usd', limit: 5, window: 'month' },
        { metric: 'requests', limit: 100, window: 'total' },
      ],
    });
    expect(issued.subkey.remainingRequests).toBeNull();
    const nextMonth = new Date();
    const resetsAt = new Date(Date.UTC(nextMonth.getUTCFullYear(), nextMonth.getUTCMonth() + 1, 1)).toISOString();
    expect(issued.subkey.budgets).toEqual([
      { metric: 'usd', limit: 5, window: 'month', spent: 0, resetsAt },
      { metric: 'requests', limit: 100, window: 'total', spent: 0, resetsAt: null },
    ]);
    // What the proxy has spent shows in the list.
    fx.core.db
      .prepare("INSERT INTO spend (subkey_id, metric, window, window_start, amount) VALUES (?, 'requests', 'total', 0, 7)")
      .run(issued.subkey.id);
    const listed = (await fx.call<Subkey[]>('subkeys:list')).find((key) => key.id === issued.subkey.id)!;
    expect(listed.budgets[1]).toMatchObject({ spent: 7, limit: 100 });

    const updated = await fx.call<Subkey>('subkeys:update', { id: issued.subkey.id, budgets: [{ metric: 'tokens', limit: 1000, window: 'day' }] });
    expect(updated.budgets).toEqual([{ metric: 'tokens', limit: 1000, window: 'day', spent: 0, resetsAt: expect.any(String) }]);
    // Left out, budgets stay as they are.
    const renamed = await fx.call<Subkey>('subkeys:update', { id: issued.subkey.id, name: 'renamed' });
    expect(renamed.budgets).toHaveLength(1);
  });

  it('refuses two budgets for the same metric and window, and fractional request limits, as field errors', async () => {
    const result = await fx.core.dispatch('subkeys:create', {
      name: 'ci',
      upstreamId: upstream.id,
      budgets: [
        { metric: 'usd', limit: 5, window: 'month' },
        { metric: 'usd', limit: 9, window: 'month' },
        { metric: 'requests', limit: 1.5, window: 'day' },
      ],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.issues).toEqual([
      { path: ['budgets', 1], message: 'Only one usd budget per month' },
      { path: ['budgets', 2, 'limit'], message: 'Limit must be a whole number' },
    ]);
    expect(fx.core.db.prepare('SELECT count(*) FROM subkeys').pluck().get()).toBe(0);
  });

  it('sets the time zone and the default output cap through proxy:configure', async () => {
    const status = await fx.call<ProxyStatus>('proxy:configure', { timeZone: 'Asia/Tokyo', defaultOutputTokens: 2048 });
    expect(status).toMatchObject({ timeZone: 'Asia/Tokyo', defaultOutputTokens: 2048 });
    const bad = await fx.core.dispatch('proxy:configure', { timeZone: 'Mars/Olympus' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.issues).toEqual([{ path: ['timeZone'], message: 'Unknown time zone' }]);
  });
});
