import type { CustomPrice } from '../../shared/types';
import type { Database } from './database';
import { statement } from './statements';

interface PriceRow {
  upstream_id: string;
  model: string;
  input_mtok: number;
  cached_input_mtok: number | null;
  output_mtok: number;
}

function toPrice(row: PriceRow): CustomPrice {
  return {
    upstreamId: row.upstream_id,
    model: row.model,
    inputPerMillion: row.input_mtok,
    cachedInputPerMillion: row.cached_input_mtok,
    outputPerMillion: row.output_mtok,
  };
}

/** Every custom price, by upstream and model. */
export function listCustomPrices(db: Database): CustomPrice[] {
  return statement<[], PriceRow>(db, 'SELECT * FROM custom_prices ORDER BY upstream_id, model').all().map(toPrice);
}

/**
 * The custom price of `model` (case-insensitive, as the column's NOCASE: ASCII letters only) on an upstream, or null.
 * Read from a copy of the table in memory, loaded again after each change through this module: the proxy asks for a
 * price twice per request with a budget in dollars, and the table is short (the owner types each row).
 */
export function getCustomPrice(db: Database, upstreamId: string, model: string): CustomPrice | null {
  const version = priceVersions.get(db) ?? 0;
  let index = priceIndexes.get(db);
  if (!index || index.version !== version) {
    const prices = new Map<string, CustomPrice>();
    for (const price of listCustomPrices(db)) prices.set(priceKey(price.upstreamId, price.model), price);
    priceIndexes.set(db, (index = { version, prices }));
  }
  return index.prices.get(priceKey(upstreamId, model)) ?? null;
}

const priceVersions = new WeakMap<Database, number>();
const priceIndexes = new WeakMap<Database, { version: number; prices: Map<string, CustomPrice> }>();

function priceKey(upstreamId: string, model: string): string {
  return `${upstreamId}\n${model.replace(/[A-Z]+/g, (letters) => letters.toLowerCase())}`;
}

function pricesChanged(db: Database): void {
  priceVersions.set(db, (priceVersions.get(db) ?? 0) + 1);
}

/** Sets (or replaces) a custom price. */
export function putCustomPrice(db: Database, price: CustomPrice): void {
  statement(
    db,
    `INSERT INTO custom_prices (upstream_id, model, input_mtok, cached_input_mtok, output_mtok) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (upstream_id, model) DO UPDATE SET model = excluded.model, input_mtok = excluded.input_mtok,
       cached_input_mtok = excluded.cached_input_mtok, output_mtok = excluded.output_mtok`,
  ).run(price.upstreamId, price.model, price.inputPerMillion, price.cachedInputPerMillion, price.outputPerMillion);
  pricesChanged(db);
}

/** Removes a custom price; answers whether there was one. */
export function deleteCustomPrice(db: Database, upstreamId: string, model: string): boolean {
  const deleted = statement(db, 'DELETE FROM custom_prices WHERE upstream_id = ? AND model = ?').run(upstreamId, model).changes > 0;
  pricesChanged(db);
  return deleted;
}

/** The last good price data fetched, or null (the bundled copy is in use). */
export function readPriceData(db: Database): { fetchedAt: number; data: string } | null {
  const row = statement<[], { fetched_at: number; data: string }>(db, 'SELECT fetched_at, data FROM price_data WHERE id = 1').get();
  return row ? { fetchedAt: row.fetched_at, data: row.data } : null;
}

/** Keeps `data` as the last good price data. */
export function writePriceData(db: Database, fetchedAt: number, data: string): void {
  statement(db, 'INSERT INTO price_data (id, fetched_at, data) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET fetched_at = excluded.fetched_at, data = excluded.data').run(
    fetchedAt,
    data,
  );
}

/** Changes with every custom price set or removed through this module: a cache of prices compares it. */
export function customPricesVersion(db: Database): number {
  return priceVersions.get(db) ?? 0;
}
