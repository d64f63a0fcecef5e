import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Statement } from 'better-sqlite3';
import OpenAI from 'openai';
import type * as GenaiPrices from '@pydantic/genai-prices';
import type * as Prices from '../../electron/core/budgets/prices';
import { deleteCustomPrice, putCustomPrice } from '../../electron/core/store/prices-repo';
import { writeSetting } from '../../electron/core/store/settings-repo';
import type { Budget } from '../../electron/shared/types';
import { useProxyHarness } from '../helpers/proxy-harness-per-file';

// The price lookup is the costliest step of a request's accounting: count how often the proxy asks for a price.
const priceCalls = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../electron/core/budgets/prices', async (importOriginal) => {
  const actual = await importOriginal<typeof Prices>();
  return {
    ...actual,
    priceOn: (...args: Parameters<typeof actual.priceOn>) => {
      priceCalls.count++;
      return actual.priceOn(...args);
    },
  };
});

// The library behind the price lookup: how often it is asked for a price.
const libraryCalls = vi.hoisted(() => ({ calcPrice: 0 }));
vi.mock('@pydantic/genai-prices', async (importOriginal) => {
  const actual = await importOriginal<typeof GenaiPrices>();
  return {
    ...actual,
    calcPrice: (...args: Parameters<typeof actual.calcPrice>) => {
      libraryCalls.calcPrice++;
      return actual.calcPrice(...args);
    },
  };
});

const h = useProxyHarness();
beforeEach(() => {
  priceCalls.count = 0;
});

function keyWithBudgets(budgets: Budget[]): { id: string; secret: string } {
  const key = h.subkey({ remainingRequests: 10 });
  h.db.prepare('UPDATE subkeys SET budgets = ? WHERE id = ?').run(JSON.stringify(budgets), key.id);
  return key;
}

const chat = (secret: string, model = 'gpt-4o-mini') => h.client(secret).chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });

function spendOf(subkeyId: string, metric: string): number {
  return h.db.prepare('SELECT coalesce(sum(amount), 0) FROM spend WHERE subkey_id = ? AND metric = ?').pluck().get(subkeyId, metric) as number;
}

