import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAdminApi, type AdminApi } from '../../electron/core/admin/admin-api';
import { ensureAdminToken, readAdminTokenHash } from '../../electron/core/admin/admin-token';
import { createHeadlessServer } from '../../electron/core/headless/headless-server';
import { startCore, type CoreFixture } from '../helpers/core-fixture';

let fx: CoreFixture;
let admin: AdminApi;
let server: Server;
let port: number;
let token: string;
/** The throttle's clock: tests move it instead of waiting a minute. */
let now = 1_000_000;
/** Each test's client address (loopback has all of 127/8), so tests do not share a count. */
let nextAddress = 10;
let address: string;

beforeAll(async () => {
  fx = startCore();
  const outcome = ensureAdminToken(fx.core.db, {});
  if (outcome.source !== 'generated') throw new Error('expected a new token');
  token = outcome.token;
  admin = createAdminApi({ dispatch: fx.core.dispatch, events: fx.core.events, tokenHash: () => readAdminTokenHash(fx.core.db), uiDir: fx.dataDir, throttle: { now: () => now } });
  server = createHeadlessServer(fx.core.proxyController, admin);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  admin.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await fx.close();
});
beforeEach(() => {
  address = `127.0.0.${nextAddress++}`;
});

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: { error?: { code: string; message: string } };
}

/** `POST /admin/api/app/info` from `from` (a loopback address) with `auth` as the bearer token (null: none). */
function info(auth: string | null, from = address): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (auth !== null) headers.authorization = `Bearer ${auth}`;
    const request = httpRequest({ host: '127.0.0.1', localAddress: from, port, method: 'POST', path: '/admin/api/app/info', headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode!, retryAfter: response.headers['retry-after'], body: JSON.parse(Buffer.concat(chunks).toString()) as Answer['body'] }),
      );
    });
    request.on('error', reject);
    request.end('{}');
  });
}

async function wrongTokens(count: number, from = address): Promise<number[]> {
  const statuses: number[] = [];
  for (let index = 0; index < count; index++) statuses.push((await info(`kg-admin-guess-${index}`, from)).status);
  return statuses;
}

describe('wrong admin tokens are throttled per address', () => {
  it('answers 429 with Retry-After after 20 wrong tokens in a minute, to the right token too, until the minute has passed', async () => {
    expect(await wrongTokens(20)).toEqual(Array(20).fill(401));
    const blocked = await info('kg-admin-guess-21');
    expect(blocked).toEqual({ status: 429, retryAfter: '60', body: { error: { code: 'RATE_LIMITED', message: expect.stringContaining('60 s') } } });
    // Checking the right token now would tell a guesser when it hit.
    expect(await info(token)).toMatchObject({ status: 429, body: { error: { code: 'RATE_LIMITED' } } });
    expect(await info(null)).toMatchObject({ status: 429 });

    now += 45_000;
    expect((await info(token)).retryAfter).toBe('15');
    now += 15_000;
    expect((await info(token)).status).toBe(200);
  });

  it('keeps counting in a sliding window: once free again, the next wrong token is the 20th of the last minute', async () => {
    await wrongTokens(10);
    now += 30_000;
    await wrongTokens(10);
    expect((await info(token)).status).toBe(429);
    now += 30_000;
    // The first ten have left the window: ten more guesses, no more.
    expect(await wrongTokens(10)).toEqual(Array(10).fill(401));
    expect(await info('kg-admin-guess-again')).toMatchObject({ status: 429, retryAfter: '30' });
    now += 60_000;
  });

  it('counts each address on its own', async () => {
    await wrongTokens(20);
    expect((await info(token)).status).toBe(429);
    const other = `127.0.0.${nextAddress++}`;
    expect((await info(token, other)).status).toBe(200);
    expect(await wrongTokens(19, other)).toEqual(Array(19).fill(401));
    now += 60_000;
  });

  it('does not count requests without a token, and forgives mistakes once the right token comes', async () => {
    for (let index = 0; index < 30; index++) expect((await info(null)).status).toBe(401);
    expect(await wrongTokens(19)).toEqual(Array(19).fill(401));
    expect((await info(token)).status).toBe(200);
    expect(await wrongTokens(19)).toEqual(Array(19).fill(401));
    expect((await info(token)).status).toBe(200);
  });
});
