import type { RealtimeClientEvent } from 'openai/resources/realtime/realtime';
import { updatePrices, waitForUpdate, type Provider } from '@pydantic/genai-prices';
import { describe, expect, it, onTestFinished } from 'vitest';
import { forgetPriceProviders, priceTokens } from '../../electron/core/budgets/prices';
import { listUsage } from '../../electron/core/store/usage-repo';
import type { Budget } from '../../electron/shared/types';
import { remainingOf, storedSpend } from '../helpers/proxy-fixtures';
import { settledRowsOf, type ProxyHarness } from '../helpers/proxy-harness';
import { useProxyHarness } from '../helpers/proxy-harness-per-file';
import { openSdkRealtime, openSocket, type SdkRealtime, type TestSocket } from '../helpers/ws-client';
import { REALTIME_USAGE, RESPONSES_USAGE, type RecordedUpgrade } from '../helpers/ws-stand-in';

const h = useProxyHarness();

/** gpt-4o-realtime is priced as gpt-4o-realtime-preview: $ per token for text and audio, input and output. */
const REALTIME_PRICE = { textIn: 5e-6, audioIn: 40e-6, textOut: 20e-6, audioOut: 80e-6 };

function keyWithBudgets(budgets: Budget[], fixture: Parameters<ProxyHarness['subkey']>[0] = {}): { id: string; secret: string } {
  const key = h.subkey(fixture);
  h.db.prepare('UPDATE subkeys SET budgets = ? WHERE id = ?').run(JSON.stringify(budgets), key.id);
  return key;
}

/** What a sub-key has spent of one metric, over every window, as the store has it (journal rows in flight included). */
function spendOf(subkeyId: string, metric: string): number {
  return storedSpend(h.db, subkeyId, metric);
}

const rows = (subkeyId: string) => settledRowsOf(h, subkeyId);

/** Client events of one type that reached the stand-in upstream. */
function relayed(upgrade: RecordedUpgrade, type: string): Record<string, unknown>[] {
  return upgrade.events.filter((event) => (event as { type?: string }).type === type) as Record<string, unknown>[];
}

async function openRealtime(secret: string, model = 'gpt-4o-realtime'): Promise<{ client: SdkRealtime; upgrade: RecordedUpgrade }> {
  const upgrade = h.upstream.sockets.nextUpgrade();
  const client = await openSdkRealtime(h.running.baseURL, secret, model);
  await client.nextEvent((event) => event.type === 'session.created');
  return { client, upgrade: await upgrade };
}

async function openResponses(secret: string): Promise<{ client: TestSocket; upgrade: RecordedUpgrade }> {
  const upgrade = h.upstream.sockets.nextUpgrade();
  const client = await openSocket(h.running.port, '/v1/responses', { headers: { authorization: `Bearer ${secret}` } });
  return { client, upgrade: await upgrade };
}

/** Sends an event as the SDK would, typed or not. */
function send(client: SdkRealtime, event: object): void {
  client.rt.send(event as RealtimeClientEvent);
}

const bytesOf = (event: object): number => Buffer.byteLength(JSON.stringify(event));

