import { calcPrice, findProvider, type Provider } from '@pydantic/genai-prices';
import type { CustomPrice } from '../../shared/types';
import type { Database } from '../store/database';
import { customPricesVersion, getCustomPrice } from '../store/prices-repo';
import { costAt, pricesTokens, ratesOf, type PriceRates, type RateUsage } from './price-rates';

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
  /** Of `output`, spent on reasoning: priced apart only by a model whose price names reasoning tokens. */
  reasoning?: number;
}

/**
 * The price in US dollars of `tokens` on `model`, from @pydantic/genai-prices' data (bundled, or the copy
 * `prices:update` fetched): the provider the upstream's base URL names, else any provider that lists the model.
 * null when no price is known — never 0. The model's price is found once (see `resolvedPrice`) and then computed
 * with plain arithmetic: a call costs well under a microsecond instead of the library's ~17 µs.
 */
export function priceTokens(model: string, tokens: TokenCounts, upstreamBaseUrl: string): number | null {
  return costOf(resolvedPrice(upstreamBaseUrl, model), model, tokens);
}

/**
 * The context window (input and output tokens together) the price data gives `model` through an upstream at `baseUrl`,
 * or null when it gives none (a model it does not know, or one priced other than per token).
 */
export function contextWindowOf(baseUrl: string, model: string): number | null {
  let resolved: Resolved;
  try {
    resolved = resolvedPrice(baseUrl, model);
  } catch {
    // The library rejects its data for this model: no window is known.
    return null;
  }
  return resolved.kind === 'library' ? (resolved.provider.models[0]?.context_window ?? null) : null;
}

/** How a model is priced, found once: no price, the owner's custom price, or the library's (as arithmetic when it can be). */
type Resolved =
  | { kind: 'none' }
  | { kind: 'custom'; price: CustomPrice }
  | { kind: 'library'; provider: Provider; rates: PriceRates | null };

const NO_PRICE: Resolved = { kind: 'none' };

function costOf(resolved: Resolved, model: string, tokens: TokenCounts): number | null {
  if (resolved.kind === 'none') return null;
  if (resolved.kind === 'custom') return priceCustom(resolved.price, tokens);
  const audio = (tokens.inputAudio !== undefined ? 1 : 0) + (tokens.cachedAudio !== undefined ? 1 : 0) + (tokens.outputAudio !== undefined ? 1 : 0);
  // Some audio counts without the others: the library has checks of its own for that shape, so it prices it.
  if (resolved.rates === null || audio === 1 || audio === 2) return calcPrice(libraryUsage(tokens), model, { provider: resolved.provider })?.total_price ?? null;
  return costAt(resolved.rates, rateUsage(tokens));
}

/** `tokens` in the units price-rates.ts computes with (the library's own names; absent audio stays undefined). */
export function rateUsage(tokens: TokenCounts): RateUsage {
  return {
    input_tokens: tokens.input,
    cache_read_tokens: tokens.cachedInput ?? 0,
    output_tokens: tokens.output,
    input_audio_tokens: tokens.inputAudio,
    cache_audio_read_tokens: tokens.cachedAudio,
    output_audio_tokens: tokens.outputAudio,
    output_reasoning_tokens: tokens.reasoning,
  };
}

/** `tokens` as the library's `calcPrice` takes them. */
export function libraryUsage(tokens: TokenCounts): Record<string, number> {
  return {
    input_tokens: tokens.input,
    cache_read_tokens: tokens.cachedInput ?? 0,
    output_tokens: tokens.output,
    // Audio is priced at its own rates (Realtime models); the library takes them out of the text totals above.
    ...(tokens.inputAudio !== undefined && { input_audio_tokens: tokens.inputAudio }),
    ...(tokens.cachedAudio !== undefined && { cache_audio_read_tokens: tokens.cachedAudio }),
    ...(tokens.outputAudio !== undefined && { output_audio_tokens: tokens.outputAudio }),
    ...(tokens.reasoning !== undefined && { output_reasoning_tokens: tokens.reasoning }),
  };
}

/**
 * Where `model` finds its price through an upstream at `baseUrl`, asked of the library once per (URL, model) and
 * price data: the provider and model it matched, narrowed to that one model (for prices left to the library), and
 * the price as rates (price-rates.ts). A start-date price is found again once its next date has come.
 */
