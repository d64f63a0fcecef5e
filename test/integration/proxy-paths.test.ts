import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHeadlessServer } from '../../electron/core/headless/headless-server';
import type { IssuedSubkey, Upstream } from '../../electron/shared/types';
import { startCore, type CoreFixture } from '../helpers/core-fixture';
import { UPSTREAM_KEY } from '../helpers/proxy-harness';
import { sendRaw, type SocketAnswer } from '../helpers/raw-socket';
import { startStandInUpstream, STAND_IN_MODELS, type StandInUpstream } from '../helpers/stand-in-upstream';

// The whole headless stack: services, the mounted proxy and the one node:http server, in front of a stand-in upstream.
let fx: CoreFixture;
let upstream: StandInUpstream;
let server: Server;
let port: number;
/** An upstream as OpenAI: only documented endpoints are forwarded. */
let openAi: Upstream;
/** An OpenAI-compatible upstream marked to pass unknown endpoints through. */
let compatible: Upstream;
/** Sub-keys on `openAi`: one without a model policy, one allowed only gpt-4o-mini. */
let open: string;
let limited: string;
/** The same on `compatible`. */
let openCompatible: string;
let limitedCompatible: string;

async function issue(upstreamId: string, allowModels: string[] = []): Promise<string> {
  // The ids in these paths are made up: the keys see every object (ownership is tested in proxy-permissions).
  const permissions = { mode: 'all', shareProjectObjects: true };
  return (await fx.call<IssuedSubkey>('subkeys:create', { name: `key ${allowModels.join(',') || 'open'}`, upstreamId, allowModels, permissions })).secret;
}

beforeAll(async () => {
  fx = startCore();
  upstream = await startStandInUpstream();
  server = createHeadlessServer(fx.core.proxyController, null);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  await fx.call('proxy:start');
  openAi = await fx.call<Upstream>('upstreams:add', { name: 'OpenAI', baseUrl: upstream.baseUrl, apiKey: UPSTREAM_KEY });
  compatible = await fx.call<Upstream>('upstreams:add', { name: 'Compatible', baseUrl: upstream.baseUrl, apiKey: UPSTREAM_KEY, passThroughUnknownEndpoints: true });
  open = await issue(openAi.id);
  limited = await issue(openAi.id, ['gpt-4o-mini']);
  openCompatible = await issue(compatible.id);
  limitedCompatible = await issue(compatible.id, ['gpt-4o-mini']);
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await fx.close();
  await upstream.close();
});

beforeEach(() => {
  upstream.reset();
});

const auth = (secret: string): Record<string, string> => ({ authorization: `Bearer ${secret}`, connection: 'close' });
const jsonAuth = (secret: string): Record<string, string> => ({ ...auth(secret), 'content-type': 'application/json' });
const chat = (model: string): string => JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] });

/** Asserts a refusal in OpenAI's error shape that leaks no key, and returns its code. */
function refusal(answer: SocketAnswer, status: number, label: string): string {
  expect(answer.status, label).toBe(status);
  expect(answer.body, label).not.toContain(UPSTREAM_KEY);
  if (answer.body === '') return '';
  const { error } = JSON.parse(answer.body) as { error: { message: string; type: string; param: unknown; code: string } };
  expect(Object.keys(error).sort(), label).toEqual(['code', 'message', 'param', 'type']);
  return error.code;
}

