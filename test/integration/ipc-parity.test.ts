/**
 * Every contract channel is reachable over both transports, from the one list: the IPC binding the desktop
 * app registers (electron/main/ipc.ts, with a trusted window event) and the admin HTTP API (real HTTP), both
 * over one real core on a temp data folder. Adding a channel without a case here fails typecheck
 * (`Record<Channel, …>`) and this test, so IPC and HTTP cannot drift apart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAdminApi, type AdminApi } from '../../electron/core/admin/admin-api';
import { ensureAdminToken, readAdminTokenHash } from '../../electron/core/admin/admin-token';
import { createCore, DATABASE_FILE, type Core } from '../../electron/core/app-core';
import { silentLogger } from '../../electron/core/logger';
import { channelPath, channels, type Channel } from '../../electron/shared/contract';
import type { AppErrorData, Result } from '../../electron/shared/errors';
import type { IssuedSubkey, Subkey, Upstream } from '../../electron/shared/types';
import { openDesktopSecrets } from '../../electron/main/desktop-secrets';
import type { SafeStorageApi } from '../../electron/main/safe-storage-box';
import { readOutOfProcess } from '../helpers/core-fixture';
import { modelList, startModelsUpstream, type ModelsUpstream } from '../helpers/models-upstream';

type IpcHandler = (event: unknown, input: unknown) => Promise<Result<unknown>>;
const ipcMain = vi.hoisted(() => ({
  handlers: new Map<string, IpcHandler>(),
  handle(channel: string, handler: IpcHandler) {
    this.handlers.set(channel, handler);
  },
  removeHandler(channel: string) {
    this.handlers.delete(channel);
  },
}));
vi.mock('electron', () => ({ ipcMain }));
const { bindIpc } = await import('../../electron/main/ipc');

const REAL_KEY = 'sk-proj-PARITYrealKEY0123456789abcdefXYZ';
const trustedEvent = { senderFrame: { url: 'app://keygate/index.html', parent: null } };
const forgedEvent = { senderFrame: { url: 'https://evil.example/', parent: null } };

/** The OS keychain as the desktop app would use it (a reversible stand-in: the real one needs Electron). */
const safeStorage: SafeStorageApi = {
  isEncryptionAvailable: () => true,
  getSelectedStorageBackend: () => 'gnome_libsecret',
  encryptString: (plain) => Buffer.from(plain, 'utf8').reverse(),
  decryptString: (blob) => Buffer.from(blob).reverse().toString('utf8'),
};

let dataDir: string;
let core: Core;
let admin: AdminApi;
let server: Server;
let base: string;
let token: string;
let upstream: ModelsUpstream;
let unbind: () => void;

type Transport = 'ipc' | 'http';

async function overIpc(channel: Channel, input: unknown, event: unknown = trustedEvent): Promise<Result<unknown>> {
  const handler = ipcMain.handlers.get(channel);
  if (!handler) throw new Error(`no IPC handler for ${channel}`);
  return handler(event, input);
}

