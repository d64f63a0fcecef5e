import type { Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHeadlessServer } from '../../electron/core/headless/headless-server';
import { startCore } from './core-fixture';
import { startServe } from './serve-process';

/** A running Keygate reached over HTTP: its proxy's origin and its channels (in-process or through the admin API). */
export interface KeygateTarget {
  /** `http://127.0.0.1:PORT`: the proxy is under `/v1`. */
  origin: string;
  call<T = unknown>(channel: string, input?: unknown): Promise<T>;
  close(): Promise<void>;
}

/** The headless stack in this process: services, mounted proxy, one node:http server. */
export async function startInProcessTarget(): Promise<KeygateTarget> {
  const fx = startCore();
  const server: Server = createHeadlessServer(fx.core.proxyController, null);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await fx.call('proxy:start');
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    call: (channel, input) => fx.call(channel, input),
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await fx.close();
    },
  };
}

const ADMIN_TOKEN = 'target-admin-token-0123456789abcdef';

/** The headless server as a user starts it (`npm run serve -- --admin`), driven through its admin HTTP API. */
export async function startServeTarget(): Promise<KeygateTarget> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keygate-target-'));
  const serve = await startServe(['--data-dir', dataDir, '--port', '0', '--admin'], { KEYGATE_ADMIN_TOKEN: ADMIN_TOKEN });
  if (serve.url === '') throw new Error(`serve did not start:\n${serve.stderr()}`);
  return {
    origin: serve.url,
    async call<T>(channel: string, input: unknown = {}) {
      const response = await fetch(`${serve.url}/admin/api/${channel.replace(':', '/')}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
        body: JSON.stringify(input),
      });
      const body = (await response.json()) as unknown;
      if (response.status !== 200) throw new Error(`${channel} failed: ${response.status} ${JSON.stringify(body)}`);
      return body as T;
    },
    async close() {
      await serve.stop('SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
