import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as Prices from '../../electron/core/budgets/prices';
import type { Budget } from '../../electron/shared/types';
import { startProxyHarness, type ProxyHarness } from '../helpers/proxy-harness';

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

let h: ProxyHarness;

beforeAll(async () => {
  h = await startProxyHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  h.upstream.reset();
  priceCalls.count = 0;
});

function keyWithBudgets(budgets: Budget[]): { id: string; secret: string } {
  const key = h.subkey({ remainingRequests: 10 });
  h.db.prepare('UPDATE subkeys SET budgets = ? WHERE id = ?').run(JSON.stringify(budgets), key.id);
  return key;
}

const chat = (secret: string) => h.client(secret).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

describe('what a request costs the proxy', () => {
  it('prices no request of a key without a budget in dollars, and still settles its token budget', async () => {
    const plain = h.subkey({ remainingRequests: 10 });
    await chat(plain.secret);
    const tokens = keyWithBudgets([{ metric: 'tokens', limit: 1_000_000, window: 'total' }]);
    await chat(tokens.secret);
    await h.settled();
    expect(priceCalls.count).toBe(0);
    // Settled to the answer's usage (18 tokens), not left at the reservation.
    expect(h.db.prepare("SELECT amount FROM spend WHERE subkey_id = ? AND metric = 'tokens'").pluck().get(tokens.id)).toBe(18);
  });

  it('prices a request of a key with a budget in dollars when reserving and when settling', async () => {
    const usd = keyWithBudgets([{ metric: 'usd', limit: 100, window: 'total' }]);
    await chat(usd.secret);
    await h.settled();
    expect(priceCalls.count).toBe(2);
  });
});
