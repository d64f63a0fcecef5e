import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHeadlessServer } from '../../electron/core/headless/headless-server';
import type { IssuedSubkey, Upstream } from '../../electron/shared/types';
import { startCore, type CoreFixture } from '../helpers/core-fixture';
import { startStandInUpstream, type StandInUpstream } from '../helpers/stand-in-upstream';
import { openSocket, refusedUpgrade } from '../helpers/ws-client';

const REAL_KEY = 'sk-upstream-REAL-routing-0123456789abcdef';
let upstream: StandInUpstream;
let fx: CoreFixture | null = null;
let server: Server | null = null;

beforeAll(async () => {
  upstream = await startStandInUpstream();
});
afterAll(async () => {
  await upstream.close();
});
afterEach(async () => {
  if (server) await new Promise((resolve) => server!.close(resolve));
  server = null;
  await fx?.close();
  fx = null;
  upstream.reset();
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** An upstream on the stand-in and a sub-key for it, made through the services as the UI makes them. */
async function issueKey(core: CoreFixture): Promise<IssuedSubkey> {
  const added = await core.call<Upstream>('upstreams:add', { name: 'Stand-in', baseUrl: upstream.baseUrl, apiKey: REAL_KEY });
  return core.call<IssuedSubkey>('subkeys:create', { name: 'Voice', upstreamId: added.id });
}

describe('the desktop listener routes upgrades to the proxy', () => {
  it('relays a WebSocket, closes it with 1008 when the key is disabled through the services, and cuts sockets on Stop', async () => {
    fx = startCore({ proxyMode: 'listener', mode: 'desktop' });
    const port = await freePort();
    await fx.call('proxy:configure', { port, autoStart: false });
    await fx.call('proxy:start');
    const refused = await refusedUpgrade(port, '/v1/realtime?model=gpt-4o');
    expect([refused.status, JSON.parse(refused.body).error.code]).toEqual([401, 'missing_api_key']);

    const issued = await issueKey(fx);
    const auth = { authorization: `Bearer ${issued.secret}` };
    const first = await openSocket(port, '/v1/realtime?model=gpt-4o', { headers: auth });
    await first.nextEvent((event) => event.type === 'session.created');
    await fx.call('subkeys:update', { id: issued.subkey.id, enabled: false });
    expect(await first.closed).toMatchObject({ code: 1008, reason: expect.stringMatching(/^subkey_disabled/) });

    await fx.call('subkeys:update', { id: issued.subkey.id, enabled: true });
    const second = await openSocket(port, '/v1/responses', { headers: auth });
    await fx.call('proxy:stop');
    expect((await second.closed).code).toBe(1006);
  });
});

describe('the headless server routes /v1 upgrades to the mounted proxy', () => {
  it('answers 503 while stopped, serves once started, 404s other paths, and drains sockets with 1001 on close', async () => {
    fx = startCore();
    server = createHeadlessServer(fx.core.proxyController, null);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    fx.core.proxyController.setMountedAddress('127.0.0.1', port);
    const issued = await issueKey(fx);
    const auth = { authorization: `Bearer ${issued.secret}` };

    const stopped = await refusedUpgrade(port, '/v1/realtime?model=gpt-4o', { headers: auth });
    expect([stopped.status, JSON.parse(stopped.body).error.code]).toEqual([503, 'proxy_stopped']);
    await fx.call('proxy:start');
    const elsewhere = await refusedUpgrade(port, '/admin/api/events', { headers: auth });
    expect(elsewhere.status).toBe(404);
    const other = await refusedUpgrade(port, '/v1/chat/completions', { headers: auth });
    expect([other.status, JSON.parse(other.body).error.code]).toEqual([501, 'websocket_not_supported']);

    const client = await openSocket(port, '/v1/realtime?model=gpt-4o', { headers: auth });
    await client.nextEvent((event) => event.type === 'session.created');
    const closing = fx.close();
    fx = null;
    expect((await client.closed).code).toBe(1001);
    await closing;
  });
});