describe('one reading of the path', () => {
  it('refuses every spelling that misses the table but an upstream would normalise to a real endpoint, forwarding none', async () => {
    // [method, request target, body, status, code] — sent with a key allowed only gpt-4o-mini.
    const cases: [string, string, string, number, string][] = [
      // Minting a credential needs `mintCredentials`, which this key lacks.
      ['POST', '/v1/realtime/client_secret%73?model=gpt-4o-mini', JSON.stringify({ session: { type: 'realtime', model: 'gpt-4o-mini' } }), 403, 'permission_denied'],
      ['POST', '/v1//batches', JSON.stringify({ input_file_id: 'file-1', endpoint: '/v1/chat/completions', completion_window: '24h', model: 'gpt-4o-mini' }), 400, 'invalid_path'],
      ['POST', '/v1/batches;x', JSON.stringify({ input_file_id: 'file-1', model: 'gpt-4o-mini' }), 400, 'invalid_path'],
      ['POST', '/v1/Batches', JSON.stringify({ input_file_id: 'file-1', model: 'gpt-4o-mini' }), 404, 'unknown_endpoint'],
      ['GET', '/v1/models%2F', '', 400, 'invalid_path'],
      ['POST', '/v1/realtime/x%2F..%2Fclient_secrets', JSON.stringify({ model: 'gpt-4o-mini' }), 400, 'invalid_path'],
      ['POST', '/v1/x%2F..%2Fclient_secrets', JSON.stringify({ model: 'gpt-4o-mini' }), 400, 'invalid_path'],
      ['GET', '/v1//models', '', 400, 'invalid_path'],
      ['POST', '/v1/threads/thread_1//runs', JSON.stringify({ model: 'gpt-4o-mini' }), 400, 'invalid_path'],
      ['POST', '/v1/threads/thread_1/Runs', JSON.stringify({ model: 'gpt-4o-mini' }), 404, 'unknown_endpoint'],
      ['POST', '/v1/batches%3Bx', JSON.stringify({ model: 'gpt-4o-mini' }), 400, 'invalid_path'],
      ['POST', '/v1/batches%5C', JSON.stringify({ model: 'gpt-4o-mini' }), 400, 'invalid_path'],
      ['POST', '/v1/batches\\', JSON.stringify({ model: 'gpt-4o-mini' }), 400, 'invalid_path'],
      ['POST', '/v1/realtime/sessions/%2e%2e/client_secrets', JSON.stringify({ model: 'gpt-4o-mini' }), 400, 'invalid_path'],
      ['POST', '/v1/realtime/sessions/%2E/../client_secrets', JSON.stringify({ model: 'gpt-4o-mini' }), 400, 'invalid_path'],
      ['POST', '/v1/batches%00', JSON.stringify({ model: 'gpt-4o-mini' }), 400, 'invalid_path'],
      ['POST', '/v1/batches%7F', JSON.stringify({ model: 'gpt-4o-mini' }), 400, 'invalid_path'],
      ['POST', '/v1/batches%0D%0A', JSON.stringify({ model: 'gpt-4o-mini' }), 400, 'invalid_path'],
      ['POST', '/v1/batches%C2%85', JSON.stringify({ model: 'gpt-4o-mini' }), 400, 'invalid_path'],
      ['POST', '/v1/batches%zz', JSON.stringify({ model: 'gpt-4o-mini' }), 400, 'invalid_path'],
      ['POST', '/v1/batches%2', JSON.stringify({ model: 'gpt-4o-mini' }), 400, 'invalid_path'],
      ['POST', '/v1/batches%C3', JSON.stringify({ model: 'gpt-4o-mini' }), 400, 'invalid_path'],
      ['POST', '/v1/batches#x', JSON.stringify({ model: 'gpt-4o-mini' }), 400, 'invalid_path'],
      ['GET', '/v1/chat/completions?model=gpt-4o-mini#x', '', 400, 'invalid_path'],
      ['GET', '/v1/chat/completions?model=gpt-4o-mini;model=gpt-4o', '', 400, 'invalid_path'],
    ];
    for (const [method, target, body, status, code] of cases) {
      const answer = await sendRaw(port, `${method} ${target} HTTP/1.1`, body ? jsonAuth(limited) : auth(limited), body);
      expect(refusal(answer, status, target), target).toBe(code);
    }
    // Targets that are not a /v1 path at all (absolute form, `*`, another case) stay outside the proxy.
    for (const line of ['GET http://evil.example/v1/models HTTP/1.1', `GET http://127.0.0.1:${port}/v1/models HTTP/1.1`, 'OPTIONS * HTTP/1.1', 'GET /V1/models HTTP/1.1', 'GET /%761/models HTTP/1.1']) {
      expect((await sendRaw(port, line, auth(open))).status, line).toBe(404);
    }
    expect(upstream.requests.map((request) => request.url)).toEqual([]);
  });

  it('forwards a path spelled another way as its canonical bytes: what upstream reads is what was checked', async () => {
    const cases: [string, string, string, string][] = [
      // [method, sent, body, what upstream received]
      ['POST', '/v1/realtime/call%73/c1/hangup?model=gpt-4o-mini', '{}', '/v1/realtime/calls/c1/hangup?model=gpt-4o-mini'],
      ['GET', '/v1/files/file%2D1?limit=2', '', '/v1/files/file-1?limit=2'],
      ['GET', '/v1/files/', '', '/v1/files'],
      ['GET', '/v1/models/ft%3Agpt-4o-mini%3Aacme', '', '/v1/models/ft:gpt-4o-mini:acme'],
      ['GET', '/v1/models/caf%C3%A9', '', '/v1/models/caf%C3%A9'],
      // Decoded once: `%252F` is the text `%2F` in an id, and upstream must get it encoded again, not as a slash.
      ['GET', '/v1/files/a%252F..%252Fb', '', '/v1/files/a%252F..%252Fb'],
      ['GET', '/v1/files/a%20b"c', '', '/v1/files/a%20b%22c'],
      ['DELETE', '/v1/files/file-1?', '', '/v1/files/file-1'],
    ];
    for (const [method, sent, body, received] of cases) {
      const answer = await sendRaw(port, `${method} ${sent} HTTP/1.1`, body ? jsonAuth(open) : auth(open), body);
      expect(answer.status, sent).toBe(200);
      expect(upstream.requests.at(-1)?.url, sent).toBe(received);
    }
    expect(upstream.requests).toHaveLength(cases.length);
  });

  it('filters the model list on the canonical path: /v1/models/ is /v1/models', async () => {
    const list = await sendRaw(port, 'GET /v1/models/ HTTP/1.1', auth(limited));
    expect(list.status).toBe(200);
    expect((JSON.parse(list.body) as { data: { id: string }[] }).data.map((model) => model.id)).toEqual(['gpt-4o-mini']);
    expect(upstream.requests.map((request) => request.url)).toEqual(['/v1/models']);
    const unfiltered = await sendRaw(port, 'GET /v1/models HTTP/1.1', auth(open));
    expect((JSON.parse(unfiltered.body) as { data: unknown[] }).data).toHaveLength(STAND_IN_MODELS.length);
  });
});

