import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bringsUnsizedInput } from '../../electron/core/budgets/estimate';
import { contextWindowOf, priceTokens } from '../../electron/core/budgets/prices';
import { createHeadlessServer } from '../../electron/core/headless/headless-server';
import type { Budget, IssuedSubkey, RateLimits, Subkey, Upstream, UsageEntry } from '../../electron/shared/types';
import { startCore, type CoreFixture } from '../helpers/core-fixture';
import { UPSTREAM_KEY } from '../helpers/proxy-harness';
import { startStandInUpstream, type StandInUpstream } from '../helpers/stand-in-upstream';

let fx: CoreFixture;
let server: Server;
let origin: string;
let upstream: StandInUpstream;
let openAi: Upstream;
let counter = 0;

beforeAll(async () => {
  upstream = await startStandInUpstream();
  fx = startCore();
  server = createHeadlessServer(fx.core.proxyController, null);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await fx.call('proxy:start');
  openAi = await fx.call<Upstream>('upstreams:add', { name: 'OpenAI', baseUrl: upstream.baseUrl, apiKey: UPSTREAM_KEY });
}, 60_000);
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await fx?.close();
  await upstream?.close();
});
beforeEach(() => {
  upstream.reset();
  // Files and batches as OpenAI answers them; a new batch's `usage` is all zeros (populated as it runs).
  upstream.respond = (request, response) => {
    const path = request.url.split('?')[0]!;
    let answer: unknown;
    if (request.method === 'POST' && path === '/v1/files') answer = { id: `file-${++counter}`, object: 'file', purpose: 'batch', bytes: request.body.length, created_at: 1, filename: 'batch.jsonl' };
    else if (request.method === 'POST' && path === '/v1/batches') {
      const body = JSON.parse(request.body.toString('utf8')) as Record<string, unknown>;
      answer = { id: `batch_${++counter}`, object: 'batch', ...body, status: 'validating', created_at: 1, usage: { input_tokens: 0, output_tokens: 0, total_tokens: 0, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } } };
    } else return false;
    const text = JSON.stringify(answer);
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    response.end(text);
  };
});

const client = (secret: string): OpenAI => new OpenAI({ apiKey: secret, baseURL: `${origin}/v1`, maxRetries: 0, timeout: 15_000 });

async function issue(budgets: Budget[], rateLimits?: Partial<RateLimits>): Promise<{ id: string; sdk: OpenAI }> {
  const issued = await fx.call<IssuedSubkey>('subkeys:create', { name: 'batcher', upstreamId: openAi.id, budgets, ...(rateLimits && { rateLimits }) });
  return { id: issued.subkey.id, sdk: client(issued.secret) };
}

async function spent(id: string, metric: Budget['metric']): Promise<number> {
  const key = (await fx.call<Subkey[]>('subkeys:list')).find((subkey) => subkey.id === id)!;
  return key.budgets.find((budget) => budget.metric === metric)!.spent;
}

interface Line {
  custom_id: string;
  method: 'POST';
  url: string;
  body: Record<string, unknown>;
}

function chatLine(index: number, model: string, extra: Record<string, unknown> = {}): Line {
  return { custom_id: `line-${index}`, method: 'POST', url: '/v1/chat/completions', body: { model, messages: [{ role: 'user', content: `Summarise chapter ${index} of the book.` }], ...extra } };
}

async function upload(sdk: OpenAI, lines: Line[]): Promise<string> {
  const text = lines.map((line) => JSON.stringify(line)).join('\n') + '\n';
  return (await sdk.files.create({ file: new File([text], 'batch.jsonl'), purpose: 'batch' })).id;
}

/**
 * A line's sure worst case (its lines run at once upstream): its bytes in (the window for an image or hosted tool),
 * its cap out, else the model's context window (128,000 tokens for gpt-4o and gpt-4o-mini in the price data).
 */
function worstCase(lines: Line[]): Map<string, { input: number; output: number }> {
  const byModel = new Map<string, { input: number; output: number }>();
  for (const line of lines) {
    const model = line.body.model as string;
    const window = contextWindowOf(upstream.baseUrl, model)!;
    const sum = byModel.get(model) ?? { input: 0, output: 0 };
    sum.input += Buffer.byteLength(JSON.stringify(line)) + (bringsUnsizedInput(line.body) ? window : 0);
    sum.output += typeof line.body.max_tokens === 'number' ? line.body.max_tokens : window;
    byModel.set(model, sum);
  }
  return byModel;
}