describe('Realtime response.create through the SpendGate (official SDK client)', () => {
  it('reserves the frame estimate plus the output cap before relaying, settles to response.done usage with audio priced', async () => {
    const { id, secret } = keyWithBudgets([
      { metric: 'tokens', limit: 100_000, window: 'day' },
      { metric: 'usd', limit: 1, window: 'day' },
    ]);
    const { client } = await openRealtime(secret);
    const seenByUpstream: { tokens: number; usd: number }[] = [];
    h.upstream.sockets.respond = (event) => {
      // The stand-in reads the store the moment the event reaches it: the reservation is already committed.
      if (event.type === 'response.create') seenByUpstream.push({ tokens: spendOf(id, 'tokens'), usd: spendOf(id, 'usd') });
      return false;
    };

    const first = { type: 'response.create', event_id: 'evt_one', response: { max_output_tokens: 100 } };
    send(client, first);
    await client.nextEvent((event) => event.type === 'response.done');
    const firstInput = Math.ceil(bytesOf(first) / 4);
    expect(seenByUpstream[0]!.tokens).toBe(firstInput + 100);
    // The output cap is reserved at the audio rate (a Realtime response may speak; audio is the dearer rate).
    expect(seenByUpstream[0]!.usd).toBeCloseTo(firstInput * REALTIME_PRICE.textIn + 100 * REALTIME_PRICE.audioOut, 12);

    await h.settled();
    const { text_tokens: textIn, audio_tokens: audioIn } = REALTIME_USAGE.input_token_details;
    const { text_tokens: textOut, audio_tokens: audioOut } = REALTIME_USAGE.output_token_details;
    const firstCost = textIn * REALTIME_PRICE.textIn + audioIn * REALTIME_PRICE.audioIn + textOut * REALTIME_PRICE.textOut + audioOut * REALTIME_PRICE.audioOut;
    expect(spendOf(id, 'tokens')).toBe(REALTIME_USAGE.total_tokens);
    expect(spendOf(id, 'usd')).toBeCloseTo(firstCost, 12);

    // The next response reads the conversation so far: its estimate carries the input the last one reported.
    const second = { type: 'response.create', event_id: 'evt_two', response: { max_response_output_tokens: 50, output_modalities: ['text'] } };
    send(client, second);
    await expect.poll(() => client.events.filter((event) => event.type === 'response.done')).toHaveLength(2);
    const secondInput = Math.ceil(bytesOf(second) / 4);
    expect(seenByUpstream[1]!.tokens - REALTIME_USAGE.total_tokens).toBe(secondInput + REALTIME_USAGE.input_tokens + 50);
    expect(seenByUpstream[1]!.usd - firstCost).toBeCloseTo(
      (secondInput + textIn) * REALTIME_PRICE.textIn + audioIn * REALTIME_PRICE.audioIn + 50 * REALTIME_PRICE.textOut,
      12,
    );
    await h.settled();
    expect(spendOf(id, 'tokens')).toBe(2 * REALTIME_USAGE.total_tokens);
    expect(spendOf(id, 'usd')).toBeCloseTo(2 * firstCost, 12);
    const responses = (await rows(id)).filter((row) => row.method === 'response.create');
    // Realtime spells the cached part `input_token_details.cached_tokens`: recorded as the Responses spelling is.
    expect(responses.map((row) => [row.status, row.model, row.total_tokens, row.cached_tokens])).toEqual([
      [200, 'gpt-4o-realtime', REALTIME_USAGE.total_tokens, REALTIME_USAGE.input_token_details.cached_tokens],
      [200, 'gpt-4o-realtime', REALTIME_USAGE.total_tokens, REALTIME_USAGE.input_token_details.cached_tokens],
    ]);
    client.rt.close();
  });

  it('releases a response that failed or was cancelled before any output, and one upstream refused with an error', async () => {
    const { id, secret } = keyWithBudgets([
      { metric: 'requests', limit: 10, window: 'day' },
      { metric: 'tokens', limit: 100_000, window: 'day' },
    ]);
    const { client } = await openRealtime(secret);
    let turn = 0;
    h.upstream.sockets.respond = (event, upgrade) => {
      if (event.type !== 'response.create') return false;
      const reply = (payload: object) => upgrade.socket.send(JSON.stringify(payload));
      const responseId = `resp_rel${++turn}`;
      if (turn === 3) {
        reply({ type: 'error', event_id: 'event_up', error: { type: 'invalid_request_error', code: 'conversation_already_has_active_response', message: 'busy', param: null, event_id: event.event_id } });
        return;
      }
      reply({ type: 'response.created', response: { id: responseId, status: 'in_progress' } });
      reply({ type: 'response.done', response: { id: responseId, status: turn === 1 ? 'failed' : 'cancelled', usage: null } });
    };
    for (let sent = 1; sent <= 3; sent++) {
      send(client, { type: 'response.create', event_id: `evt_${sent}` });
      await client.nextEvent((event) => (event.type === 'response.done' && (event.response as { id: string }).id === `resp_rel${sent}`) || event.type === 'error');
    }
    await expect.poll(async () => (await rows(id)).filter((row) => row.method === 'response.create').map((row) => row.status)).toEqual([500, 499, 400]);
    expect(spendOf(id, 'requests')).toBe(0);
    expect(spendOf(id, 'tokens')).toBe(0);
    client.rt.close();
  });

  it('lets the response in progress finish when the USD budget runs out, then refuses the next response.create with budget_exceeded; the socket stays open', async () => {
    const { id, secret } = keyWithBudgets([{ metric: 'usd', limit: 0.002, window: 'day' }]);
    const { client, upgrade } = await openRealtime(secret);
    // Upstream reports far more than the frame suggested (a long spoken conversation): the response is charged it all.
    const usage = {
      total_tokens: 240,
      input_tokens: 200,
      output_tokens: 40,
      input_token_details: { text_tokens: 50, audio_tokens: 150, cached_tokens: 0 },
      output_token_details: { text_tokens: 10, audio_tokens: 30 },
    };
    let finish!: () => void;
    h.upstream.sockets.respond = (event, socketUpgrade) => {
      if (event.type !== 'response.create') return false;
      socketUpgrade.socket.send(JSON.stringify({ type: 'response.created', response: { id: 'resp_long', status: 'in_progress' } }));
      finish = () => socketUpgrade.socket.send(JSON.stringify({ type: 'response.done', response: { id: 'resp_long', status: 'completed', usage } }));
    };
    send(client, { type: 'response.create', response: { max_output_tokens: 10 } });
    await client.nextEvent((event) => event.type === 'response.created');
    finish();
    await client.nextEvent((event) => event.type === 'response.done');
    await h.settled();
    const cost = 50 * REALTIME_PRICE.textIn + 150 * REALTIME_PRICE.audioIn + 10 * REALTIME_PRICE.textOut + 30 * REALTIME_PRICE.audioOut;
    expect(spendOf(id, 'usd')).toBeCloseTo(cost, 12);
    expect(cost).toBeGreaterThan(0.002);

    send(client, { type: 'response.create', event_id: 'evt_over', response: { max_output_tokens: 10 } });
    const refused = await client.nextEvent((event) => event.type === 'error');
    expect(refused).toMatchObject({ status: 429, error: { type: 'insufficient_quota', code: 'budget_exceeded', event_id: 'evt_over' } });
    expect((refused.error as { message: string }).message).toMatch(/budget of \$0\.002 a day is spent until \d{4}-\d\d-\d\dT[\d:.]+Z, when it resets/);
    expect(client.errors.map((error) => error.error?.code)).toEqual(['budget_exceeded']);
    expect(relayed(upgrade, 'response.create')).toHaveLength(1);

    // Still open: other events go on.
    client.rt.send({ type: 'session.update', session: { type: 'realtime', instructions: 'still here' } });
    await client.nextEvent((event) => event.type === 'session.updated');
    expect(client.socket.readyState).toBe(client.socket.OPEN);
    const responses = (await rows(id)).filter((row) => row.method === 'response.create');
    expect(responses.map((row) => [row.status, row.refusal])).toEqual([
      [200, null],
      [429, 'budget_exceeded'],
    ]);
    client.rt.close();
  });

  it('answers a model without a price with the price_unknown error event on a key with a USD budget, and stays open', async () => {
    const { secret } = keyWithBudgets([{ metric: 'usd', limit: 1, window: 'month' }]);
    const { client, upgrade } = await openRealtime(secret, 'my-local-realtime');
    send(client, { type: 'response.create', event_id: 'evt_unpriced' });
    const refused = await client.nextEvent((event) => event.type === 'error');
    expect(refused).toMatchObject({ status: 403, error: { code: 'price_unknown', event_id: 'evt_unpriced' } });
    expect((refused.error as { message: string }).message).toContain('my-local-realtime');
    client.rt.send({ type: 'session.update', session: { type: 'realtime', instructions: 'ok' } });
    await client.nextEvent((event) => event.type === 'session.updated');
    expect(relayed(upgrade, 'response.create')).toHaveLength(0);
    expect(client.socket.readyState).toBe(client.socket.OPEN);
    client.rt.close();
  });
});

