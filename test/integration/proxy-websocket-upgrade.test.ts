import { describe, expect, it } from 'vitest';
import { sendRaw } from '../helpers/raw-socket';
import { settledRowsOf, UPSTREAM_KEY, type ProxyHarness } from '../helpers/proxy-harness';
import { useProxyHarness } from '../helpers/proxy-harness-per-file';
import { openSocket, refusedUpgrade } from '../helpers/ws-client';

const h = useProxyHarness();

function errorOf(body: string): { message: string; type: string; param: string | null; code: string } {
  return (JSON.parse(body) as { error: { message: string; type: string; param: string | null; code: string } }).error;
}

/** Lets the usage rows of what just happened reach the store. */
const rows = (subkeyId: string) => settledRowsOf(h, subkeyId);

describe('WebSocket upgrades are refused before upgrading, like HTTP requests', () => {
  it('answers a missing or unknown sub-key with 401 in OpenAI shape, and upstream sees nothing', async () => {
    const missing = await refusedUpgrade(h.running.port, '/v1/realtime?model=gpt-4o');
    expect(missing.status).toBe(401);
    expect(missing.headers['x-should-retry']).toBe('false');
    expect(missing.headers['content-type']).toBe('application/json');
    expect(errorOf(missing.body)).toEqual({ message: expect.any(String), type: 'authentication_error', param: null, code: 'missing_api_key' });

    const unknown = await refusedUpgrade(h.running.port, '/v1/realtime?model=gpt-4o', { protocols: ['realtime', 'openai-insecure-api-key.sk-kg-not-a-real-key'] });
    expect(unknown.status).toBe(401);
    expect(errorOf(unknown.body).code).toBe('invalid_api_key');
    expect(h.upstream.sockets.upgrades).toHaveLength(0);
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('upgrades a key with budgets, and refuses one whose budget is spent (429 budget_exceeded, Retry-After, no retry)', async () => {
    const { secret, id } = h.subkey({});
    h.db.prepare('UPDATE subkeys SET budgets = ? WHERE id = ?').run(JSON.stringify([{ metric: 'requests', limit: 1, window: 'day' }]), id);
    h.running.proxy.invalidate(id);
    const auth = { headers: { authorization: `Bearer ${secret}` } };
    const socket = await openSocket(h.running.port, '/v1/responses', auth);
    socket.send({ type: 'response.create', model: 'gpt-4o', input: 'hi' });
    await socket.nextEvent((event) => event.type === 'response.completed');
    socket.socket.close();
    await socket.closed;

    const answer = await refusedUpgrade(h.running.port, '/v1/responses', auth);
    expect(answer.status).toBe(429);
    expect(errorOf(answer.body)).toMatchObject({ type: 'insufficient_quota', code: 'budget_exceeded' });
    expect(errorOf(answer.body).message).toContain('1 requests a day');
    expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
    expect(answer.headers['x-should-retry']).toBe('false');
    expect(h.upstream.sockets.upgrades).toHaveLength(1);
  });

  it('refuses disabled and expired keys (401), a forbidden or missing ?model= (403), and a spent quota (429)', async () => {
    const cases: [Parameters<ProxyHarness['subkey']>[0], string, number, string][] = [
      [{ enabled: false }, '/v1/realtime?model=gpt-4o', 401, 'subkey_disabled'],
      [{ expiresAt: Date.now() - 1000 }, '/v1/realtime?model=gpt-4o', 401, 'subkey_expired'],
      [{ allowModels: ['gpt-4o-mini'] }, '/v1/realtime?model=gpt-4o', 403, 'model_not_allowed'],
      [{ allowModels: ['gpt-4o-mini'] }, '/v1/realtime', 403, 'model_required'],
      [{ denyModels: ['gpt-4o'] }, '/v1/realtime?model=gpt-4o&model=gpt-4o-mini', 400, 'duplicate_model'],
      [{ remainingRequests: 0 }, '/v1/responses', 429, 'insufficient_quota'],
    ];
    for (const [fixture, path, status, code] of cases) {
      const { id, secret } = h.subkey(fixture);
      const answer = await refusedUpgrade(h.running.port, path, { headers: { authorization: `Bearer ${secret}` } });
      expect({ path, status: answer.status, code: errorOf(answer.body).code }).toEqual({ path, status, code });
      const [row] = await rows(id);
      expect(row).toMatchObject({ method: 'WS', path: path.split('?')[0], status, refusal: code });
    }
    expect(h.upstream.sockets.upgrades).toHaveLength(0);
  });

  it('checks Host like HTTP, and Origin for browsers: loopback and its own origin pass, others get 403', async () => {
    const { secret } = h.subkey();
    const auth = { authorization: `Bearer ${secret}` };
    const host = await refusedUpgrade(h.running.port, '/v1/realtime?model=gpt-4o', { headers: { ...auth, host: 'evil.example:80' } });
    expect([host.status, errorOf(host.body).code]).toEqual([403, 'host_not_allowed']);
    const twoHosts = await sendRaw(h.running.port, 'GET /v1/realtime?model=gpt-4o HTTP/1.1', {
      ...auth,
      host: 'evil.example',
      upgrade: 'websocket',
      connection: 'Upgrade',
      'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      'sec-websocket-version': '13',
    });
    expect([twoHosts.status, errorOf(twoHosts.body).code]).toEqual([400, 'ambiguous_request']);
    for (const origin of ['https://evil.example', 'null', 'file://']) {
      const answer = await refusedUpgrade(h.running.port, '/v1/realtime?model=gpt-4o', { headers: { ...auth, origin } });
      expect([origin, answer.status, errorOf(answer.body).code]).toEqual([origin, 403, 'origin_not_allowed']);
    }
    expect(h.upstream.sockets.upgrades).toHaveLength(0);
    for (const origin of ['http://localhost:5173', 'http://127.0.0.1:3000', `http://127.0.0.1:${h.running.port}`, 'app://keygate']) {
      const client = await openSocket(h.running.port, '/v1/realtime?model=gpt-4o', { headers: { ...auth, origin } });
      client.socket.close();
    }
    expect(h.upstream.sockets.upgrades.map((upgrade) => upgrade.headers.origin)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('answers a malformed subprotocol list with 400 and keeps serving (it would make the upstream library throw)', async () => {
    const { secret } = h.subkey();
    const answer = await sendRaw(h.running.port, 'GET /v1/realtime?model=gpt-4o HTTP/1.1', {
      authorization: `Bearer ${secret}`,
      upgrade: 'websocket',
      connection: 'Upgrade',
      'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      'sec-websocket-version': '13',
      'sec-websocket-protocol': 'realtime, realtime',
    });
    expect([answer.status, errorOf(answer.body).code]).toEqual([400, 'invalid_websocket_handshake']);
    const client = await openSocket(h.running.port, '/v1/realtime?model=gpt-4o', { headers: { authorization: `Bearer ${secret}` } });
    client.socket.close();
    expect(h.upstream.sockets.upgrades).toHaveLength(1);
  });

  it('answers 501 websocket_not_supported on every other /v1 path (after the key), forwarding nothing', async () => {
    const { secret } = h.subkey();
    for (const path of ['/v1/chat/completions', '/v1/realtime/', '/v1/realtim%65?model=gpt-4o', '/v1/responses/resp_1', '/v1']) {
      const answer = await refusedUpgrade(h.running.port, path, { headers: { authorization: `Bearer ${secret}` } });
      expect({ path, status: answer.status, code: errorOf(answer.body).code }).toEqual({ path, status: 501, code: 'websocket_not_supported' });
    }
    const anonymous = await refusedUpgrade(h.running.port, '/v1/chat/completions');
    expect(anonymous.status).toBe(401);
    const outside = await refusedUpgrade(h.running.port, '/admin/api/events', { headers: { authorization: `Bearer ${secret}` } });
    expect(outside.status).toBe(404);
    expect(h.upstream.sockets.upgrades).toHaveLength(0);
    expect(h.upstream.requests).toHaveLength(0);
  });
});

describe('the upstream WebSocket', () => {
  it('carries the real key, never the sub-key, on the same path and query', async () => {
    const { secret } = h.subkey({ allowModels: ['gpt-4o*'] });
    const client = await openSocket(h.running.port, '/v1/realtime?model=gpt-4o-realtime', {
      headers: { authorization: `Bearer ${secret}`, 'openai-beta': 'realtime=v1', 'openai-organization': 'org-sneaky', cookie: 'a=b' },
    });
    const [upgrade] = h.upstream.sockets.upgrades;
    expect(upgrade!.url).toBe('/v1/realtime?model=gpt-4o-realtime');
    expect(upgrade!.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(upgrade!.headers['openai-beta']).toBe('realtime=v1');
    expect(upgrade!.headers['openai-organization']).toBeUndefined();
    expect(upgrade!.headers.cookie).toBeUndefined();
    expect(JSON.stringify(upgrade!.headers)).not.toContain(secret);
    client.socket.close();
  });

  it('takes a browser sub-key from the subprotocol and forwards only the other subprotocols', async () => {
    const { secret } = h.subkey();
    const client = await openSocket(h.running.port, '/v1/realtime?model=gpt-4o', {
      protocols: ['realtime', `openai-insecure-api-key.${secret}`, 'openai-beta.realtime-v1', 'openai-organization.org-sneaky'],
    });
    expect(client.socket.protocol).toBe('realtime');
    const [upgrade] = h.upstream.sockets.upgrades;
    expect(upgrade!.protocols).toEqual(['realtime', 'openai-beta.realtime-v1']);
    expect(upgrade!.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(JSON.stringify(upgrade!.headers)).not.toContain(secret);
    const session = await client.nextEvent((event) => event.type === 'session.created');
    expect(session.session).toMatchObject({ model: 'gpt-4o' });
    client.socket.close();
  });

  it("passes upstream's refusal of the handshake back with its status and body, the real key masked", async () => {
    const { id, secret } = h.subkey();
    h.upstream.sockets.refuse = { status: 401, body: JSON.stringify({ error: { message: `Incorrect API key provided: ${UPSTREAM_KEY}.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }) };
    const answer = await refusedUpgrade(h.running.port, '/v1/realtime?model=gpt-4o', { headers: { authorization: `Bearer ${secret}` } });
    expect(answer.status).toBe(401);
    expect(answer.headers['x-request-id']).toBe('req_standin');
    expect(answer.body).not.toContain(UPSTREAM_KEY);
    expect(errorOf(answer.body)).toMatchObject({ code: 'invalid_api_key', message: `Incorrect API key provided: sk-…${UPSTREAM_KEY.slice(-4)}.` });
    const [row] = await rows(id);
    expect(row).toMatchObject({ method: 'WS', status: 401, refusal: 'upstream_refused' });
  });

  it('logs the connection as one row: WS, 101, and the close code', async () => {
    const { id, secret } = h.subkey();
    const client = await openSocket(h.running.port, '/v1/responses', { headers: { authorization: `Bearer ${secret}` } });
    const [open] = await rows(id);
    expect(open).toMatchObject({ method: 'WS', path: '/v1/responses', status: null, refusal: null });
    client.socket.close(4000, 'bye');
    expect(await client.closed).toEqual({ code: 4000, reason: 'bye' });
    const [closed] = await rows(id);
    expect(closed).toMatchObject({ method: 'WS', path: '/v1/responses', status: 101, refusal: 'ws_close_4000' });
    expect(closed!.latency_ms).toBeGreaterThan(0);
  });
});