describe('unknown endpoints', () => {
  it('refuses an endpoint OpenAI does not document with 404 for every key, forwarding nothing', async () => {
    for (const secret of [open, limited]) {
      for (const [method, target] of [
        ['POST', '/v1/some/new/thing'],
        ['GET', '/v1/Models'],
        ['GET', '/v1'],
        ['DELETE', '/v1/chat/completions'],
      ] as const) {
        const answer = await sendRaw(port, `${method} ${target} HTTP/1.1`, jsonAuth(secret), method === 'POST' ? chat('gpt-4o-mini') : '');
        expect(refusal(answer, 404, target)).toBe('unknown_endpoint');
      }
    }
    expect(upstream.requests).toHaveLength(0);
  });

  it('forwards them on an upstream that passes unknown endpoints through, only for keys without a model policy', async () => {
    const forwarded = await sendRaw(port, 'POST /v1/some/new/thing HTTP/1.1', jsonAuth(openCompatible), chat('gpt-4o'));
    expect(forwarded.status).toBe(200);
    const cased = await sendRaw(port, 'GET /v1/Batches HTTP/1.1', auth(openCompatible));
    expect(cased.status).toBe(200);
    expect(upstream.requests.map((request) => request.url)).toEqual(['/v1/some/new/thing', '/v1/Batches']);

    upstream.reset();
    const restricted = await sendRaw(port, 'POST /v1/some/new/thing HTTP/1.1', jsonAuth(limitedCompatible), chat('gpt-4o-mini'));
    expect(refusal(restricted, 403, 'restricted')).toBe('endpoint_not_allowed');
    const stillChecked = await sendRaw(port, 'POST /v1/some//thing HTTP/1.1', jsonAuth(openCompatible), chat('gpt-4o'));
    expect(refusal(stillChecked, 400, 'empty segment')).toBe('invalid_path');
    expect(upstream.requests).toHaveLength(0);
  });

  it('stops passing them through once the upstream is switched back', async () => {
    const other = await fx.call<Upstream>('upstreams:add', { name: 'Other', baseUrl: upstream.baseUrl, apiKey: UPSTREAM_KEY, passThroughUnknownEndpoints: true });
    const secret = await issue(other.id);
    expect((await sendRaw(port, 'GET /v1/extra HTTP/1.1', auth(secret))).status).toBe(200);
    const updated = await fx.call<Upstream>('upstreams:update', { id: other.id, passThroughUnknownEndpoints: false });
    expect(updated.passThroughUnknownEndpoints).toBe(false);
    expect(refusal(await sendRaw(port, 'GET /v1/extra HTTP/1.1', auth(secret)), 404, 'switched off')).toBe('unknown_endpoint');
    expect(upstream.requests).toHaveLength(1);
  });
});

