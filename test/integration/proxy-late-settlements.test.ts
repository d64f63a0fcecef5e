/**
 * Work settled after its answer (a batch, a background response) is kept in the store with what its reservation
 * holds: a retrieval after a restart settles it as one before would have, budgets, usage row and daily totals alike.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { priceTokens } from '../../electron/core/budgets/prices';
import { createHeadlessServer } from '../../electron/core/headless/headless-server';
import { createAesSecretBox } from '../../electron/core/secrets/aes-secret-box';
import type { Budget, UsageDay, IssuedSubkey, Subkey, Upstream, UsageEntry } from '../../electron/shared/types';
import { startCore, type CoreFixture } from '../helpers/core-fixture';
import { UPSTREAM_KEY } from '../helpers/proxy-harness';
import { startStandInUpstream, type StandInUpstream } from '../helpers/stand-in-upstream';

let upstream: StandInUpstream;
let dataDir: string;
const secrets = createAesSecretBox(randomBytes(32));
let running: { fx: CoreFixture; server: Server; origin: string } | null = null;
let counter = 0;
/** What the stand-in shows of each batch and response when it is retrieved. */
const finished = new Map<string, { status: string; usage: Record<string, number> }>();

/** Starts Keygate's core on the data directory, as `npm run serve` does, with the proxy on. */
async function start(): Promise<{ fx: CoreFixture; origin: string }> {
  const fx = startCore({ dataDir, secrets });
  const server = createHeadlessServer(fx.core.proxyController, null);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await fx.call('proxy:start');
  running = { fx, server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  return running;
}

async function stop(): Promise<void> {
  if (!running) return;
  const { fx, server } = running;
  running = null;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await fx.close();
}

beforeAll(async () => {
  upstream = await startStandInUpstream();
});
afterAll(async () => {
  await upstream?.close();
});
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'keygate-late-'));
  upstream.reset();
  upstream.respond = (request, response) => {
    const path = request.url.split('?')[0]!;
    let answer: unknown;
    if (request.method === 'POST' && path === '/v1/files') answer = { id: `file-${++counter}`, object: 'file', purpose: 'batch', bytes: request.body.length, created_at: 1, filename: 'batch.jsonl' };
    else if (request.method === 'POST' && path === '/v1/batches') answer = { id: `batch_${++counter}`, object: 'batch', status: 'validating', usage: { input_tokens: 0, output_tokens: 0, total_tokens: 0 } };
    else if (request.method === 'POST' && path === '/v1/responses') answer = { id: `resp_${++counter}`, object: 'response', status: 'queued', background: true, model: 'gpt-4o', output: [] };
    else {
      const id = path.split('/')[3]!;
      const state = finished.get(id);
      if (!state) return false;
      answer = path.startsWith('/v1/batches/') ? { id, object: 'batch', ...state } : { id, object: 'response', model: 'gpt-4o', output: [], ...state };
    }
    const text = JSON.stringify(answer);
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    response.end(text);
  };
});
afterEach(async () => {
  await stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const sdk = (origin: string, secret: string): OpenAI => new OpenAI({ apiKey: secret, baseURL: `${origin}/v1`, maxRetries: 0, timeout: 15_000 });
/** Lets the proxy settle the answer and write it. */
const settled = () => new Promise((resolve) => setTimeout(resolve, 60));

async function spent(fx: CoreFixture, id: string, metric: Budget['metric']): Promise<number> {
  const key = (await fx.call<Subkey[]>('subkeys:list')).find((subkey) => subkey.id === id)!;
  return key.budgets.find((budget) => budget.metric === metric)!.spent;
}

async function issueKey(fx: CoreFixture): Promise<IssuedSubkey> {
  const openAi = await fx.call<Upstream>('upstreams:add', { name: 'OpenAI', baseUrl: upstream.baseUrl, apiKey: UPSTREAM_KEY });
  const budgets: Budget[] = [
    { metric: 'usd', limit: 100, window: 'month' },
    { metric: 'tokens', limit: 100_000_000, window: 'total' },
  ];
  return fx.call<IssuedSubkey>('subkeys:create', { name: 'late', upstreamId: openAi.id, budgets, permissions: { mode: 'all', groups: {} } });
}

describe('work settled after its answer, across a restart', () => {
  it('a batch created before a restart is settled to the usage a retrieval after it shows', async () => {
    let { fx, origin } = await start();
    const { subkey, secret } = await issueKey(fx);
    let client = sdk(origin, secret);
    const line = { custom_id: 'a', method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 300 } };
    const file = await client.files.create({ file: new File([`${JSON.stringify(line)}\n`], 'batch.jsonl'), purpose: 'batch' });
    const batch = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    await settled();
    const held = await spent(fx, subkey.id, 'usd');
    expect(held).toBeGreaterThan(0);
    await stop();

    ({ fx, origin } = await start());
    client = sdk(origin, secret);
    expect(await spent(fx, subkey.id, 'usd')).toBeCloseTo(held, 9);
    finished.set(batch.id, { status: 'completed', usage: { input_tokens: 20, output_tokens: 250, total_tokens: 270 } });
    await client.batches.retrieve(batch.id);
    await client.batches.retrieve(batch.id);
    await settled();
    const actual = priceTokens('gpt-4o', { input: 20, output: 250 }, upstream.baseUrl)!;
    expect(await spent(fx, subkey.id, 'usd')).toBeCloseTo(actual, 9);
    expect(await spent(fx, subkey.id, 'tokens')).toBe(270);
    const row = (await fx.call<UsageEntry[]>('usage:list', { subkeyId: subkey.id })).find((entry) => entry.path === '/v1/batches')!;
    expect(row).toMatchObject({ totalTokens: 270, costUsd: expect.closeTo(actual, 9) });
    const days = await fx.call<UsageDay[]>('usage:daily', { days: 1, subkeyId: subkey.id });
    expect(days.reduce((sum, day) => sum + day.totalTokens, 0)).toBe(270);
    expect(fx.core.db.prepare('SELECT count(*) FROM late_settlements').pluck().get()).toBe(0);
  });

  it('a background response created before a restart is settled when a retrieval after it shows its usage', async () => {
    let { fx, origin } = await start();
    const { subkey, secret } = await issueKey(fx);
    const created = await sdk(origin, secret).responses.create({ model: 'gpt-4o', input: 'Write a long essay.', background: true, max_output_tokens: 2_000 });
    await settled();
    const held = await spent(fx, subkey.id, 'tokens');
    expect(held).toBeGreaterThan(2_000);
    await stop();

    ({ fx, origin } = await start());
    finished.set(created.id, { status: 'completed', usage: { input_tokens: 12, output_tokens: 900, total_tokens: 912 } });
    await sdk(origin, secret).responses.retrieve(created.id);
    await settled();
    expect(await spent(fx, subkey.id, 'tokens')).toBe(912);
    expect(await spent(fx, subkey.id, 'usd')).toBeCloseTo(priceTokens('gpt-4o', { input: 12, output: 900 }, upstream.baseUrl)!, 9);
  });

  it('is kept no longer than its key', async () => {
    const { fx, origin } = await start();
    const { subkey, secret } = await issueKey(fx);
    await sdk(origin, secret).responses.create({ model: 'gpt-4o', input: 'Hi', background: true });
    await settled();
    await fx.call('usage:list', {});
    expect(fx.core.db.prepare('SELECT count(*) FROM late_settlements').pluck().get()).toBe(1);
    await fx.call('subkeys:remove', { id: subkey.id });
    expect(fx.core.db.prepare('SELECT count(*) FROM late_settlements').pluck().get()).toBe(0);
  });
});
