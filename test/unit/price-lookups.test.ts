import { calcPrice } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { forgetPriceLookups, priceTokens } from '../../electron/core/budgets/prices';

const OPENAI = 'https://api.openai.com/v1';

describe('cached price lookups', () => {
  it('price exactly as the library does, on the first call and on the cached ones', () => {
    forgetPriceLookups();
    const models = ['gpt-4o-mini', 'gpt-4o', 'gpt-4o-2024-08-06', 'o3-mini', 'gpt-4.1-nano', 'text-embedding-3-small'];
    for (const model of models) {
      for (const [input, cachedInput, output] of [
        [1000, 0, 200],
        [5000, 4096, 1],
        [7, 7, 0],
      ] as const) {
        const reference = calcPrice({ input_tokens: input, cache_read_tokens: cachedInput, output_tokens: output }, model, { providerApiUrl: OPENAI });
        for (let call = 0; call < 2; call++) expect(priceTokens(model, { input, cachedInput, output }, OPENAI)).toBe(reference?.total_price ?? null);
      }
    }
  });

  it('remember that a model has no price, and never answer 0 for it', () => {
    forgetPriceLookups();
    expect(priceTokens('no-such-model-anywhere', { input: 10, output: 10 }, 'http://127.0.0.1:1/v1')).toBeNull();
    expect(priceTokens('no-such-model-anywhere', { input: 10, output: 10 }, 'http://127.0.0.1:1/v1')).toBeNull();
  });

  it('are several times cheaper than asking the library to search', () => {
    const tokens = { input: 1000, cachedInput: 100, output: 200 };
    const local = 'http://127.0.0.1:9/v1';
    priceTokens('gpt-4o-mini', tokens, local);
    const time = (run: () => void): number => {
      const start = performance.now();
      for (let i = 0; i < 2000; i++) run();
      return performance.now() - start;
    };
    const usage = { input_tokens: 1000, cache_read_tokens: 100, output_tokens: 200 };
    const searched = time(() => calcPrice(usage, 'gpt-4o-mini', { providerApiUrl: local }) ?? calcPrice(usage, 'gpt-4o-mini'));
    const cached = time(() => priceTokens('gpt-4o-mini', tokens, local));
    expect(cached).toBeLessThan(searched / 2);
  });
});