describe('methods', () => {
  it('answers methods other than GET, POST and DELETE with 405 and Allow, forwarding nothing', async () => {
    for (const method of ['TRACE', 'PUT', 'PATCH', 'HEAD', 'PROPFIND']) {
      const answer = await sendRaw(port, `${method} /v1/models HTTP/1.1`, auth(open));
      expect(refusal(answer, 405, method), method).toBe(method === 'HEAD' ? '' : 'method_not_allowed');
      expect(answer.headers.allow, method).toBe('GET, POST, DELETE, OPTIONS');
    }
    expect(upstream.requests).toHaveLength(0);
    // Refused after the key was recognised, so the owner sees which sub-key tried.
    fx.core.proxy.flush();
    const rows = fx.core.db.prepare<[], { method: string; refusal: string; subkey_id: string | null }>('SELECT method, refusal, subkey_id FROM usage ORDER BY id DESC LIMIT 5').all();
    expect(rows.map((row) => [row.method, row.refusal, row.subkey_id !== null])).toEqual(
      ['PROPFIND', 'HEAD', 'PATCH', 'PUT', 'TRACE'].map((method) => [method, 'method_not_allowed', true]),
    );
  });

  it('answers CONNECT with 405 on the headless server', async () => {
    const answer = await sendRaw(port, `CONNECT ${new URL(upstream.baseUrl).host} HTTP/1.1`, auth(open));
    expect(refusal(answer, 405, 'CONNECT')).toBe('method_not_allowed');
    expect(answer.headers.allow).toBe('GET, POST, DELETE, OPTIONS');
    expect(upstream.requests).toHaveLength(0);
  });

  it('keeps answering CORS preflights locally, offering only the forwarded methods', async () => {
    const answer = await sendRaw(port, 'OPTIONS /v1/chat/completions HTTP/1.1', { origin: 'http://localhost:3000', 'access-control-request-method': 'POST', connection: 'close' });
    expect(answer.status).toBe(204);
    expect(answer.headers['access-control-allow-methods']).toBe('GET, POST, DELETE, OPTIONS');
    expect(upstream.requests).toHaveLength(0);
  });
});

