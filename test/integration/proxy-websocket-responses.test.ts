import { describe, expect, it } from 'vitest';
import { remainingOf, usageRows } from '../helpers/proxy-fixtures';
import { settledRowsOf } from '../helpers/proxy-harness';
import { useProxyHarness } from '../helpers/proxy-harness-per-file';
import { openSocket, type TestSocket } from '../helpers/ws-client';
import { RESPONSES_USAGE, type RecordedUpgrade } from '../helpers/ws-stand-in';

const h = useProxyHarness();

const rows = (subkeyId: string) => settledRowsOf(h, subkeyId);

async function open(secret: string): Promise<{ client: TestSocket; upgrade: RecordedUpgrade }> {
  const upgrade = h.upstream.sockets.nextUpgrade();
  const client = await openSocket(h.running.port, '/v1/responses', {
    headers: { authorization: `Bearer ${secret}`, 'openai-beta': 'responses_websockets=2026-02-06' },
  });
  return { client, upgrade: await upgrade };
}

const errors = (client: TestSocket) => client.events.filter((event) => event.type === 'error');

describe('Responses API WebSocket mode through a plain ws client', () => {
  it('relays response.create with the same fields as the POST body and settles it from response.completed', async () => {
    const { id, secret } = h.subkey({ remainingRequests: 3, allowModels: ['gpt-4o*'] });
    const { client, upgrade } = await open(secret);
    const create = { type: 'response.create', model: 'gpt-4o-mini', input: [{ role: 'user', content: 'Say hi ✓' }], store: false, tools: [], instructions: 'short' };
    client.send(create);
    const completed = await client.nextEvent((event) => event.type === 'response.completed');
    expect(completed.response).toMatchObject({ status: 'completed', usage: RESPONSES_USAGE });
    expect(upgrade.events).toEqual([create]);
    expect(upgrade.headers['openai-beta']).toBe('responses_websockets=2026-02-06');
    await rows(id);
    expect(remainingOf(h.db, id)).toBe(2);
    const [row] = (await rows(id)).filter((candidate) => candidate.method === 'response.create');
    expect(row).toMatchObject({ path: '/v1/responses', model: 'gpt-4o-mini', status: 200, refusal: null, prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 });
    client.socket.close();
  });

  it('refuses a forbidden model (also inside a tool) or none for a restricted key, with the HTTP codes, and stays open', async () => {
    const { id, secret } = h.subkey({ allowModels: ['gpt-4o*'] });
    const { client, upgrade } = await open(secret);
    const refused: [object, string][] = [
      [{ type: 'response.create', model: 'o3', input: 'hi' }, 'model_not_allowed'],
      [{ type: 'response.create', model: 'gpt-4o', input: 'draw', tools: [{ type: 'image_generation', model: 'gpt-image-1' }] }, 'model_not_allowed'],
      [{ type: 'response.create', input: 'which model?' }, 'model_required'],
    ];
    for (const [event] of refused) client.send(event);
    await expect.poll(() => errors(client).map((event) => (event.error as { code: string }).code)).toEqual(refused.map(([, code]) => code));
    expect(errors(client).every((event) => event.status === 403)).toBe(true);
    client.send({ type: 'response.create', model: 'gpt-4o', input: 'fine' });
    await client.nextEvent((event) => event.type === 'response.completed');
    expect(upgrade.events).toEqual([{ type: 'response.create', model: 'gpt-4o', input: 'fine' }]);
    const logged = (await rows(id)).filter((row) => row.method === 'response.create').map((row) => [row.status, row.refusal]);
    expect(logged).toEqual([
      [403, 'model_not_allowed'],
      [403, 'model_not_allowed'],
      [403, 'model_required'],
      [200, null],
    ]);
    client.socket.close();
  });

  it('refuses a binary frame and text that is not a JSON event, relaying neither', async () => {
    const { secret } = h.subkey();
    const { client, upgrade } = await open(secret);
    client.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    client.socket.send('not json');
    client.socket.send('[1,2]');
    client.socket.send('{"no":"type"}');
    await expect.poll(() => errors(client)).toHaveLength(4);
    expect(errors(client).map((event) => (event.error as { code: string }).code)).toEqual(['invalid_event', 'invalid_event', 'invalid_event', 'invalid_event']);
    client.send({ type: 'response.create', model: 'gpt-4o', input: 'still here' });
    await client.nextEvent((event) => event.type === 'response.completed');
    expect(upgrade.events).toEqual([{ type: 'response.create', model: 'gpt-4o', input: 'still here' }]);
    client.socket.close();
  });

  it('refuses a response.create that names its model twice, as over HTTP, and relays nothing', async () => {
    const { secret } = h.subkey({ allowModels: ['gpt-4o'] });
    const { client, upgrade } = await open(secret);
    // A parser that keeps the first duplicate would read o3 while JSON.parse keeps gpt-4o: one reading or none.
    client.socket.send('{"type":"response.create","model":"o3","input":"x","model":"gpt-4o"}');
    const refused = await client.nextEvent((event) => event.type === 'error');
    expect((refused.error as { code: string }).code).toBe('ambiguous_request');
    expect(upgrade.events).toEqual([]);
    client.socket.close();
  });

  it('keeps lanes apart (stream_id), and refunds a response.create that upstream answered with an error', async () => {
    const { id, secret } = h.subkey({ remainingRequests: 5 });
    const { client } = await open(secret);
    h.upstream.sockets.respond = (event, upgrade) => {
      if (event.stream_id !== 'b') return false;
      upgrade.socket.send(JSON.stringify({ type: 'error', status: 400, stream_id: 'b', error: { type: 'invalid_request_error', code: 'websocket_stream_limit_reached', message: 'limit', param: 'stream_id' } }));
    };
    client.send({ type: 'response.create', stream_id: 'a', model: 'gpt-4o', input: 'one' });
    client.send({ type: 'response.create', stream_id: 'b', model: 'gpt-4o', input: 'two' });
    await client.nextEvent((event) => event.type === 'response.completed' && event.stream_id === 'a');
    await client.nextEvent((event) => event.type === 'error' && event.stream_id === 'b');
    await expect.poll(async () => (await rows(id)).filter((row) => row.method === 'response.create').map((row) => row.status)).toEqual([200, 400]);
    expect(remainingOf(h.db, id)).toBe(4);
    client.socket.close();
  });
});

