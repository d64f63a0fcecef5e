import type { ModelInfo, ModelPrice } from '@pydantic/genai-prices';

/**
 * The usage units a Keygate price can read, as @pydantic/genai-prices defines them (its unit registry, copied for
 * the price keys its data uses on token models): the dimensions decide which unit is a part of which (cached input
 * is part of input, cached audio part of both), `per` what a price is per. A price naming any other key is left to
 * the library itself.
 */
const UNITS = {
  input_tokens: { priceKey: 'input_mtok', per: 1e6, dimensions: { direction: 'input', family: 'tokens' } },
  cache_read_tokens: { priceKey: 'cache_read_mtok', per: 1e6, dimensions: { direction: 'input', family: 'tokens', token_type: 'cache_read' } },
  cache_write_tokens: { priceKey: 'cache_write_mtok', per: 1e6, dimensions: { direction: 'input', family: 'tokens', token_type: 'cache_write' } },
  cache_write_1h_tokens: {
    priceKey: 'cache_write_1h_mtok',
    per: 1e6,
    dimensions: { cache_ttl: '1h', direction: 'input', family: 'tokens', token_type: 'cache_write' },
  },
  input_audio_tokens: { priceKey: 'input_audio_mtok', per: 1e6, dimensions: { direction: 'input', family: 'tokens', modality: 'audio' } },
  cache_audio_read_tokens: {
    priceKey: 'cache_audio_read_mtok',
    per: 1e6,
    dimensions: { direction: 'input', family: 'tokens', modality: 'audio', token_type: 'cache_read' },
  },
  input_image_tokens: { priceKey: 'input_image_mtok', per: 1e6, dimensions: { direction: 'input', family: 'tokens', modality: 'image' } },
  cache_image_read_tokens: {
    priceKey: 'cache_image_read_mtok',
    per: 1e6,
    dimensions: { direction: 'input', family: 'tokens', modality: 'image', token_type: 'cache_read' },
  },
  output_tokens: { priceKey: 'output_mtok', per: 1e6, dimensions: { direction: 'output', family: 'tokens' } },
  output_audio_tokens: { priceKey: 'output_audio_mtok', per: 1e6, dimensions: { direction: 'output', family: 'tokens', modality: 'audio' } },
  output_image_tokens: { priceKey: 'output_image_mtok', per: 1e6, dimensions: { direction: 'output', family: 'tokens', modality: 'image' } },
  output_reasoning_tokens: { priceKey: 'output_reasoning_mtok', per: 1e6, dimensions: { direction: 'output', family: 'tokens', token_type: 'reasoning' } },
  web_searches: { priceKey: 'web_searches_kcount', per: 1e3, dimensions: { family: 'tool_calls', tool_type: 'web_search' } },
  storage_searches: { priceKey: 'storage_searches_kcount', per: 1e3, dimensions: { family: 'tool_calls', tool_type: 'storage_search' } },
  requests: { priceKey: 'requests_kcount', per: 1e3, dimensions: { family: 'requests' } },
} as const satisfies Record<string, { priceKey: string; per: number; dimensions: Record<string, string> }>;

type UnitKey = keyof typeof UNITS;

const UNIT_OF_PRICE_KEY = new Map<string, UnitKey>(Object.entries(UNITS).map(([key, unit]) => [unit.priceKey, key as UnitKey]));

/** Token counts as the library reads them: unset units count 0 (our reports never set the others). */
export type RateUsage = Partial<Record<UnitKey, number>>;

/** A rate per `per` units, or the library's tiers: the rate whose start the request's input tokens exceed. */
type Rate = number | { base: number; tiers: ReadonlyArray<{ start: number; price: number }> };

interface Term {
  unit: UnitKey;
  /** Index of the unit's leaf in `PriceRates.leaves` (-1 for requests, which count 1). */
  leaf: number;
  rate: Rate;
  per: number;
  direction: 'input' | 'output' | 'other';
}

/** One priced unit's share: its count less the counts of the priced units that are parts of it (their own shares). */
interface Leaf {
  unit: UnitKey;
  /** Indexes of the leaves that are parts of this one: all come before it. */
  parts: number[];
}

/**
 * A model's price resolved once into arithmetic: the terms in the order of its price entries (the library adds them
 * in that order, so the sum is the same to the last bit), the leaves to compute, most specific first, and until when
 * the price holds (a start-date price takes over at its date; Infinity for a price without dates).
 */
export interface PriceRates {
  terms: Term[];
  leaves: Leaf[];
  readsInput: boolean;
  validUntil: number;
}

/**
 * The rates of `model`'s price at `now`, or null when the price cannot be done in plain arithmetic (a time-of-day
 * price, a key outside UNITS): the caller then asks the library every time. The price must be one the library
 * accepted (its units' wholes and overlaps priced too): the caller resolves the model with `calcPrice` first.
 */
