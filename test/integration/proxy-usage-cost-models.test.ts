import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { priceTokens } from '../../electron/core/budgets/prices';
import { createUsageService } from '../../electron/core/services/usage';
import { listUsage } from '../../electron/core/store/usage-repo';
import { startProxyHarness, type ProxyHarness } from '../helpers/proxy-harness';

let h: ProxyHarness;

beforeAll(async () => {
  h = await startProxyHarness();
});
afterAll(async () => {
  await h.close();
});

const USAGE = { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 };

/** The stand-in answers with the model asked for and a fixed usage. */
function answerWithAskedModel(): void {
  h.upstream.respond = (request, response: ServerResponse) => {
    const { model } = JSON.parse(request.body.toString()) as { model: string };
    const body = JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', created: 1, model, choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: USAGE });
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  };
}

describe('usage:models: cost per model after requests through the proxy', () => {
  it('sums each model\'s requests, tokens and cost, counts an unpriced model apart, and follows the key filter', async () => {
    answerWithAskedModel();
    const usage = createUsageService({ db: h.db });
    const one = h.subkey();
    const other = h.subkey();
    const ask = (secret: string, model: string) => h.client(secret).chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });
    await ask(one.secret, 'gpt-4o-mini');
    await ask(one.secret, 'gpt-4o-mini');
    await ask(one.secret, 'gpt-4o');
    await ask(one.secret, 'my-local-model');
    await ask(other.secret, 'gpt-4.1');
    await h.settled();

    const mini = priceTokens('gpt-4o-mini', { input: 1000, cachedInput: 0, output: 500 }, h.upstream.baseUrl)!;
    const big = priceTokens('gpt-4o', { input: 1000, cachedInput: 0, output: 500 }, h.upstream.baseUrl)!;
    expect(mini).toBeGreaterThan(0);
    expect(big).toBeGreaterThan(mini);
    // What each row of the log says it cost is what the per-model totals add up.
    const rows = listUsage(h.db, { subkeyId: one.id, limit: 10 });
    expect(rows.filter((row) => row.model === 'gpt-4o-mini').map((row) => row.costUsd)).toEqual([mini, mini]);

    expect(usage.models({ days: 1, subkeyId: one.id })).toEqual([
      { model: 'gpt-4o', requests: 1, totalTokens: 1500, costUsd: Math.round(big * 1e11) / 1e11, unpricedRequests: 0 },
      { model: 'gpt-4o-mini', requests: 2, totalTokens: 3000, costUsd: Math.round(2 * mini * 1e11) / 1e11, unpricedRequests: 0 },
      { model: 'my-local-model', requests: 1, totalTokens: 1500, costUsd: 0, unpricedRequests: 1 },
    ]);
    // Without the filter, the other key's model is there too.
    const all = usage.models({ days: 1 });
    expect(all.map((row) => row.model).sort()).toEqual(['gpt-4.1', 'gpt-4o', 'gpt-4o-mini', 'my-local-model']);
    expect(usage.models({ days: 1, subkeyId: other.id }).map((row) => row.model)).toEqual(['gpt-4.1']);
  });
});