describe("OpenAI's Admin API", () => {
  const ADMIN_CALLS: [string, string][] = [
    ['GET', '/v1/organization/admin_api_keys'],
    ['POST', '/v1/organization/admin_api_keys'],
    ['DELETE', '/v1/organization/admin_api_keys/key_1'],
    ['GET', '/v1/organization/audit_logs'],
    ['GET', '/v1/organization/costs?start_time=1'],
    ['GET', '/v1/organization/usage/completions?start_time=1'],
    ['POST', '/v1/organization/invites'],
    ['GET', '/v1/organization/users'],
    ['POST', '/v1/organization/projects'],
    ['GET', '/v1/organization/projects/proj_1/api_keys'],
    ['DELETE', '/v1/organization/projects/proj_1/api_keys/key_1'],
    ['POST', '/v1/organization/projects/proj_1/service_accounts'],
    ['POST', '/v1/organization/projects/proj_1/rate_limits/rl_1'],
    ['POST', '/v1/organization/certificates/activate'],
    ['GET', '/v1/projects/proj_1/roles'],
    ['POST', '/v1/projects/proj_1/users/user_1/roles'],
    ['GET', '/v1/projects/proj_1/api_keys'],
    ['GET', '/v1/organization'],
  ];

  it('is never forwarded, even for a key without a model policy', async () => {
    for (const [method, target] of ADMIN_CALLS) {
      const answer = await sendRaw(port, `${method} ${target} HTTP/1.1`, jsonAuth(open), method === 'POST' ? '{}' : '');
      expect(refusal(answer, 403, target)).toBe('endpoint_not_allowed');
      expect(answer.body).toMatch(/Admin API/);
    }
    expect(upstream.requests).toHaveLength(0);
  });

  it('is not forwarded through an upstream that passes unknown endpoints through, however it is cased', async () => {
    for (const target of ['/v1/Organization/admin_api_keys', '/v1/ORGANIZATION/projects/proj_1/service_accounts', '/v1/Projects/proj_1/roles', '/v1/organization/admin_api_keys']) {
      const answer = await sendRaw(port, `POST ${target} HTTP/1.1`, jsonAuth(openCompatible), '{}');
      expect(refusal(answer, 403, target)).toBe('endpoint_not_allowed');
    }
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('WebSocket upgrades', () => {
  it('answers 501 websocket_not_supported and forwards nothing', async () => {
    const answer = await sendRaw(port, 'GET /v1/chat/completions HTTP/1.1', {
      authorization: `Bearer ${open}`,
      upgrade: 'websocket',
      connection: 'Upgrade',
      'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      'sec-websocket-version': '13',
    });
    expect(refusal(answer, 501, 'upgrade')).toBe('websocket_not_supported');
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('the desktop listener', () => {
  it('refuses CONNECT, TRACE and WebSocket upgrades the same way', async () => {
    const desktop = startCore({ proxyMode: 'listener', mode: 'desktop' });
    try {
      await desktop.call('proxy:configure', { port: 0, autoStart: false });
      const { port: listenerPort } = await desktop.call<{ port: number }>('proxy:start');
      const added = await desktop.call<Upstream>('upstreams:add', { name: 'OpenAI', baseUrl: upstream.baseUrl, apiKey: UPSTREAM_KEY });
      const { secret } = await desktop.call<IssuedSubkey>('subkeys:create', { name: 'desk', upstreamId: added.id });
      const connectAnswer = await sendRaw(listenerPort, `CONNECT ${new URL(upstream.baseUrl).host} HTTP/1.1`);
      expect(refusal(connectAnswer, 405, 'CONNECT')).toBe('method_not_allowed');
      const trace = await sendRaw(listenerPort, 'TRACE /v1/models HTTP/1.1', auth(secret));
      expect(refusal(trace, 405, 'TRACE')).toBe('method_not_allowed');
      const upgrade = await sendRaw(listenerPort, 'GET /v1/chat/completions HTTP/1.1', { authorization: `Bearer ${secret}`, upgrade: 'websocket', connection: 'Upgrade' });
      expect(refusal(upgrade, 501, 'upgrade')).toBe('websocket_not_supported');
      expect(upstream.requests).toHaveLength(0);
    } finally {
      await desktop.close();
    }
  });
});