const createBatch = (sdk: OpenAI, input_file_id: string) => sdk.batches.create({ input_file_id, endpoint: '/v1/chat/completions', completion_window: '24h' });
const batchRequests = () => upstream.requests.filter((request) => request.url.startsWith('/v1/batches'));
/** Lets the proxy settle the answer and write it (the write batcher commits once per event-loop turn). */
const settled = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('a batch counts its lines against budgets in dollars and tokens', () => {
  it('refuses, without forwarding, a batch whose lines cost more than the USD budget left', async () => {
    const { id, sdk } = await issue([{ metric: 'usd', limit: 5, window: 'total' }]);
    // 200 gpt-4o lines without a cap: each may write up to gpt-4o's 128,000-token window, $1.28 at its price.
    const lines = Array.from({ length: 200 }, (_, index) => chatLine(index, 'gpt-4o'));
    const fileId = await upload(sdk, lines);
    await expect(createBatch(sdk, fileId)).rejects.toMatchObject({ status: 429, code: 'budget_exceeded' });
    expect(batchRequests()).toHaveLength(0);
    await settled();
    expect(await spent(id, 'usd')).toBe(0);
  });

  it('reserves the priced sum of its lines\' worst cases per model, which its answer (no usage yet) does not settle', async () => {
    const { id, sdk } = await issue([{ metric: 'usd', limit: 5, window: 'total' }]);
    const lines = [
      ...Array.from({ length: 40 }, (_, index) => chatLine(index, 'gpt-4o', { max_tokens: 2000 })),
      ...Array.from({ length: 3 }, (_, index) => chatLine(100 + index, 'gpt-4o-mini')),
    ];
    const fileId = await upload(sdk, lines);
    const expected = [...worstCase(lines)].reduce((sum, [model, tokens]) => sum + priceTokens(model, tokens, upstream.baseUrl)!, 0);
    expect(expected).toBeGreaterThan(0.5);
    await createBatch(sdk, fileId);
    expect(batchRequests()).toHaveLength(1);
    await settled();
    // The answer's usage (zeros, as a batch starts) does not settle it: the lines' worst case stands.
    expect(await spent(id, 'usd')).toBeCloseTo(expected, 9);
    // Its usage row shows that charge as its cost, so the Usage screen's totals include it.
    const rows = await fx.call<UsageEntry[]>('usage:list', { subkeyId: id });
    expect(rows.find((row) => row.path === '/v1/batches')?.costUsd).toBeCloseTo(expected, 9);
  });

  it('reserves the summed tokens of its lines under a tokens budget, and refuses a batch that does not fit', async () => {
    const lines = [chatLine(1, 'gpt-4o', { max_tokens: 300 }), chatLine(2, 'gpt-4o-mini', { max_tokens: 200 }), chatLine(3, 'gpt-4o-mini')];
    const tokens = [...worstCase(lines).values()].reduce((sum, tally) => sum + tally.input + tally.output, 0);
    const { id, sdk } = await issue([{ metric: 'tokens', limit: tokens + 100, window: 'total' }]);
    const fileId = await upload(sdk, lines);
    await createBatch(sdk, fileId);
    await settled();
    expect(await spent(id, 'tokens')).toBe(tokens);
    // The same file again would pass the limit.
    await expect(createBatch(sdk, fileId)).rejects.toMatchObject({ status: 429, code: 'budget_exceeded' });
    expect(batchRequests()).toHaveLength(1);
    // The store keeps the estimate for after a restart: per model, the lines without a cap, and those that bring input
    // by reference, counted apart.
    const stored = fx.core.db.prepare('SELECT estimate FROM batch_files WHERE file_id = ?').pluck().get(fileId) as string;
    const shares = worstCase(lines);
    const estimateOf = (line: Line) => Math.ceil(Buffer.byteLength(JSON.stringify(line)) / 4);
    expect(JSON.parse(stored)).toEqual([
      { model: 'gpt-4o', input: estimateOf(lines[0]!), output: 300, uncapped: 0, bytes: shares.get('gpt-4o')!.input, unsized: 0 },
      { model: 'gpt-4o-mini', input: estimateOf(lines[1]!) + estimateOf(lines[2]!), output: 200, uncapped: 1, bytes: shares.get('gpt-4o-mini')!.input, unsized: 0 },
    ]);
  });

  it('refuses a batch larger than a tokens-per-minute limit, as an HTTP request of that size', async () => {
    const { sdk } = await issue([], { tokensPerMinute: 10_000 });
    const fileId = await upload(sdk, Array.from({ length: 5 }, (_, index) => chatLine(index, 'gpt-4o-mini')));
    await expect(createBatch(sdk, fileId)).rejects.toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
    expect(batchRequests()).toHaveLength(0);
  });

  it('refuses with price_unknown, naming it, a batch with a line on a model that has no price under a USD budget', async () => {
    const { sdk } = await issue([{ metric: 'usd', limit: 5, window: 'total' }]);
    const fileId = await upload(sdk, [chatLine(1, 'gpt-4o-mini'), chatLine(2, 'house-model-7b')]);
    const refusal = createBatch(sdk, fileId);
    await expect(refusal).rejects.toMatchObject({ status: 403, code: 'price_unknown' });
    await expect(refusal).rejects.toThrow(/house-model-7b/);
    expect(batchRequests()).toHaveLength(0);
  });
});

