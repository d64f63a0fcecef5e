import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { priceTokens } from '../../electron/core/budgets/prices';
import { listUsage } from '../../electron/core/store/usage-repo';
import type { UsageEntry } from '../../electron/shared/types';
import { startProxyHarness, type ProxyHarness } from '../helpers/proxy-harness';

let h: ProxyHarness;

beforeAll(async () => {
  h = await startProxyHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  h.upstream.reset();
});

/** An answer whose usage reports cached input and reasoning output, in chat's spelling. */
const DETAILED_USAGE = {
  prompt_tokens: 1200,
  completion_tokens: 300,
  total_tokens: 1500,
  prompt_tokens_details: { cached_tokens: 1024 },
  completion_tokens_details: { reasoning_tokens: 256 },
};

function answerWith(usage: unknown, model = 'gpt-4o-mini'): void {
  h.upstream.respond = (_request, response: ServerResponse) => {
    const body = JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', created: 1, model, choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage });
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  };
}

async function lastRow(subkeyId: string): Promise<UsageEntry> {
  await h.settled();
  return listUsage(h.db, { subkeyId, limit: 1 })[0]!;
}

describe('usage rows carry cost, cached and reasoning tokens', () => {
  it('prices every answer, for a key without any budget, cached input at its own rate', async () => {
    const { id, secret } = h.subkey();
    answerWith(DETAILED_USAGE);
    await h.client(secret).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    const row = await lastRow(id);
    const expected = priceTokens('gpt-4o-mini', { input: 1200, cachedInput: 1024, output: 300 }, h.upstream.baseUrl);
    expect(expected).toBeGreaterThan(0);
    expect(row).toMatchObject({ status: 200, promptTokens: 1200, completionTokens: 300, cachedTokens: 1024, reasoningTokens: 256, costUsd: expected });
    // Cached input is cheaper than fresh: the row is not priced as if all 1,200 were fresh.
    expect(row.costUsd!).toBeLessThan(priceTokens('gpt-4o-mini', { input: 1200, output: 300 }, h.upstream.baseUrl)!);
  });

  it('records the same cost the USD budget was settled with', async () => {
    const { id, secret } = h.subkey();
    h.db.prepare('UPDATE subkeys SET budgets = ? WHERE id = ?').run(JSON.stringify([{ metric: 'usd', limit: 5, window: 'total' }]), id);
    answerWith(DETAILED_USAGE);
    await h.client(secret).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    const row = await lastRow(id);
    const spent = h.db.prepare("SELECT amount FROM spend WHERE subkey_id = ? AND metric = 'usd'").pluck().get(id) as number;
    expect(row.costUsd).not.toBeNull();
    expect(spent).toBeCloseTo(row.costUsd!, 12);
  });

  it('prices a stream from the usage Keygate asked for', async () => {
    const { id, secret } = h.subkey();
    const stream = await h.client(secret).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true });
    for await (const chunk of stream) void chunk;
    const row = await lastRow(id);
    expect(row.totalTokens).toBe(18);
    expect(row.costUsd).toBe(priceTokens('gpt-4o-mini', { input: 11, cachedInput: 0, output: 7 }, h.upstream.baseUrl));
    expect(row).toMatchObject({ cachedTokens: null, reasoningTokens: null });
  });

  it('leaves the cost null, never 0, for a model without a price and for a refused request', async () => {
    const { id, secret } = h.subkey();
    answerWith(DETAILED_USAGE, 'my-local-model');
    await h.client(secret).chat.completions.create({ model: 'my-local-model', messages: [{ role: 'user', content: 'hi' }] });
    expect(await lastRow(id)).toMatchObject({ status: 200, totalTokens: 1500, costUsd: null });

    const denied = h.subkey({ denyModels: ['gpt-4o'] });
    await h.client(denied.secret).chat.completions.create({ model: 'gpt-4o', messages: [] }).catch(() => undefined);
    expect(await lastRow(denied.id)).toMatchObject({ status: 403, costUsd: null });
  });
});
