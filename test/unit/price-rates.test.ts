import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calcPrice, waitForUpdate, type ModelInfo, type Provider } from '@pydantic/genai-prices';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costAt, ratesOf } from '../../electron/core/budgets/price-rates';
import { libraryUsage, priceOn, priceTokens, rateUsage, type TokenCounts } from '../../electron/core/budgets/prices';
import { createPricesService } from '../../electron/core/services/prices';
import { openDatabase, type Database } from '../../electron/core/store/database';
import { insertUpstream, testSecretBox } from '../helpers/proxy-fixtures';

/** Usages as the proxy reports them: plain, cached input with reasoning, a long context (tiers), Realtime audio. */
const USAGES: TokenCounts[] = [
  { input: 1000, cachedInput: 0, output: 200 },
  { input: 5000, cachedInput: 4096, output: 900, reasoning: 640 },
  { input: 300_000, cachedInput: 12_000, output: 5000, reasoning: 4000 },
  { input: 2000, cachedInput: 500, output: 800, inputAudio: 1200, cachedAudio: 300, outputAudio: 600 },
  { input: 0, cachedInput: 0, output: 0 },
];

/** The answer or the error, so that a refusal by the library is compared too. */
function outcome(run: () => number | null | undefined): number | null | 'throws' {
  try {
    return run() ?? null;
  } catch {
    return 'throws';
  }
}

let providers: Provider[];
beforeAll(async () => {
  providers = (await waitForUpdate())!;
});

describe('a price resolved into rates', () => {
  it('costs what the library computes, to the last bit, for every model in the price data and each usage', () => {
    const now = Date.now();
    let compared = 0;
    let leftToLibrary = 0;
    for (const provider of providers) {
      for (const model of provider.models) {
        const narrowed: Provider = { ...provider, models: [model], fallback_model_providers: [] };
        // A model the library cannot price even with no usage (its data rejected) is not resolved into rates.
        if (outcome(() => calcPrice({ input_tokens: 0, output_tokens: 0 }, model.id, { provider: narrowed })?.total_price) === 'throws') continue;
        const rates = ratesOf(model, now);
        if (rates === null) {
          leftToLibrary++;
          continue;
        }
        for (const tokens of USAGES) {
          const reference = outcome(() => calcPrice(libraryUsage(tokens), model.id, { provider: narrowed, timestamp: new Date(now) })?.total_price);
          if (reference === null) continue;
          expect([provider.id, model.id, tokens, outcome(() => costAt(rates, rateUsage(tokens)))]).toEqual([provider.id, model.id, tokens, reference]);
          compared++;
        }
      }
    }
    // Nearly every model is arithmetic; the rest (time-of-day prices, per-hour or per-page units) go to the library.
    expect(compared).toBeGreaterThan(5000);
    expect(leftToLibrary).toBeLessThan(100);
  });

  it('refuses, as the library does, more cached than input tokens', () => {
    const model = providers.find((p) => p.id === 'openai')!.models.find((m) => m.id === 'gpt-4o-mini')!;
    expect(() => costAt(ratesOf(model, Date.now())!, rateUsage({ input: 10, cachedInput: 11, output: 1 }))).toThrow();
    expect(() => calcPrice(libraryUsage({ input: 10, cachedInput: 11, output: 1 }), 'gpt-4o-mini', { providerId: 'openai' })).toThrow();
  });

  it('takes the tier the input reaches, as the library does', () => {
    const model: ModelInfo = {
      id: 'tiered',
      match: { equals: 'tiered' },
      prices: { input_mtok: { base: 1, tiers: [{ start: 200_000, price: 2 }] }, output_mtok: { base: 4, tiers: [{ start: 200_000, price: 8 }] } },
    };
    const rates = ratesOf(model, Date.now())!;
    expect(costAt(rates, rateUsage({ input: 200_000, output: 1_000_000 }))).toBeCloseTo(0.2 + 4, 12);
    expect(costAt(rates, rateUsage({ input: 200_001, output: 1_000_000 }))).toBeCloseTo(0.400002 + 8, 12);
  });

  it('holds a start-date price until its date, then the next; leaves time-of-day prices to the library', () => {
    const switchAt = Date.UTC(2030, 0, 1);
    const model: ModelInfo = {
      id: 'dated',
      match: { equals: 'dated' },
      prices: [{ prices: { input_mtok: 1, output_mtok: 2 } }, { constraint: { type: 'start_date', start_date: '2030-01-01T00:00:00Z' }, prices: { input_mtok: 10, output_mtok: 20 } }],
    };
    const before = ratesOf(model, switchAt - 1)!;
    expect(before.validUntil).toBe(switchAt);
    expect(costAt(before, rateUsage({ input: 1_000_000, output: 1_000_000 }))).toBe(3);
    const after = ratesOf(model, switchAt)!;
    expect(after.validUntil).toBe(Infinity);
    expect(costAt(after, rateUsage({ input: 1_000_000, output: 1_000_000 }))).toBe(30);
    const offPeak: ModelInfo = {
      ...model,
      prices: [{ prices: { input_mtok: 1 } }, { constraint: { type: 'time_of_date', start_time: '16:30:00Z', end_time: '00:30:00Z' }, prices: { input_mtok: 0.5 } }],
    };
    expect(ratesOf(offPeak, switchAt)).toBeNull();
  });
});