describe('quitting drains sockets like requests', () => {
  it('closes idle sockets with 1001 at once, and waits for an open response before closing its socket', async () => {
    const { id, secret } = h.subkey({ remainingRequests: 5 });
    const idle = await open(secret);
    const busy = await open(secret);
    let finish!: () => void;
    h.upstream.sockets.respond = (event, upgrade) => {
      const response = { id: 'resp_drain', status: 'in_progress' };
      upgrade.socket.send(JSON.stringify({ type: 'response.created', response }));
      upgrade.socket.send(JSON.stringify({ type: 'response.output_text.delta', item_id: 'm', output_index: 0, content_index: 0, delta: 'x' }));
      finish = () => upgrade.socket.send(JSON.stringify({ type: 'response.completed', response: { ...response, status: 'completed', usage: RESPONSES_USAGE, model: event.model } }));
    };
    busy.client.send({ type: 'response.create', model: 'gpt-4o', input: 'long' });
    await busy.client.nextEvent((event) => event.type === 'response.output_text.delta');
    const drained = h.running.proxy.drain(5000);
    expect(await idle.client.closed).toMatchObject({ code: 1001 });
    // A response.create while draining is refused; the open response goes on.
    busy.client.send({ type: 'response.create', model: 'gpt-4o', input: 'more' });
    const refused = await busy.client.nextEvent((event) => event.type === 'error');
    expect(refused.error).toMatchObject({ code: 'proxy_shutting_down' });
    setTimeout(() => finish(), 100);
    await busy.client.nextEvent((event) => event.type === 'response.completed');
    expect(await busy.client.closed).toMatchObject({ code: 1001 });
    await drained;
    const all = usageRows(h.db).filter((row) => row.subkey_id === id);
    expect(all.filter((row) => row.method === 'WS').map((row) => row.refusal)).toEqual(['ws_close_1001', 'ws_close_1001']);
    // (Rows are written as requests end: the open response's may come after the refusal's.)
    const responses = all.filter((row) => row.method === 'response.create').map((row) => [row.status, row.total_tokens]);
    expect(responses.sort()).toEqual([
      [200, 8],
      [503, null],
    ]);
    // A fresh proxy for the tests after this one.
    await h.restart();
  });
});