export function ratesOf(model: ModelInfo, now: number): PriceRates | null {
  const chosen = priceAt(model, now);
  if (!chosen) return null;
  const terms: Term[] = [];
  for (const [priceKey, value] of Object.entries(chosen.price)) {
    if (value === undefined) continue;
    const unit = UNIT_OF_PRICE_KEY.get(priceKey);
    const rate = rateOf(value);
    if (unit === undefined || rate === null) return null;
    const direction = (UNITS[unit].dimensions as { direction?: string }).direction;
    terms.push({ unit, leaf: -1, rate, per: UNITS[unit].per, direction: direction === 'input' || direction === 'output' ? direction : 'other' });
  }
  const order = terms
    .map((term) => term.unit)
    .filter((unit) => unit !== 'requests').sort((a, b) => dimensionCount(b) - dimensionCount(a) || a.localeCompare(b));
  const leaves = order.map((unit) => ({ unit, parts: order.flatMap((other, index) => (other !== unit && isPartOf(other, unit) ? [index] : [])) }));
  for (const term of terms) term.leaf = (order as string[]).indexOf(term.unit);
  return { terms, leaves, readsInput: terms.some((term) => typeof term.rate === 'object'), validUntil: chosen.validUntil };
}

/**
 * What `usage` costs at `rates`, computed as the library computes it. Throws, as the library does, when a part
 * exceeds its whole (more cached than input tokens).
 */
export function costAt(rates: PriceRates, usage: RateUsage): number {
  const shares = new Array<number>(rates.leaves.length);
  for (let index = 0; index < rates.leaves.length; index++) {
    const leaf = rates.leaves[index]!;
    let share = usage[leaf.unit] ?? 0;
    for (const part of leaf.parts) share -= shares[part]!;
    if (share < 0) throw new Error(`Invalid usage data: the parts of ${leaf.unit} exceed it`);
    shares[index] = share;
  }
  const input = rates.readsInput ? (usage.input_tokens ?? 0) : 0;
  let inputPrice = 0;
  let outputPrice = 0;
  let otherPrice = 0;
  for (const term of rates.terms) {
    const count = term.leaf < 0 ? 1 : shares[term.leaf]!;
    const price = typeof term.rate === 'number' ? (term.rate * count) / term.per : (tiered(term.rate, count, input) * 1e6) / term.per;
    if (term.direction === 'input') inputPrice += price;
    else if (term.direction === 'output') outputPrice += price;
    else otherPrice += price;
  }
  return inputPrice + outputPrice + otherPrice;
}

/** The library's tiered price: per million, at the rate of the last tier whose start the input tokens exceed. */
function tiered(rate: Exclude<Rate, number>, count: number, inputTokens: number): number {
  if (count <= 0) return 0;
  let price = rate.base;
  for (const tier of rate.tiers) if (inputTokens > tier.start) price = tier.price;
  return (price * count) / 1e6;
}

/**
 * Whether `model`'s price has a rate per token in any of its entries. Some models are priced only per audio hour or
 * per request (whisper-1): the token counts Keygate prices would come to $0 for them, so they count as unpriced.
 */
export function pricesTokens(model: ModelInfo): boolean {
  const entries = Array.isArray(model.prices) ? model.prices.map((entry) => entry.prices) : [model.prices];
  return entries.some((price) => Object.entries(price).some(([unit, rate]) => unit.endsWith('_mtok') && rate !== null && rate !== undefined));
}

/** The price entry in force at `now` (as the library picks it) and when it may stop being; null for time-of-day prices. */
function priceAt(model: ModelInfo, now: number): { price: ModelPrice; validUntil: number } | null {
  if (!Array.isArray(model.prices)) return { price: model.prices, validUntil: Infinity };
  const entries = model.prices;
  let validUntil = Infinity;
  for (const entry of entries) {
    if (entry.constraint === undefined) continue;
    if (entry.constraint.type !== 'start_date') return null;
    const start = new Date(entry.constraint.start_date).getTime();
    if (Number.isNaN(start)) return null;
    if (start > now) validUntil = Math.min(validUntil, start);
  }
  for (let index = entries.length - 1; index >= 0; index--) {
    const entry = entries[index]!;
    const constraint = entry.constraint as { start_date: string } | undefined;
    if (constraint === undefined || now >= new Date(constraint.start_date).getTime()) return { price: entry.prices, validUntil };
  }
  return entries.length > 0 ? { price: entries[0]!.prices, validUntil } : null;
}

function rateOf(value: unknown): Rate | null {
  if (isRate(value)) return value;
  if (typeof value !== 'object' || value === null || !isRate((value as { base?: unknown }).base)) return null;
  const tiers = (value as { tiers?: unknown }).tiers;
  if (!Array.isArray(tiers)) return null;
  const sorted: { start: number; price: number }[] = [];
  for (const tier of tiers as unknown[]) {
    const { start, price } = (tier ?? {}) as { start?: unknown; price?: unknown };
    if (typeof start !== 'number' || !Number.isSafeInteger(start) || start < 0 || !isRate(price)) return null;
    sorted.push({ start, price });
  }
  sorted.sort((a, b) => a.start - b.start);
  return { base: (value as { base: number }).base, tiers: sorted };
}

function isRate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function dims(unit: UnitKey): Record<string, string> {
  return UNITS[unit].dimensions;
}

function dimensionCount(unit: UnitKey): number {
  return Object.keys(dims(unit)).length;
}

/** Whether `part` is a part of `whole`: it has every dimension of `whole`, with the same values. */
function isPartOf(part: UnitKey, whole: UnitKey): boolean {
  return Object.entries(dims(whole)).every(([name, value]) => dims(part)[name] === value);
}