describe('priceTokens and priceOn', () => {
  let dir: string;
  let db: Database;
  let upstream: { id: string; baseUrl: string };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'keygate-rates-'));
    db = openDatabase(join(dir, 'keygate.db'));
    const baseUrl = 'https://api.openai.com/v1';
    upstream = { id: insertUpstream(db, testSecretBox(), { baseUrl, apiKey: 'sk-test' }), baseUrl };
  });
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('price as the library does through an upstream URL, the first time and from the cache', () => {
    // Models priced per token (whisper-1, priced per audio hour, is the test below).
    const models = ['gpt-4o-mini', 'gpt-4o', 'gpt-4o-2024-08-06', 'o3-mini', 'o3', 'gpt-4.1-nano', 'gpt-4o-realtime-preview', 'text-embedding-3-small', 'no-such-model'];
    for (const url of ['https://api.openai.com/v1', 'http://127.0.0.1:9/v1']) {
      for (const model of models) {
        for (const tokens of USAGES) {
          const usage = libraryUsage(tokens);
          const reference = outcome(() => (calcPrice(usage, model, { providerApiUrl: url }) ?? calcPrice(usage, model))?.total_price);
          for (let call = 0; call < 2; call++) expect([url, model, tokens, outcome(() => priceTokens(model, tokens, url))]).toEqual([url, model, tokens, reference]);
        }
      }
    }
  });

  it('know no price for a model the data prices only per audio hour or per request, rather than costing it $0', () => {
    const tokens = { input: 1000, cachedInput: 0, output: 1000 };
    // The library's price of whisper-1 is $0.36 an audio hour: tokens cost nothing there.
    expect(calcPrice(libraryUsage(tokens), 'whisper-1', { providerApiUrl: 'https://api.openai.com/v1' })?.total_price).toBe(0);
    expect(priceTokens('whisper-1', tokens, 'https://api.openai.com/v1')).toBeNull();
    expect(priceTokens('gpt-4o-transcribe', tokens, 'https://api.openai.com/v1')).toBeGreaterThan(0);
  });

  it('price by a custom price from the prices:set after it, and by the price data after prices:remove', () => {
    const prices = createPricesService({ db });
    const tokens = { input: 1_000_000, cachedInput: 0, output: 1_000_000 };
    const library = priceTokens('gpt-4o-mini', tokens, upstream.baseUrl);
    expect(priceOn(db, upstream, 'gpt-4o-mini', tokens)).toBe(library);
    prices.set({ upstreamId: upstream.id, model: 'gpt-4o-mini', inputPerMillion: 7, outputPerMillion: 11 });
    expect(priceOn(db, upstream, 'gpt-4o-mini', tokens)).toBe(18);
    prices.set({ upstreamId: upstream.id, model: 'GPT-4o-mini', inputPerMillion: 1, outputPerMillion: 2 });
    expect(priceOn(db, upstream, 'gpt-4o-mini', tokens)).toBe(3);
    prices.remove({ upstreamId: upstream.id, model: 'gpt-4o-mini' });
    expect(priceOn(db, upstream, 'gpt-4o-mini', tokens)).toBe(library);
    expect(priceOn(db, upstream, 'my-local-llama', tokens)).toBeNull();
    prices.set({ upstreamId: upstream.id, model: 'my-local-llama', inputPerMillion: 0.5, outputPerMillion: 0.5 });
    expect(priceOn(db, upstream, 'my-local-llama', tokens)).toBe(1);
  });

  it('price through the base URL the upstream has now', () => {
    const tokens = { input: 1000, output: 1000 };
    const local = { id: upstream.id, baseUrl: 'http://127.0.0.1:9/v1' };
    expect(priceOn(db, local, 'llama-3.1-8b-instant', tokens)).toBe(priceTokens('llama-3.1-8b-instant', tokens, local.baseUrl));
    const groq = { id: upstream.id, baseUrl: 'https://api.groq.com/openai/v1' };
    expect(priceOn(db, groq, 'llama-3.1-8b-instant', tokens)).toBe(priceTokens('llama-3.1-8b-instant', tokens, groq.baseUrl));
  });

  it('cost a small fraction of asking the library', () => {
    const tokens = { input: 1000, cachedInput: 100, output: 200 };
    const usage = libraryUsage(tokens);
    // The best of several rounds: on a busy machine a round can be stalled by other work, not by what it runs.
    const time = (run: () => void): number => {
      let best = Infinity;
      for (let round = 0; round < 7; round++) {
        const start = performance.now();
        for (let i = 0; i < 2000; i++) run();
        best = Math.min(best, performance.now() - start);
      }
      return best;
    };
    priceOn(db, upstream, 'gpt-4o-mini', tokens);
    const library = time(() => calcPrice(usage, 'gpt-4o-mini', { providerId: 'openai' }));
    const cached = time(() => priceOn(db, upstream, 'gpt-4o-mini', tokens));
    expect(cached).toBeLessThan(library / 5);
  });
});
