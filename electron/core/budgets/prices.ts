import { calcPrice, type Provider } from '@pydantic/genai-prices';
import type { CustomPrice } from '../../shared/types';
import type { Database } from '../store/database';
import { getCustomPrice } from '../store/prices-repo';

/**
 * Tokens to price; `input` includes `cachedInput` and `inputAudio`, as OpenAI's `prompt_tokens` does, and `output`
 * includes `outputAudio`. `cachedAudio` is the audio part of `cachedInput` (the Realtime API reports all four).
 */
export interface TokenCounts {
  input: number;
  cachedInput?: number;
  output: number;
  inputAudio?: number;
  cachedAudio?: number;
  outputAudio?: number;
}

/**
 * The price in US dollars of `tokens` on `model`, from @pydantic/genai-prices' data (bundled, or the copy
 * `prices:update` fetched): the provider the upstream's base URL names, else any provider that lists the model.
 * null when no price is known — never 0.
 */
export function priceTokens(model: string, tokens: TokenCounts, upstreamBaseUrl: string): number | null {
  const usage = {
    input_tokens: tokens.input,
    cache_read_tokens: tokens.cachedInput ?? 0,
    output_tokens: tokens.output,
    // Audio is priced at its own rates (Realtime models); the library takes them out of the text totals above.
    ...(tokens.inputAudio !== undefined && { input_audio_tokens: tokens.inputAudio }),
    ...(tokens.cachedAudio !== undefined && { cache_audio_read_tokens: tokens.cachedAudio }),
    ...(tokens.outputAudio !== undefined && { output_audio_tokens: tokens.outputAudio }),
  };
  const key = `${upstreamBaseUrl}\n${model}`;
  const found = lookups.get(key);
  if (found === undefined) {
    const result = calcPrice(usage, model, { providerApiUrl: upstreamBaseUrl }) ?? calcPrice(usage, model);
    // A client names the model: the cache cannot be grown without bound by made-up names.
    if (lookups.size >= MAX_LOOKUPS) lookups.clear();
    lookups.set(key, result ? { ...result.provider, models: [result.model], fallback_model_providers: [] } : null);
    return result ? result.total_price : null;
  }
  if (found === null) return null;
  return calcPrice(usage, model, { provider: found })?.total_price ?? null;
}

/**
 * Where each (upstream base URL, model) found its price: a provider narrowed to that one model, so pricing an answer
 * skips the library's search through every provider and model (~0.25 ms → ~0.04 ms a call); null: no price known.
 */
const lookups = new Map<string, Provider | null>();
const MAX_LOOKUPS = 1_000;

/** Forgets where models found their prices: called when other price data is applied. */
export function forgetPriceLookups(): void {
  lookups.clear();
}

/** What `tokens` cost at a custom price (per million tokens; cached input at the input price unless set). */
export function priceCustom(price: CustomPrice, tokens: TokenCounts): number {
  const cached = Math.min(tokens.cachedInput ?? 0, tokens.input);
  const cachedRate = price.cachedInputPerMillion ?? price.inputPerMillion;
  return ((tokens.input - cached) * price.inputPerMillion + cached * cachedRate + tokens.output * price.outputPerMillion) / 1_000_000;
}

/** The price of `tokens` on `model` through an upstream: the owner's custom price for it first, then the price data. */
export function priceOn(db: Database, upstream: { id: string; baseUrl: string }, model: string, tokens: TokenCounts): number | null {
  const custom = getCustomPrice(db, upstream.id, model);
  return custom ? priceCustom(custom, tokens) : priceTokens(model, tokens, upstream.baseUrl);
}