describe('Responses WebSocket mode through the SpendGate (plain ws client)', () => {
  it('refuses a response.create that turns on a tool billed per call under a USD budget, naming it; the socket stays open', async () => {
    const { secret } = keyWithBudgets([{ metric: 'usd', limit: 1, window: 'month' }]);
    const { client, upgrade } = await openResponses(secret);
    client.send({ type: 'response.create', event_id: 'evt_search', model: 'gpt-4o', input: 'news?', tools: [{ type: 'web_search' }] });
    const refused = await client.nextEvent((event) => event.type === 'error');
    expect(refused).toMatchObject({ status: 403, error: { code: 'price_unknown', event_id: 'evt_search' } });
    expect((refused.error as { message: string }).message).toContain('"web_search" is billed per call');
    client.send({ type: 'response.create', model: 'gpt-4o', input: 'hi', max_output_tokens: 64, tools: [{ type: 'function', name: 'f', parameters: {} }] });
    await client.nextEvent((event) => event.type === 'response.completed');
    expect(relayed(upgrade, 'response.create').map((event) => event.input)).toEqual(['hi']);
    client.socket.close();
  });

  it('settles from response.completed and releases on response.failed', async () => {
    const { id, secret } = keyWithBudgets([{ metric: 'tokens', limit: 100_000, window: 'day' }], { remainingRequests: 5 });
    const { client } = await openResponses(secret);
    client.send({ type: 'response.create', model: 'gpt-4o', input: 'hi', max_output_tokens: 64 });
    await client.nextEvent((event) => event.type === 'response.completed');
    h.upstream.sockets.respond = (event, upgrade) => {
      const response = { id: 'resp_fail', object: 'response', model: event.model, status: 'in_progress' };
      upgrade.socket.send(JSON.stringify({ type: 'response.created', response }));
      upgrade.socket.send(JSON.stringify({ type: 'response.failed', response: { ...response, status: 'failed', error: { code: 'server_error', message: 'boom' }, usage: null } }));
    };
    client.send({ type: 'response.create', model: 'gpt-4o', input: 'again', max_output_tokens: 64 });
    await client.nextEvent((event) => event.type === 'response.failed');
    await h.settled();
    expect(spendOf(id, 'tokens')).toBe(RESPONSES_USAGE.total_tokens);
    expect(remainingOf(h.db, id)).toBe(4);
    const responses = (await rows(id)).filter((row) => row.method === 'response.create');
    expect(responses.map((row) => [row.status, row.total_tokens])).toEqual([
      [200, RESPONSES_USAGE.total_tokens],
      [500, null],
    ]);
    client.socket.close();
  });

  it('records and prices cached input and reasoning output of response.completed as the HTTP path does', async () => {
    // A price that names reasoning apart (as Perplexity's sonar-deep-research does, $3 vs $8 per million output), for
    // the stand-in's URL: a path that dropped reasoning tokens would show a different cost.
    const model = 'reasoner-standin';
    const bundled = await waitForUpdate();
    const standIn: Provider = {
      id: 'standin',
      name: 'Stand-in',
      api_pattern: h.upstream.baseUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
      models: [{ id: model, match: { equals: model }, prices: { input_mtok: 2, cache_read_mtok: 0.5, output_mtok: 8, output_reasoning_mtok: 3 } }],
    };
    updatePrices(({ setProviderData }) => setProviderData([standIn, ...(bundled ?? [])]));
    forgetPriceProviders();
    onTestFinished(() => {
      updatePrices(({ setProviderData }) => setProviderData(bundled));
      forgetPriceProviders();
    });
    const usage = { input_tokens: 1200, output_tokens: 300, total_tokens: 1500, input_tokens_details: { cached_tokens: 1024 }, output_tokens_details: { reasoning_tokens: 256 } };
    const { id, secret } = h.subkey();
    const { client } = await openResponses(secret);
    h.upstream.sockets.respond = (event, upgrade) => {
      const response = { id: 'resp_detailed', object: 'response', model: event.model, status: 'in_progress' };
      upgrade.socket.send(JSON.stringify({ type: 'response.created', response }));
      upgrade.socket.send(JSON.stringify({ type: 'response.completed', response: { ...response, status: 'completed', usage } }));
    };
    client.send({ type: 'response.create', model, input: 'think', max_output_tokens: 400 });
    await client.nextEvent((event) => event.type === 'response.completed');
    client.socket.close();
    await h.settled(30);
    const socketRow = listUsage(h.db, { subkeyId: id, limit: 10 }).find((row) => row.method === 'response.create')!;

    // The same usage answered over HTTP, to a key of its own.
    const overHttp = h.subkey();
    h.upstream.respond = (_request, response) => {
      const body = JSON.stringify({ id: 'resp_http', object: 'response', model, status: 'completed', output: [], usage });
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      response.end(body);
    };
    const answer = await h.raw('POST', '/v1/responses', { authorization: `Bearer ${overHttp.secret}`, 'content-type': 'application/json' }, JSON.stringify({ model, input: 'think' }));
    expect(answer.status).toBe(200);
    await h.settled(30);
    const httpRow = listUsage(h.db, { subkeyId: overHttp.id, limit: 1 })[0]!;

    const expected = priceTokens(model, { input: 1200, cachedInput: 1024, output: 300, reasoning: 256 }, h.upstream.baseUrl)!;
    expect(expected).toBeGreaterThan(0);
    expect(expected).not.toBe(priceTokens(model, { input: 1200, cachedInput: 1024, output: 300 }, h.upstream.baseUrl));
    expect(httpRow).toMatchObject({ status: 200, cachedTokens: 1024, reasoningTokens: 256, costUsd: expected });
    expect(socketRow).toMatchObject({ status: 200, model, promptTokens: 1200, completionTokens: 300, cachedTokens: 1024, reasoningTokens: 256, costUsd: expected });
  });

  it('charges the reservation when the socket closes with a response in flight (no usage came), as an HTTP stream the client left', async () => {
    const { id, secret } = keyWithBudgets([{ metric: 'tokens', limit: 100_000, window: 'day' }], { remainingRequests: 5 });
    const { client } = await openResponses(secret);
    h.upstream.sockets.respond = (event, upgrade) => {
      if (event.input !== 'started') return;
      const response = { id: 'resp_open', object: 'response', model: event.model, status: 'in_progress' };
      upgrade.socket.send(JSON.stringify({ type: 'response.created', response }));
      upgrade.socket.send(JSON.stringify({ type: 'response.output_text.delta', item_id: 'm', output_index: 0, content_index: 0, delta: 'Hel' }));
      // …and nothing more: the client leaves mid-response.
    };
    const create = { type: 'response.create', model: 'gpt-4o', input: 'started', max_output_tokens: 300 };
    client.send(create);
    await client.nextEvent((event) => event.type === 'response.output_text.delta');
    client.socket.close();
    await client.closed;
    await expect.poll(async () => (await rows(id)).find((row) => row.method === 'WS')?.status).toBe(101);
    expect(spendOf(id, 'tokens')).toBe(Math.ceil(bytesOf(create) / 4) + 300);

    // Closed before upstream even acknowledged it: it went upstream, so it is charged too (logged 499 client_closed).
    const second = await openResponses(secret);
    const quiet = { type: 'response.create', model: 'gpt-4o', input: 'unanswered', max_output_tokens: 200 };
    second.client.send(quiet);
    await expect.poll(() => relayed(second.upgrade, 'response.create')).toHaveLength(1);
    second.client.socket.close();
    await second.client.closed;
    await expect.poll(async () => (await rows(id)).filter((row) => row.method === 'WS').every((row) => row.status === 101)).toBe(true);
    expect(spendOf(id, 'tokens')).toBe(Math.ceil(bytesOf(create) / 4) + 300 + Math.ceil(bytesOf(quiet) / 4) + 200);
    expect(remainingOf(h.db, id)).toBe(3);
    const responses = (await rows(id)).filter((row) => row.method === 'response.create');
    expect(responses.map((row) => [row.status, row.refusal])).toEqual([
      [200, null],
      [499, 'client_closed'],
    ]);
  });

  it('never overspends a $0.01 budget by more than one response under 20 concurrent sockets', async () => {
    const { id, secret } = keyWithBudgets([{ metric: 'usd', limit: 0.01, window: 'day' }]);
    // Upstream reports more input than the frame estimate, so every settlement exceeds its reservation a little.
    const usage = { input_tokens: 60, output_tokens: 200, total_tokens: 260 };
    h.upstream.sockets.respond = (event, upgrade) => {
      const response = { id: `resp_${Math.random().toString(36).slice(2)}`, object: 'response', model: event.model, status: 'in_progress' };
      upgrade.socket.send(JSON.stringify({ type: 'response.created', response }));
      setTimeout(() => upgrade.socket.send(JSON.stringify({ type: 'response.completed', response: { ...response, status: 'completed', usage } })), 20);
    };
    const sockets = await Promise.all(
      Array.from({ length: 20 }, () => openSocket(h.running.port, '/v1/responses', { headers: { authorization: `Bearer ${secret}` } })),
    );
    // Each socket asks again after every answer until it is refused: concurrent and back-to-back at once.
    const outcomes = await Promise.all(
      sockets.map(async (client) => {
        let completed = 0;
        for (;;) {
          const seen = client.events.length;
          client.send({ type: 'response.create', model: 'gpt-4o', input: 'hi', max_output_tokens: 200 });
          const answer = await client.nextEvent((event) => client.events.indexOf(event) >= seen && (event.type === 'response.completed' || event.type === 'error'));
          if (answer.type === 'error') return { completed, code: (answer.error as { code: string }).code };
          completed++;
        }
      }),
    );
    expect(outcomes.every((outcome) => outcome.code === 'budget_exceeded')).toBe(true);
    const ok = outcomes.reduce((sum, outcome) => sum + outcome.completed, 0);
    expect(ok).toBeGreaterThan(0);
    expect(h.upstream.sockets.upgrades).toHaveLength(20);
    expect(h.upstream.sockets.upgrades.reduce((sum, upgrade) => sum + relayed(upgrade, 'response.create').length, 0)).toBe(ok);
    for (const client of sockets) client.socket.close();
    await h.settled(50);
    const oneResponse = priceTokens('gpt-4o', { input: 60, output: 200 }, h.upstream.baseUrl)!;
    const spent = spendOf(id, 'usd');
    expect(spent).toBeCloseTo(ok * oneResponse, 12);
    expect(spent).toBeLessThanOrEqual(0.01 + oneResponse);
    const charged = (await rows(id)).filter((row) => row.method === 'response.create' && row.status === 200);
    expect(charged).toHaveLength(ok);
    expect(charged.every((row) => row.total_tokens === 260)).toBe(true);
  });
});
