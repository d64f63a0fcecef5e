import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeUsageCsv } from '../../electron/core/services/usage-export';
import { createAdminApi, type AdminApi, type AdminApiOptions } from '../../electron/core/admin/admin-api';
import { ensureAdminToken, readAdminTokenHash } from '../../electron/core/admin/admin-token';
import { createHeadlessServer } from '../../electron/core/headless/headless-server';
import { startCore, type CoreFixture } from './core-fixture';

export interface AdminAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A core behind the real headless server (`/v1` and `/admin`) on loopback, with a generated admin token. */
export interface AdminServer {
  fx: CoreFixture;
  /** `http://127.0.0.1:PORT`. */
  base: string;
  token: string;
  send(method: string, path: string, options?: { body?: string | Buffer; auth?: string | null; headers?: Record<string, string> }): Promise<AdminAnswer>;
  /** `POST /admin/api/...` with a JSON body and the token; answers the parsed body (and fails on a non-200). */
  call<T = unknown>(path: string, body?: unknown): Promise<T>;
  close(): Promise<void>;
}

/** Starts an admin server; `options` reach createAdminApi. */
export async function startAdminServer(options: Partial<AdminApiOptions> = {}): Promise<AdminServer> {
  const fx = startCore();
  const uiDir = mkdtempSync(join(tmpdir(), 'keygate-no-ui-'));
  const outcome = ensureAdminToken(fx.core.db, {});
  if (outcome.source !== 'generated') throw new Error('expected a new admin token');
  const admin: AdminApi = createAdminApi({
    dispatch: fx.core.dispatch,
    events: fx.core.events,
    tokenHash: () => readAdminTokenHash(fx.core.db),
    uiDir,
    exportUsage: (filter, sink) => writeUsageCsv(fx.core.db, filter, sink),
    ...options,
  });
  const server: Server = createHeadlessServer(fx.core.proxyController, admin);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  fx.core.proxyController.setMountedAddress('127.0.0.1', port);
  const base = `http://127.0.0.1:${port}`;
  const token = outcome.token;

  const send: AdminServer['send'] = (method, path, sendOptions = {}) =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ...sendOptions.headers };
      const auth = sendOptions.auth === undefined ? token : sendOptions.auth;
      if (auth !== null) headers.authorization = `Bearer ${auth}`;
      const req = httpRequest(`${base}${path}`, { method, headers, agent: false }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString() }));
      });
      req.on('error', reject);
      req.end(sendOptions.body);
    });

  return {
    fx,
    base,
    token,
    send,
    async call<T>(path: string, body: unknown = {}) {
      const answer = await send('POST', path, { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
      if (answer.status !== 200) throw new Error(`${path} answered ${answer.status}: ${answer.body}`);
      return JSON.parse(answer.body) as T;
    },
    async close() {
      admin.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await fx.close();
      rmSync(uiDir, { recursive: true, force: true });
    },
  };
}
