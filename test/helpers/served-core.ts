import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdminApi, type AdminApi } from '../../electron/core/admin/admin-api';
import { ensureAdminToken, readAdminTokenHash } from '../../electron/core/admin/admin-token';
import { createHeadlessServer } from '../../electron/core/headless/headless-server';
import type { IssuedSubkey, Upstream } from '../../electron/shared/types';
import { startCore, type CoreFixture } from './core-fixture';
import { startStandInUpstream, type StandInUpstream } from './stand-in-upstream';

/** What a request through the served core got back. */
export interface ServedAnswer {
  status: number;
  body: string;
}

/** A real core served as headless does it (`/v1` mounted + the admin API on one port), in front of a stand-in upstream. */
export interface ServedCore {
  fx: CoreFixture;
  upstream: StandInUpstream;
  upstreamId: string;
  /** `http://127.0.0.1:PORT`. */
  base: string;
  adminToken: string;
  /** Issues a sub-key on the stand-in upstream through `subkeys:create`. */
  newKey(remainingRequests: number | null): Promise<IssuedSubkey>;
  /** A chat completion with `secret`, answered as status and body. */
  chat(secret: string): Promise<ServedAnswer>;
  close(): Promise<void>;
}

export const CHAT_BODY = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

/** Starts a core (see startCore) with its proxy started and one upstream added. */
export async function startServedCore(): Promise<ServedCore> {
  const fx = startCore();
  const upstream = await startStandInUpstream();
  const outcome = ensureAdminToken(fx.core.db, {});
  if (outcome.source !== 'generated') throw new Error('expected a new admin token');
  const admin: AdminApi = createAdminApi({ dispatch: fx.core.dispatch, events: fx.core.events, tokenHash: () => readAdminTokenHash(fx.core.db), uiDir: fx.dataDir });
  const server: Server = createHeadlessServer(fx.core.proxyController, admin);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  fx.core.proxyController.setMountedAddress('127.0.0.1', port);
  await fx.core.proxyController.start();
  const upstreamId = (await fx.call<Upstream>('upstreams:add', { name: 'Stand-in', baseUrl: upstream.baseUrl, apiKey: 'sk-proj-SERVEDrealKEY0123456789abcdefXYZ' })).id;
  let keys = 0;
  return {
    fx,
    upstream,
    upstreamId,
    base,
    adminToken: outcome.token,
    newKey: (remainingRequests) => fx.call<IssuedSubkey>('subkeys:create', { name: `key ${++keys}`, upstreamId, remainingRequests }),
    chat: (secret) =>
      new Promise((resolve, reject) => {
        const request = httpRequest(
          `${base}/v1/chat/completions`,
          { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' } },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () => resolve({ status: response.statusCode!, body: Buffer.concat(chunks).toString('utf8') }));
          },
        );
        request.on('error', reject);
        request.end(CHAT_BODY);
      }),
    async close() {
      admin.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await upstream.close();
      await fx.close();
    },
  };
}