function resolvedPrice(baseUrl: string, model: string): Resolved {
  let models = resolvedByUrl.get(baseUrl);
  if (!models) {
    // Base URLs are the owner's upstreams: few, but bounded all the same.
    if (resolvedByUrl.size >= 100) resolvedByUrl.clear();
    resolvedByUrl.set(baseUrl, (models = new Map()));
  }
  const known = models.get(model);
  if (known !== undefined && !expired(known)) return known;
  const zero = { input_tokens: 0, cache_read_tokens: 0, output_tokens: 0 };
  const provider = providerOf(baseUrl);
  // Throws, caching nothing, when the library rejects the price data for the model.
  const result = (provider === null ? null : calcPrice(zero, model, provider)) ?? calcPrice(zero, model);
  // A price only per audio hour or per request (whisper-1) cannot price tokens: unknown, never $0.
  const resolved: Resolved = result && pricesTokens(result.model)
    ? { kind: 'library', provider: { ...result.provider, models: [result.model], fallback_model_providers: [] }, rates: ratesOf(result.model, Date.now()) }
    : NO_PRICE;
  // A client names the model: the cache cannot be grown without bound by made-up names.
  if (models.size >= MAX_MODELS) models.clear();
  models.set(model, resolved);
  return resolved;
}

/** Whether a start-date price found earlier has been taken over by the next one. */
function expired(resolved: Resolved): boolean {
  return resolved.kind === 'library' && resolved.rates !== null && resolved.rates.validUntil !== Infinity && resolved.rates.validUntil <= Date.now();
}

const MAX_MODELS = 1_000;
const resolvedByUrl = new Map<string, Map<string, Resolved>>();
/** Bumped when other price data is applied: the prices each store resolved are found again. */
let dataGeneration = 0;

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

/** Forgets which provider each base URL names and every price found: called when other price data becomes the data in use. */
export function forgetPriceProviders(): void {
  providers.clear();
  resolvedByUrl.clear();
  dataGeneration++;
}

/**
 * What a batch's lines cost of their price as requests: OpenAI's own API runs batches at half price, input and output
 * alike (its pricing page's Batch API). Other upstreams are priced in full, a bound that holds whatever they charge.
 */
export function batchPriceShare(baseUrl: string): number {
  let host: string;
  try {
    host = new URL(baseUrl).host;
  } catch {
    return 1;
  }
  return host === 'api.openai.com' ? 0.5 : 1;
}

/** What `tokens` cost at a custom price (per million tokens; cached input at the input price unless set). */
export function priceCustom(price: CustomPrice, tokens: TokenCounts): number {
  const cached = Math.min(tokens.cachedInput ?? 0, tokens.input);
  const cachedRate = price.cachedInputPerMillion ?? price.inputPerMillion;
  return ((tokens.input - cached) * price.inputPerMillion + cached * cachedRate + tokens.output * price.outputPerMillion) / 1_000_000;
}

/**
 * The price of `tokens` on `model` through an upstream: the owner's custom price for it first, then the price data.
 * Found once per store, upstream and model; found again after `prices:set` / `prices:remove` (the custom prices'
 * version changes), when the upstream's base URL changed, or other price data was applied.
 */
export function priceOn(db: Database, upstream: { id: string; baseUrl: string }, model: string, tokens: TokenCounts): number | null {
  const version = customPricesVersion(db);
  let cache = storeCaches.get(db);
  if (!cache || cache.version !== version || cache.generation !== dataGeneration) {
    storeCaches.set(db, (cache = { version, generation: dataGeneration, upstreams: new Map() }));
  }
  let entry = cache.upstreams.get(upstream.id);
  if (!entry || entry.baseUrl !== upstream.baseUrl) {
    if (cache.upstreams.size >= 100) cache.upstreams.clear();
    cache.upstreams.set(upstream.id, (entry = { baseUrl: upstream.baseUrl, models: new Map() }));
  }
  let resolved = entry.models.get(model);
  if (resolved === undefined || expired(resolved)) {
    const custom = getCustomPrice(db, upstream.id, model);
    resolved = custom ? { kind: 'custom', price: custom } : resolvedPrice(upstream.baseUrl, model);
    if (entry.models.size >= MAX_MODELS) entry.models.clear();
    entry.models.set(model, resolved);
  }
  return costOf(resolved, model, tokens);
}

const storeCaches = new WeakMap<Database, { version: number; generation: number; upstreams: Map<string, { baseUrl: string; models: Map<string, Resolved> }> }>();
