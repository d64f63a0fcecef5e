import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calcPrice, updatePrices, waitForUpdate, type Provider } from '@pydantic/genai-prices';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyStoredPriceData } from '../../electron/core/budgets/price-data';
import { priceTokens } from '../../electron/core/budgets/prices';
import { openDatabase } from '../../electron/core/store/database';
import { writePriceData } from '../../electron/core/store/prices-repo';

/** What the library answers for the upstream's base URL, asked the long way (every provider's URL pattern each time). */
function byUrl(model: string, tokens: { input: number; output: number }, baseUrl: string): number | null {
  const usage = { input_tokens: tokens.input, cache_read_tokens: 0, output_tokens: tokens.output };
  const result = calcPrice(usage, model, { providerApiUrl: baseUrl }) ?? calcPrice(usage, model);
  return result ? result.total_price : null;
}

const URLS = ['https://api.openai.com/v1', 'https://openrouter.ai/api/v1', 'https://api.groq.com/openai/v1', 'http://127.0.0.1:11434/v1', 'https://example.invalid'];
const MODELS = ['gpt-4o-mini', 'GPT-4o', 'openai/gpt-4o-mini', 'llama-3.1-8b-instant', 'claude-3-5-sonnet-latest', 'no-such-model'];

let bundled: Provider[] | null;
let dir: string;
beforeAll(async () => {
  bundled = await waitForUpdate();
  dir = mkdtempSync(join(tmpdir(), 'keygate-prices-'));
});
afterAll(() => {
  updatePrices(({ setProviderData }) => setProviderData(bundled));
  rmSync(dir, { recursive: true, force: true });
});

describe('prices through an upstream', () => {
  it('gives what the price data gives for the upstream URL, for every provider and for none', () => {
    for (const url of URLS) {
      for (const model of MODELS) {
        // Twice: the second answer comes from the provider remembered for the URL.
        for (let round = 0; round < 2; round++) {
          expect([url, model, priceTokens(model, { input: 1234, output: 567 }, url)]).toEqual([url, model, byUrl(model, { input: 1234, output: 567 }, url)]);
        }
      }
    }
  });

  it('reads the URL again once other price data is in use', () => {
    const url = 'http://127.0.0.1:11434/v1';
    expect(priceTokens('local-model', { input: 1_000_000, output: 0 }, url)).toBeNull();
    const db = openDatabase(join(dir, 'keygate.db'));
    const providers: Provider[] = [
      { id: 'openai', name: 'OpenAI', api_pattern: 'https://api\\.openai\\.com', models: [] },
      { id: 'local', name: 'Local', api_pattern: 'http://127\\.0\\.0\\.1:11434', models: [{ id: 'local-model', match: { equals: 'local-model' }, prices: { input_mtok: 3, output_mtok: 5 } }] },
    ];
    writePriceData(db, Date.now(), JSON.stringify(providers));
    applyStoredPriceData(db);
    db.close();
    expect(priceTokens('local-model', { input: 1_000_000, output: 0 }, url)).toBeCloseTo(3, 10);
  });
});
