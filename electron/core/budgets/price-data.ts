import { REMOTE_DATA_JSON_URL, updatePrices, type Provider } from '@pydantic/genai-prices';
import { AppError } from '../../shared/errors';
import type { Database } from '../store/database';
import { readPriceData, writePriceData } from '../store/prices-repo';
import { forgetPriceProviders } from './prices';

/** When the price data bundled with @pydantic/genai-prices 0.1.8 was published (npm's release time of that version). */
export const BUNDLED_PRICES_DATE = '2026-09-23';
const FETCH_TIMEOUT_MS = 15_000;

/** Providers from price data text, or an error saying what is wrong with it. */
function parseProviders(text: string): Provider[] {
  const value: unknown = JSON.parse(text);
  const providers = Array.isArray(value) ? value : (value as { providers?: unknown } | null)?.providers;
  if (!Array.isArray(providers) || providers.length === 0) throw new Error('it holds no providers');
  for (const provider of providers) {
    const { id, models } = (provider ?? {}) as { id?: unknown; models?: unknown };
    if (typeof id !== 'string' || !Array.isArray(models)) throw new Error('a provider lacks an id or models');
  }
  if (!providers.some((provider: { id: string }) => provider.id === 'openai')) throw new Error('it has no OpenAI prices');
  return providers as Provider[];
}

/** Makes `providers` the library's active data; throws (keeping the data in use) when the library rejects them. */
function apply(providers: Provider[]): void {
  updatePrices(({ setProviderData }) => setProviderData(providers));
  forgetPriceProviders();
}

/** At start: uses the last good price data fetched, if any and still readable; otherwise the bundled copy stays. */
export function applyStoredPriceData(db: Database): void {
  const stored = readPriceData(db);
  if (!stored) return;
  try {
    apply(parseProviders(stored.data));
  } catch {
    // A stored copy the library no longer accepts: the bundled data is the safe fallback.
  }
}

/** The date of the price data in use: the day it was fetched, or the bundled copy's. */
export function priceDataDate(db: Database): { dataDate: string; source: 'bundled' | 'fetched' } {
  const stored = readPriceData(db);
  return stored ? { dataDate: new Date(stored.fetchedAt).toISOString().slice(0, 10), source: 'fetched' } : { dataDate: BUNDLED_PRICES_DATE, source: 'bundled' };
}

/**
 * Fetches the library's own current price data, validates it (parsed, providers with models, OpenAI among them, and
 * accepted by the library), applies it and keeps it as the last good copy. On any failure the data in use stays.
 */
export async function updatePriceData(db: Database, now: number, url = REMOTE_DATA_JSON_URL): Promise<void> {
  let text: string;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`the server answered ${response.status}`);
    text = await response.text();
  } catch (error) {
    const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    throw new AppError(
      'UPSTREAM_ERROR',
      `Could not download new price data from ${url} (${reason.slice(0, 200)}); are you offline? Keygate keeps using the prices from ${priceDataDate(db).dataDate}.`,
    );
  }
  let providers: Provider[];
  try {
    providers = parseProviders(text);
    apply(providers);
  } catch (error) {
    throw new AppError(
      'UPSTREAM_ERROR',
      `The downloaded price data is not usable (${error instanceof Error ? error.message.slice(0, 200) : 'unreadable'}); Keygate keeps using the prices from ${priceDataDate(db).dataDate}.`,
    );
  }
  writePriceData(db, now, JSON.stringify(providers));
}