/** Counts, while `during` runs, the rows read from the store by statements whose SQL names `table`. */
async function readsOf(table: string, during: () => Promise<unknown>): Promise<number> {
  const prototype = Object.getPrototypeOf(h.db.prepare('SELECT 1')) as Statement;
  const reads = { count: 0 };
  const spies = (['get', 'all', 'iterate'] as const).map((method) => {
    const original = prototype[method] as (...args: unknown[]) => unknown;
    return vi.spyOn(prototype, method).mockImplementation(function (this: { source: string }, ...args: unknown[]) {
      if (this.source.includes(table)) reads.count++;
      return original.apply(this, args);
    } as never);
  });
  try {
    await during();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return reads.count;
}

describe('what a request costs the proxy', () => {
  it('prices every answer for its row from rates found once, and still settles a token budget', async () => {
    const plain = h.subkey({ remainingRequests: 10 });
    await chat(plain.secret);
    await h.settled();
    libraryCalls.calcPrice = 0;
    priceCalls.count = 0;
    await chat(plain.secret);
    const tokens = keyWithBudgets([{ metric: 'tokens', limit: 1_000_000, window: 'total' }]);
    await chat(tokens.secret);
    await h.settled();
    // Priced when settling (for the row's cost), never when reserving: neither key has a budget in dollars.
    expect(priceCalls.count).toBe(2);
    // The model's price was resolved into rates by the first request: the library is not asked again.
    expect(libraryCalls.calcPrice).toBe(0);
    expect(h.db.prepare('SELECT cost_usd FROM usage WHERE subkey_id = ? ORDER BY id DESC LIMIT 1').pluck().get(plain.id)).toBeGreaterThan(0);
    // Settled to the answer's usage (18 tokens), not left at the reservation.
    expect(h.db.prepare("SELECT amount FROM spend WHERE subkey_id = ? AND metric = 'tokens'").pluck().get(tokens.id)).toBe(18);
  });

  it('prices a request of a key with a budget in dollars when reserving and when settling', async () => {
    const usd = keyWithBudgets([{ metric: 'usd', limit: 100, window: 'total' }]);
    await chat(usd.secret);
    await h.settled();
    expect(priceCalls.count).toBe(2);
  });

  it('asks the price data no more once a model\'s price is known, even when the upstream URL names no provider', async () => {
    const usd = keyWithBudgets([{ metric: 'usd', limit: 100, window: 'total' }]);
    await chat(usd.secret);
    await h.settled();
    libraryCalls.calcPrice = 0;
    await chat(usd.secret);
    await h.settled();
    expect(libraryCalls.calcPrice).toBe(0);
    expect(spendOf(usd.id, 'usd')).toBeGreaterThan(0);
  });

  it('reads neither custom prices, settings nor a budget window\'s spend from the store per request once it knows them', async () => {
    const usd = keyWithBudgets([
      { metric: 'usd', limit: 100, window: 'day' },
      { metric: 'tokens', limit: 1_000_000, window: 'day' },
    ]);
    await chat(usd.secret);
    expect(await readsOf('custom_prices', () => chat(usd.secret))).toBe(0);
    expect(await readsOf('settings', () => chat(usd.secret))).toBe(0);
    // The spend gate's ledger is the authority once it read a window (which writes what is pending first).
    expect(await readsOf('FROM spend', () => chat(usd.secret))).toBe(0);
  });

  it('prices the next request by a custom price set or removed since', async () => {
    const usd = keyWithBudgets([{ metric: 'usd', limit: 100, window: 'total' }]);
    const refused = await chat(usd.secret, 'my-cached-llama').then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    expect((refused as InstanceType<typeof OpenAI.APIError>).code).toBe('price_unknown');
    // Set in another spelling: the column compares ASCII letters case-insensitively.
    putCustomPrice(h.db, { upstreamId: h.upstreamId, model: 'My-Cached-LLAMA', inputPerMillion: 2, cachedInputPerMillion: null, outputPerMillion: 4 });
    await chat(usd.secret, 'my-cached-llama');
    await h.settled();
    // The stand-in reports 11 input and 7 output tokens.
    expect(spendOf(usd.id, 'usd')).toBeCloseTo((11 * 2 + 7 * 4) / 1e6, 12);
    putCustomPrice(h.db, { upstreamId: h.upstreamId, model: 'my-cached-llama', inputPerMillion: 20, cachedInputPerMillion: null, outputPerMillion: 40 });
    await chat(usd.secret, 'my-cached-llama');
    await h.settled();
    expect(spendOf(usd.id, 'usd')).toBeCloseTo((11 * 22 + 7 * 44) / 1e6, 12);
    deleteCustomPrice(h.db, h.upstreamId, 'MY-CACHED-LLAMA');
    const again = await chat(usd.secret, 'my-cached-llama').then(
      () => null,
      (error: unknown) => error,
    );
    expect((again as InstanceType<typeof OpenAI.APIError>).code).toBe('price_unknown');
  });

  it('reserves by the default output tokens set since the last request', async () => {
    const tokens = keyWithBudgets([{ metric: 'tokens', limit: 1000, window: 'total' }]);
    writeSetting(h.db, 'budgets.defaultOutputTokens', 100);
    await chat(tokens.secret);
    // A reservation of the body's bytes / 4 + 2000 output tokens would not fit in what is left (1000 − 18).
    writeSetting(h.db, 'budgets.defaultOutputTokens', 2000);
    const refused = await chat(tokens.secret).then(
      () => null,
      (error: unknown) => error,
    );
    expect((refused as InstanceType<typeof OpenAI.APIError>).code).toBe('budget_exceeded');
    writeSetting(h.db, 'budgets.defaultOutputTokens', 100);
    await chat(tokens.secret);
  });

  it('commits the reservation of a request alone in flight before the end of the event-loop turn', async () => {
    const key = h.subkey({ remainingRequests: 10 });
    const rowsAt: number[] = [];
    // The reservation commits with a journal row saying the request is in flight (its usage row follows lazily).
    const countRows = (): number => h.db.prepare('SELECT count(*) FROM in_flight WHERE subkey_id = ?').pluck().get(key.id) as number;
    // Listens after the proxy's handler: the first check phase after the request arrived.
    const onRequest = (): void => void setImmediate(() => rowsAt.push(countRows()));
    h.running.server.on('request', onRequest);
    try {
      // Headers and body in one write, so the whole request arrives in one read.
      const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      const answer = await h.raw('POST', '/v1/chat/completions', { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }, body);
      expect(answer.status).toBe(200);
    } finally {
      h.running.server.off('request', onRequest);
    }
    expect(rowsAt).toEqual([1]);
  });
});
