import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProxyStatus } from '../../electron/shared/types';
import { startCore, type CoreFixture } from '../helpers/core-fixture';

let fx: CoreFixture | null = null;
let blocker: Server | null = null;
afterEach(async () => {
  await fx?.close();
  fx = null;
  if (blocker) await new Promise((resolve) => blocker!.close(resolve));
  blocker = null;
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { agent: false }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('proxy controller, listener mode (desktop)', () => {
  it('defaults to 127.0.0.1:8080 with autoStart, stopped', async () => {
    fx = startCore({ proxyMode: 'listener', mode: 'desktop', host: undefined, port: undefined });
    expect(await fx.call('proxy:status')).toEqual({
      running: false,
      url: 'http://127.0.0.1:8080/v1',
      host: '127.0.0.1',
      port: 8080,
      autoStart: true,
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      defaultOutputTokens: 4096,
      usageRetentionDays: 90,
      error: null,
      storeError: null,
    });
  });

  it('starts a server whose requests reach the proxy, stops it, and emits a change each time', async () => {
    fx = startCore({ proxyMode: 'listener', mode: 'desktop' });
    const port = await freePort();
    const changes: ProxyStatus[] = [];
    fx.core.events.on('proxy:changed', (status) => changes.push(status));
    await fx.call('proxy:configure', { port, autoStart: false });
    const started = await fx.call<ProxyStatus>('proxy:start');
    expect(started).toMatchObject({ running: true, port, url: `http://127.0.0.1:${port}/v1`, autoStart: false, error: null });
    const answer = await get(`http://127.0.0.1:${port}/v1/models`);
    // Whatever the proxy answers, it answers in OpenAI's error shape: the request went through proxy.handle.
    expect(JSON.parse(answer.body)).toHaveProperty('error.message');
    const stopped = await fx.call<ProxyStatus>('proxy:stop');
    expect(stopped.running).toBe(false);
    await expect(get(`http://127.0.0.1:${port}/v1/models`)).rejects.toThrow(/ECONNREFUSED/);
    expect(changes.map((status) => status.running)).toEqual([false, true, false]);
    expect(fx.core.db.prepare("SELECT value FROM settings WHERE key = 'proxy.port'").pluck().get()).toBe(String(port));
  });

  it('reports a port in use as a readable error instead of failing', async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker!.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    fx = startCore({ proxyMode: 'listener', mode: 'desktop' });
    await fx.call('proxy:configure', { port });
    const status = await fx.call<ProxyStatus>('proxy:start');
    expect(status).toMatchObject({
      running: false,
      error: `Port ${port} is already in use. Choose another port or stop the program using it.`,
      errorReason: 'port_in_use',
      errorParams: { port },
    });
    const other = await freePort();
    const moved = await fx.call<ProxyStatus>('proxy:configure', { port: other });
    expect(moved.running).toBe(false);
    const started = await fx.call<ProxyStatus>('proxy:start');
    expect(started).toMatchObject({ running: true, port: other, error: null });
    expect(started).not.toHaveProperty('errorReason');
  });

  it('moves a running listener when the port changes', async () => {
    fx = startCore({ proxyMode: 'listener', mode: 'desktop' });
    const [first, second] = [await freePort(), await freePort()];
    await fx.call('proxy:configure', { port: first });
    await fx.call('proxy:start');
    const moved = await fx.call<ProxyStatus>('proxy:configure', { port: second });
    expect(moved).toMatchObject({ running: true, port: second });
    await expect(get(`http://127.0.0.1:${first}/v1/models`)).rejects.toThrow(/ECONNREFUSED/);
    expect((await get(`http://127.0.0.1:${second}/v1/models`)).status).toBeGreaterThan(0);
  });
});

const lanAddress = Object.values(networkInterfaces())
  .flat()
  .find((entry) => entry && entry.family === 'IPv4' && !entry.internal)?.address;

describe('proxy controller, configured host', () => {
  it.skipIf(!lanAddress)('accepts the Host of a configured non-loopback address and still refuses others', async () => {
    fx = startCore({ proxyMode: 'listener', mode: 'desktop' });
    const port = await freePort();
    await fx.call('proxy:configure', { host: lanAddress!, port });
    expect(await fx.call<ProxyStatus>('proxy:start')).toMatchObject({ running: true, url: `http://${lanAddress}:${port}/v1` });
    const own = JSON.parse((await get(`http://${lanAddress}:${port}/v1/models`)).body);
    expect(own.error.code).not.toBe('host_not_allowed');
    const rebound = await new Promise<string>((resolve, reject) => {
      httpRequest(`http://${lanAddress}:${port}/v1/models`, { agent: false, headers: { host: 'evil.example' } }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve(body));
      })
        .on('error', reject)
        .end();
    });
    expect(JSON.parse(rebound).error.code).toBe('host_not_allowed');
  });
});

describe('proxy controller, mounted mode (headless)', () => {
  it('reports the flags address and refuses to change it', async () => {
    fx = startCore({ host: '::1', port: 9999 });
    expect(await fx.call<ProxyStatus>('proxy:status')).toMatchObject({ host: '::1', port: 9999, url: 'http://[::1]:9999/v1', running: false });
    const refused = await fx.core.dispatch('proxy:configure', { port: 1234 });
    expect(refused).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringContaining('--port'), reason: 'proxy_address_fixed' } });
    expect(await fx.call<ProxyStatus>('proxy:configure', { port: 9999, autoStart: false })).toMatchObject({ autoStart: false });
  });

  it('answers an OpenAI-shaped 503 on /v1 while stopped', async () => {
    fx = startCore();
    const server = createServer((request, response) => fx!.core.proxyController.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/models`;
    try {
      const stopped = await get(url);
      expect(stopped.status).toBe(503);
      expect(JSON.parse(stopped.body)).toEqual({
        error: { message: expect.stringContaining('stopped'), type: 'server_error', param: null, code: 'proxy_stopped' },
      });
      expect((await fx.call<ProxyStatus>('proxy:start')).running).toBe(true);
      const started = await get(url);
      expect(JSON.parse(started.body).error?.code).not.toBe('proxy_stopped');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('app:info', () => {
  it('answers version, mode, secret storage kind and data dir', async () => {
    fx = startCore();
    expect(await fx.call('app:info')).toEqual({ version: '0.0.0-test', mode: 'headless', secretStorage: 'master-key', dataDir: fx.dataDir });
  });
});
