import { calcPrice } from '@pydantic/genai-prices';

/** Tokens to price; `input` includes `cachedInput`, as OpenAI's `prompt_tokens` does. */
export interface TokenCounts {
  input: number;
  cachedInput?: number;
  output: number;
}

/**
 * The price in US dollars of `tokens` on `model`, from @pydantic/genai-prices' bundled data: the provider the
 * upstream's base URL names, else any provider that lists the model. null when no price is known — never 0.
 */
export function priceTokens(model: string, tokens: TokenCounts, upstreamBaseUrl: string): number | null {
  const usage = { input_tokens: tokens.input, cache_read_tokens: tokens.cachedInput ?? 0, output_tokens: tokens.output };
  const result = calcPrice(usage, model, { providerApiUrl: upstreamBaseUrl }) ?? calcPrice(usage, model);
  return result ? result.total_price : null;
}
