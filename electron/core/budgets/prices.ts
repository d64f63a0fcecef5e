import { calcPrice, findProvider } from '@pydantic/genai-prices';
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
  const provider = providerOf(upstreamBaseUrl);
  const result = (provider === null ? null : calcPrice(usage, model, provider)) ?? calcPrice(usage, model);
  return result ? result.total_price : null;
}

/**
 * Which provider's prices an upstream's base URL names, found once per URL: the library matches the URL against
 * every provider's pattern with a new RegExp each, which cost more than the price itself. The answer is what
 * `providerApiUrl` would pick, asked for by id (found by the same id first), or the URL itself when the id would be
 * read otherwise (LiteLLM's ids take a provider prefix from the model). Null when no provider's pattern matches.
 */
function providerOf(baseUrl: string): { providerId: string } | { providerApiUrl: string } | null {
  let cached = providers.get(baseUrl);
  if (cached === undefined) {
    const found = findProvider({ providerApiUrl: baseUrl });
    if (!found) cached = null;
    else if (found.id.toLowerCase() !== 'litellm' && findProvider({ providerId: found.id }) === found) cached = { providerId: found.id };
    else cached = { providerApiUrl: baseUrl };
    // Base URLs are the owner's upstreams: few, but bounded all the same.
    if (providers.size >= 100) providers.clear();
    providers.set(baseUrl, cached);
  }
  return cached;
}

const providers = new Map<string, { providerId: string } | { providerApiUrl: string } | null>();

/** Forgets which provider each base URL names: called when other price data becomes the data in use. */
export function forgetPriceProviders(): void {
  providers.clear();
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