describe('a batch whose lines turn on a tool billed per call', () => {
  it('is refused with price_unknown, naming the tool, under a USD budget, and made for a key with a tokens budget', async () => {
    const lines = [chatLine(1, 'gpt-4o-mini'), { custom_id: 'line-2', method: 'POST' as const, url: '/v1/responses', body: { model: 'gpt-4o-mini', input: 'news?', tools: [{ type: 'web_search_preview' }] } }];
    const dollars = await issue([{ metric: 'usd', limit: 5, window: 'total' }]);
    const refusal = createBatch(dollars.sdk, await upload(dollars.sdk, lines));
    await expect(refusal).rejects.toMatchObject({ status: 403, code: 'price_unknown' });
    await expect(refusal).rejects.toThrow(/"web_search_preview" is billed per call/);
    expect(batchRequests()).toHaveLength(0);
    const tokens = await issue([{ metric: 'tokens', limit: 1_000_000, window: 'total' }]);
    await createBatch(tokens.sdk, await upload(tokens.sdk, lines));
    expect(batchRequests()).toHaveLength(1);
  });
});

describe('a batch input file read before Keygate kept estimates', () => {
  /** The rows an older Keygate wrote for an upload: the file's owner, and its summary without an estimate. */
  function oldUpload(subkeyId: string): string {
    const fileId = `file-old-${++counter}`;
    fx.core.db.prepare("INSERT INTO objects (id, subkey_id, kind, created_at) VALUES (?, ?, 'file', 1)").run(fileId, subkeyId);
    fx.core.db
      .prepare("INSERT INTO batch_files (file_id, subkey_id, line_count, models, endpoints, readable) VALUES (?, ?, 3, '[\"gpt-4o\"]', '[\"/v1/chat/completions\"]', 1)")
      .run(fileId, subkeyId);
    return fileId;
  }

  it('is refused for a key with a USD or tokens budget (fail closed), and still makes a batch for a key without', async () => {
    for (const budget of [{ metric: 'usd', limit: 5, window: 'total' }, { metric: 'tokens', limit: 1_000_000, window: 'month' }] as Budget[]) {
      const { id, sdk } = await issue([budget]);
      const refusal = createBatch(sdk, oldUpload(id));
      await expect(refusal).rejects.toMatchObject({ status: 403, code: 'batch_input_not_allowed' });
      await expect(refusal).rejects.toThrow(/upload the file again/);
    }
    expect(batchRequests()).toHaveLength(0);

    const { id, sdk } = await issue([{ metric: 'requests', limit: 10, window: 'total' }]);
    await createBatch(sdk, oldUpload(id));
    expect(batchRequests()).toHaveLength(1);
    await settled();
    expect(await spent(id, 'requests')).toBe(3);
  });
});

