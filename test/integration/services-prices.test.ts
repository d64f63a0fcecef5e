import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { priceTokens } from '../../electron/core/budgets/prices';
import type { PriceList, Upstream } from '../../electron/shared/types';
import { startCore, type CoreFixture } from '../helpers/core-fixture';

let fx: CoreFixture | null = null;
let served = '';
let server: Server;
let dataUrl = '';

beforeAll(async () => {
  server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(served));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  dataUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/data.json`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
afterEach(async () => {
  await fx?.close();
  fx = null;
});

describe('prices', () => {
  it('shows the date of the bundled price data, and sets and removes custom prices', async () => {
    fx = startCore();
    const upstream = await fx.call<Upstream>('upstreams:add', { name: 'u', baseUrl: 'https://u.example', apiKey: 'sk-upstream-123456789' });
    expect(await fx.call<PriceList>('prices:list')).toEqual({ dataDate: '2026-09-23', source: 'bundled', custom: [] });
    const set = await fx.call<PriceList>('prices:set', { upstreamId: upstream.id, model: 'llama-3', inputPerMillion: 0.5, outputPerMillion: 1.5 });
    expect(set.custom).toEqual([{ upstreamId: upstream.id, model: 'llama-3', inputPerMillion: 0.5, cachedInputPerMillion: null, outputPerMillion: 1.5 }]);
    const replaced = await fx.call<PriceList>('prices:set', { upstreamId: upstream.id, model: 'LLAMA-3', inputPerMillion: 1, cachedInputPerMillion: 0.1, outputPerMillion: 2 });
    expect(replaced.custom).toHaveLength(1);
    expect(replaced.custom[0]).toMatchObject({ model: 'LLAMA-3', cachedInputPerMillion: 0.1 });
    expect((await fx.call<PriceList>('prices:remove', { upstreamId: upstream.id, model: 'llama-3' })).custom).toEqual([]);
    const missing = await fx.core.dispatch('prices:remove', { upstreamId: upstream.id, model: 'llama-3' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const noUpstream = await fx.core.dispatch('prices:set', { upstreamId: 'nope', model: 'x', inputPerMillion: 1, outputPerMillion: 1 });
    expect(noUpstream).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', issues: [{ path: ['upstreamId'] }] } });
  });

  it('says clearly that it is offline when the price data cannot be fetched, and keeps the data in use', async () => {
    fx = startCore();
    const result = await fx.core.dispatch('prices:update', {});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('UPSTREAM_ERROR');
    expect(result.error.message).toMatch(/^Could not download new price data from https:\/\/raw\.githubusercontent\.com\/pydantic\/genai-prices\/.* are you offline\? Keygate keeps using the prices from 2026-09-23\.$/);
    expect((await fx.call<PriceList>('prices:list')).source).toBe('bundled');
  });

  it('refuses unusable price data, and applies and stores good data as the last good copy', async () => {
    fx = startCore({ priceDataUrl: dataUrl });
    served = JSON.stringify([{ id: 'anthropic', name: 'Anthropic', api_pattern: 'x', models: [] }]);
    const bad = await fx.core.dispatch('prices:update', {});
    expect(bad).toMatchObject({ ok: false, error: { code: 'UPSTREAM_ERROR', message: expect.stringContaining('it has no OpenAI prices') } });
    expect(priceTokens('gpt-4o-mini', { input: 1_000_000, output: 0 }, 'https://api.openai.com')).toBeCloseTo(0.15, 10);

    served = JSON.stringify([
      { id: 'openai', name: 'OpenAI', api_pattern: 'https://api\\.openai\\.com', model_match: { starts_with: 'gpt-' }, models: [{ id: 'gpt-4o-mini', match: { equals: 'gpt-4o-mini' }, prices: { input_mtok: 7, output_mtok: 9 } }] },
    ]);
    const good = await fx.call<PriceList>('prices:update');
    expect(good).toMatchObject({ source: 'fetched', dataDate: new Date().toISOString().slice(0, 10) });
    expect(priceTokens('gpt-4o-mini', { input: 1_000_000, output: 0 }, 'https://api.openai.com')).toBeCloseTo(7, 10);
    const stored = fx.core.db.prepare('SELECT data FROM price_data').pluck().get() as string;
    expect(JSON.parse(stored)[0].models[0].prices.input_mtok).toBe(7);
  });
});