/** POST /admin/api/<namespace>/<verb>, answered as the same Result shape IPC gives. */
async function overHttp(channel: Channel, input: unknown, auth: string | null = token): Promise<Result<unknown> & { status: number }> {
  const response = await fetch(`${base}${channelPath(channel)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
    body: JSON.stringify(input),
  });
  const body: unknown = await response.json();
  if (response.ok) return { ok: true, data: body, status: response.status };
  return { ok: false, error: (body as { error: AppErrorData }).error, status: response.status };
}

const call = (transport: Transport, channel: Channel, input: unknown) => (transport === 'ipc' ? overIpc(channel, input) : overHttp(channel, input));

/** Calls a channel straight on the core (setup for a case), failing on an error. */
async function direct<T>(channel: Channel, input: unknown): Promise<T> {
  const result = await core.dispatch(channel, input);
  if (!result.ok) throw new Error(`${channel}: ${JSON.stringify(result.error)}`);
  return result.data as T;
}

/** The structure of a value (keys and primitive types), so answers with fresh ids and times can be compared. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeOf(value[0])];
  if (value === null) return null;
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)).map(([key, inner]) => [key, shapeOf(inner)]));
  }
  return typeof value;
}

let upstreamId: string;
let priceData: Awaited<ReturnType<typeof startModelsUpstream>>;
const PRICE_DATA = [
  { id: 'openai', name: 'OpenAI', api_pattern: 'api\\.openai\\.com', models: [{ id: 'gpt-4o-mini', match: { equals: 'gpt-4o-mini' }, prices: { input_mtok: 0.15, output_mtok: 0.6 } }] },
];
const newUpstream = () => direct<Upstream>('upstreams:add', { name: 'Spare', baseUrl: upstream.baseUrl, apiKey: REAL_KEY });
const newSubkey = async () => (await direct<IssuedSubkey>('subkeys:create', { name: 'Spare key', upstreamId })).subkey;

/**
 * One valid input per channel (a function, so each transport gets its own fresh record to change or remove),
 * and whether both transports must answer the very same data (reads) or the same shape (writes).
 */
const cases: Record<Channel, { input: () => Promise<unknown> | unknown; same: 'data' | 'shape' }> = {
  'app:info': { input: () => ({}), same: 'data' },
  'upstreams:list': { input: () => ({}), same: 'data' },
  'upstreams:add': { input: () => ({ name: 'OpenAI', baseUrl: `${upstream.baseUrl}/v1/`, apiKey: REAL_KEY }), same: 'shape' },
  'upstreams:update': { input: async () => ({ id: (await newUpstream()).id, name: 'Renamed' }), same: 'shape' },
  'upstreams:remove': { input: async () => ({ id: (await newUpstream()).id }), same: 'shape' },
  'upstreams:test': { input: () => ({ id: upstreamId }), same: 'shape' },
  'models:sync': { input: () => ({ upstreamId }), same: 'shape' },
  'models:list': { input: () => ({ upstreamId }), same: 'data' },
  'subkeys:list': { input: () => ({}), same: 'data' },
  'subkeys:create': { input: () => ({ name: 'CI', upstreamId, remainingRequests: 2, allowModels: ['gpt-4o-mini'] }), same: 'shape' },
  'subkeys:update': { input: async () => ({ id: (await newSubkey()).id, remainingRequests: 5 }), same: 'shape' },
  'subkeys:rotate': { input: async () => ({ id: (await newSubkey()).id }), same: 'shape' },
  'subkeys:remove': { input: async () => ({ id: (await newSubkey()).id }), same: 'shape' },
  'usage:list': { input: () => ({ limit: 10 }), same: 'data' },
  'usage:daily': { input: () => ({ days: 7 }), same: 'data' },
  'usage:refusals': { input: () => ({}), same: 'data' },
  'usage:storage': { input: () => ({}), same: 'shape' },
  'proxy:status': { input: () => ({}), same: 'data' },
  'proxy:start': { input: () => ({}), same: 'shape' },
  'proxy:stop': { input: () => ({}), same: 'shape' },
  'proxy:configure': { input: () => ({ autoStart: false }), same: 'data' },
  'prices:list': { input: () => ({}), same: 'data' },
  'prices:set': { input: () => ({ upstreamId, model: 'my-model', inputPerMillion: 1, outputPerMillion: 2 }), same: 'shape' },
  'prices:remove': {
    input: async () => {
      await direct('prices:set', { upstreamId, model: 'gone-model', inputPerMillion: 1, outputPerMillion: 2 });
      return { upstreamId, model: 'gone-model' };
    },
    same: 'shape',
  },
  'prices:update': { input: () => ({}), same: 'shape' },
  // The save dialog is the desktop's: here it answers a fresh file each time, so both answers differ only in the path.
  'usage:export': { input: () => ({}), same: 'shape' },
  'usage:models': { input: () => ({ days: 7 }), same: 'data' },
  'alerts:list': { input: () => ({}), same: 'data' },
};

let exports = 0;

beforeAll(async () => {
  upstream = await startModelsUpstream({ status: 200, body: modelList([{ id: 'gpt-4o-mini' }, { id: 'gpt-4o' }]) });
  dataDir = mkdtempSync(join(tmpdir(), 'keygate-parity-'));
  const secrets = openDesktopSecrets({ safeStorage, platform: 'linux', dataDir, env: {}, log: silentLogger });
  // The desktop configuration (mode, listener proxy), on port 0 so the test never collides with a real proxy.
  // prices:update fetches from the stand-in, which answers every path with this price data.
  priceData = await startModelsUpstream({ status: 200, body: JSON.stringify(PRICE_DATA) });
  core = createCore({
    dataDir,
    secrets,
    mode: 'desktop',
    version: '0.0.0-parity',
    proxyMode: 'listener',
    host: '127.0.0.1',
    port: 0,
    log: silentLogger,
    priceDataUrl: `${priceData.baseUrl}/data.json`,
    pickExportFile: async () => join(dataDir, `export-${++exports}.csv`),
  });
  unbind = bindIpc({ dispatch: core.dispatch, devServerUrl: null, log: silentLogger });

  const outcome = ensureAdminToken(core.db, {});
  if (outcome.source !== 'generated') throw new Error('expected a new admin token');
  token = outcome.token;
  admin = createAdminApi({ dispatch: core.dispatch, events: core.events, tokenHash: () => readAdminTokenHash(core.db), uiDir: join(dataDir, 'no-ui') });
  server = createServer((request, response) => admin.handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  upstreamId = (await newUpstream()).id;
});

afterAll(async () => {
  unbind?.();
  admin?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await core?.close(1000);
  await upstream?.close();
  await priceData?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('IPC and admin HTTP parity', () => {
  it('covers every contract channel with a case, and IPC binds every one', () => {
    expect(Object.keys(cases).sort()).toEqual([...channels].sort());
    expect([...ipcMain.handlers.keys()].sort()).toEqual([...channels].sort());
  });

  it('reaches every channel over IPC and over HTTP with the same answer', async () => {
    for (const channel of channels) {
      const { input, same } = cases[channel];
      const viaIpc = await call('ipc', channel, await input());
      const viaHttp = await call('http', channel, await input());
      expect(viaIpc, `${channel} over IPC`).toMatchObject({ ok: true });
      expect(viaHttp, `${channel} over HTTP`).toMatchObject({ ok: true, status: 200 });
      if (!viaIpc.ok || !viaHttp.ok) continue;
      if (same === 'data') expect(viaHttp.data, channel).toEqual(viaIpc.data);
      else expect(shapeOf(viaHttp.data), channel).toEqual(shapeOf(viaIpc.data));
      for (const answer of [viaIpc.data, viaHttp.data]) expect(JSON.stringify(answer), channel).not.toContain(REAL_KEY);
    }
  });

  it('refuses the same bad input the same way on every channel', async () => {
    for (const channel of channels) {
      const bad = { ...((await cases[channel].input()) as object), notAField: true };
      const viaIpc = await overIpc(channel, bad);
      const viaHttp = await overHttp(channel, bad);
      expect(viaIpc, channel).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      expect(viaHttp.status, channel).toBe(400);
      if (!viaIpc.ok && !viaHttp.ok) expect(viaHttp.error, channel).toEqual(viaIpc.error);
    }
  });

  it('guards every channel on both: a foreign window over IPC, no token over HTTP', async () => {
    const before = await direct<Subkey[]>('subkeys:list', {});
    for (const channel of channels) {
      expect(await overIpc(channel, {}, forgedEvent), channel).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(await overHttp(channel, {}, null), channel).toMatchObject({ ok: false, status: 401, error: { code: 'UNAUTHORIZED' } });
    }
    expect(await direct<Subkey[]>('subkeys:list', {})).toEqual(before);
  });

  it('used the desktop secret box end to end: the upstream got the real key, the store never saw it', async () => {
    const authorizations = upstream.received.map((request) => request.headers.authorization);
    expect(authorizations).toContain(`Bearer ${REAL_KEY}`);
    expect((await direct<{ secretStorage: string }>('app:info', {})).secretStorage).toBe('os-keychain');
    core.db.pragma('wal_checkpoint(TRUNCATE)');
    expect(readOutOfProcess(join(dataDir, DATABASE_FILE)).includes(Buffer.from(REAL_KEY))).toBe(false);
  });
});