describe('a batch line is checked as a request to its url would be', () => {
  async function restricted(): Promise<OpenAI> {
    const issued = await fx.call<IssuedSubkey>('subkeys:create', { name: 'mini only', upstreamId: openAi.id, allowModels: ['gpt-4o-mini'] });
    return client(issued.secret);
  }

  it('refuses, without forwarding, a batch whose line names a forbidden model at a nested place (a Responses tool)', async () => {
    const sdk = await restricted();
    const line: Line = { custom_id: 'a', method: 'POST', url: '/v1/responses', body: { model: 'gpt-4o-mini', input: 'draw', tools: [{ type: 'image_generation', model: 'gpt-image-1' }] } };
    const fileId = await upload(sdk, [line]);
    const error = (await sdk.batches.create({ input_file_id: fileId, endpoint: '/v1/responses', completion_window: '24h' }).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(403);
    expect(error.code).toBe('model_not_allowed');
    expect(error.message).toContain('gpt-image-1');
    expect(batchRequests()).toHaveLength(0);
  });

  it('refuses, without forwarding, a batch whose line gives its model twice (checked one way, run another)', async () => {
    const sdk = await restricted();
    const text = '{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"o1-pro","model":"gpt-4o-mini","messages":[]}}\n';
    const fileId = (await sdk.files.create({ file: new File([text], 'batch.jsonl'), purpose: 'batch' })).id;
    const error = (await createBatch(sdk, fileId).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(403);
    expect(error.code).toBe('batch_input_not_allowed');
    expect(batchRequests()).toHaveLength(0);
  });
});

describe('a batch is settled to the usage its finished object shows', () => {
  /** Batches answered as OpenAI does: created validating, then as `states` says on retrieval and cancel. */
  function batchUpstream(states: Map<string, { status: string; usage: { input_tokens: number; output_tokens: number } }>): void {
    const previous = upstream.respond;
    upstream.respond = (request, response) => {
      const match = /^\/v1\/batches\/([^/?]+)(\/cancel)?/.exec(request.url);
      if (!match) return previous!(request, response);
      const state = states.get(match[1]!) ?? { status: 'in_progress', usage: { input_tokens: 0, output_tokens: 0 } };
      const usage = { ...state.usage, total_tokens: state.usage.input_tokens + state.usage.output_tokens };
      const text = JSON.stringify({ id: match[1], object: 'batch', endpoint: '/v1/chat/completions', status: match[2] ? 'cancelling' : state.status, usage });
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      response.end(text);
    };
  }

  it('once, when a retrieval shows it completed, priced at the dearest model its lines name', async () => {
    const { id, sdk } = await issue([{ metric: 'usd', limit: 50, window: 'total' }, { metric: 'tokens', limit: 10_000_000, window: 'total' }]);
    const states = new Map<string, { status: string; usage: { input_tokens: number; output_tokens: number } }>();
    batchUpstream(states);
    const lines = [chatLine(1, 'gpt-4o-mini'), chatLine(2, 'gpt-4o', { max_tokens: 500 })];
    const batch = await createBatch(sdk, await upload(sdk, lines));
    await settled();
    const held = await spent(id, 'usd');
    expect(held).toBeCloseTo([...worstCase(lines)].reduce((sum, [model, tokens]) => sum + priceTokens(model, tokens, upstream.baseUrl)!, 0), 9);

    // Running: its usage so far is not final.
    states.set(batch.id, { status: 'in_progress', usage: { input_tokens: 10, output_tokens: 10 } });
    await sdk.batches.retrieve(batch.id);
    await settled();
    expect(await spent(id, 'usd')).toBeCloseTo(held, 9);

    states.set(batch.id, { status: 'completed', usage: { input_tokens: 2_000, output_tokens: 700 } });
    await sdk.batches.retrieve(batch.id);
    await sdk.batches.retrieve(batch.id);
    await settled();
    const actual = priceTokens('gpt-4o', { input: 2_000, output: 700 }, upstream.baseUrl)!;
    expect(await spent(id, 'usd')).toBeCloseTo(actual, 9);
    expect(await spent(id, 'tokens')).toBe(2_700);
    const row = (await fx.call<UsageEntry[]>('usage:list', { subkeyId: id })).find((entry) => entry.path === '/v1/batches')!;
    expect(row.costUsd).toBeCloseTo(actual, 9);
    expect(row.totalTokens).toBe(2_700);
  });

  it('when it was cancelled: the cancel answers "cancelling", a later retrieval the usage of the lines that ran', async () => {
    const { id, sdk } = await issue([{ metric: 'tokens', limit: 10_000_000, window: 'total' }]);
    const states = new Map<string, { status: string; usage: { input_tokens: number; output_tokens: number } }>();
    batchUpstream(states);
    const batch = await createBatch(sdk, await upload(sdk, [chatLine(1, 'gpt-4o-mini'), chatLine(2, 'gpt-4o-mini')]));
    states.set(batch.id, { status: 'cancelled', usage: { input_tokens: 40, output_tokens: 60 } });
    await sdk.batches.cancel(batch.id);
    await settled();
    expect(await spent(id, 'tokens')).toBeGreaterThan(256_000);
    await sdk.batches.retrieve(batch.id);
    await settled();
    expect(await spent(id, 'tokens')).toBe(100);
  });
});
