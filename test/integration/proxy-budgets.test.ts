import type { ServerResponse } from 'node:http';
import type OpenAI from 'openai';
import { toFile } from 'openai';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { priceTokens } from '../../electron/core/budgets/prices';
import { putCustomPrice } from '../../electron/core/store/prices-repo';
import { writeSetting } from '../../electron/core/store/settings-repo';
import { unrestrictedPermissions } from '../../electron/shared/permissions';
import type { Budget } from '../../electron/shared/types';
import { refusal } from '../helpers/api-refusal';
import { storedSpend, usageRows } from '../helpers/proxy-fixtures';
import { useProxyHarness } from '../helpers/proxy-harness-per-file';
import { chatStreamEvents } from '../helpers/stand-in-upstream';

/** The proxy's clock: pinned, moved by the tests. */
let clock = Date.parse('2026-12-04T10:00:00Z');

const h = useProxyHarness({ now: () => clock });
beforeAll(async () => {
  writeSetting(h.db, 'budgets.timeZone', 'Europe/Berlin');
});
beforeEach(() => {
  clock = Date.parse('2026-12-04T10:00:00Z');
});

function keyWithBudgets(budgets: Budget[]): { id: string; secret: string } {
  const key = h.subkey();
  h.db.prepare('UPDATE subkeys SET budgets = ? WHERE id = ?').run(JSON.stringify(budgets), key.id);
  return key;
}

/** What the store holds as spent: the budget's `spend` rows and what journal rows of requests in flight carry. */
const spendOf = storedSpend;

/** 100 simultaneous chat requests with `body`, each answered after 20 ms with `usage`. */
function hundredAtOnce(secret: string, body: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming, usage: { prompt_tokens: number; completion_tokens: number }) {
  h.upstream.respond = (_request, response) => {
    const answer = JSON.stringify({ id: 'c', object: 'chat.completion', created: 1, model: body.model, choices: [], usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } });
    setTimeout(() => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(answer);
    }, 20);
  };
  const client = h.client(secret);
  return Promise.allSettled(Array.from({ length: 100 }, () => client.chat.completions.create(body)));
}

/** 100 simultaneous gpt-4o chat requests saying "hi" with `extra`, each answered with 60 tokens in and 200 out. */
const hundredHellos = (secret: string, extra: Record<string, unknown>) =>
  hundredAtOnce(secret, { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], ...extra }, { prompt_tokens: 60, completion_tokens: 200 });

/** A key with a budget of 1 M tokens a month, and what that budget had spent when upstream last saw a request. */
function tokensKeySeenByUpstream(): { id: string; client: OpenAI; seen: () => number } {
  const { id, secret } = keyWithBudgets([{ metric: 'tokens', limit: 1_000_000, window: 'month' }]);
  let seenByUpstream = -1;
  h.upstream.respond = () => {
    seenByUpstream = spendOf(h.db, id, 'tokens', 'month');
    return false;
  };
  return { id, client: h.client(secret), seen: () => seenByUpstream };
}

const chat = (client: OpenAI, extra: Record<string, unknown> = {}) =>
  client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], ...extra });

describe('request budgets per window', () => {
  it('refuses the request past a daily budget with 429 budget_exceeded, Retry-After to local midnight and no retry', async () => {
    const { secret } = keyWithBudgets([{ metric: 'requests', limit: 2, window: 'day' }]);
    const client = h.client(secret);
    await chat(client);
    await chat(client);
    const error = await refusal(chat(client));
    expect(error.status).toBe(429);
    expect(error.code).toBe('budget_exceeded');
    // Midnight in Berlin (UTC+1 in December) is 23:00 UTC; the clock says 10:00 UTC.
    expect(error.message).toContain('2 requests a day');
    expect(error.message).toContain('2026-12-04T23:00:00.000Z');
    expect(error.headers?.get('retry-after')).toBe(String(13 * 3600));
    expect(error.headers?.get('x-should-retry')).toBe('false');
    expect(h.upstream.requests).toHaveLength(2);

    clock = Date.parse('2026-12-04T23:00:01Z');
    await chat(client);
    expect(h.upstream.requests).toHaveLength(3);
  });

  it('counts weekly and monthly windows from Monday and the 1st', async () => {
    const { id, secret } = keyWithBudgets([
      { metric: 'requests', limit: 1, window: 'week' },
      { metric: 'requests', limit: 5, window: 'month' },
    ]);
    const client = h.client(secret);
    await chat(client);
    const error = await refusal(chat(client));
    // Friday 4 December: the week ends Monday 7 December 00:00 Berlin.
    expect(error.message).toContain('1 requests a week');
    expect(error.message).toContain('2026-12-06T23:00:00.000Z');
    clock = Date.parse('2026-12-06T23:00:00Z');
    await chat(client);
    await h.settled();
    expect(spendOf(h.db, id, 'requests', 'week')).toBe(2);
    expect(spendOf(h.db, id, 'requests', 'month')).toBe(2);
  });

  it('answers a spent total budget without Retry-After (it never resets)', async () => {
    const { secret } = keyWithBudgets([{ metric: 'requests', limit: 1, window: 'total' }]);
    const client = h.client(secret);
    await chat(client);
    const error = await refusal(chat(client));
    expect(error.code).toBe('budget_exceeded');
    expect(error.message).toContain('1 requests in total');
    expect(error.headers?.get('retry-after')).toBeNull();
  });
});

describe('token budgets: reserve the worst case, settle to usage', () => {
  it('commits the reservation before upstream sees the request, and settles it to the reported usage', async () => {
    const { id, secret } = keyWithBudgets([{ metric: 'tokens', limit: 100_000, window: 'month' }]);
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 100 };
    const reserved = Math.ceil(Buffer.byteLength(JSON.stringify(body)) / 4) + 100;
    let seenByUpstream = -1;
    h.upstream.respond = () => {
      // The upstream stand-in reads the store the moment the request reaches it.
      seenByUpstream = spendOf(h.db, id, 'tokens', 'month');
      return false;
    };
    await h.client(secret).chat.completions.create(body as never);
    expect(seenByUpstream).toBe(reserved);
    await h.settled();
    expect(spendOf(h.db, id, 'tokens', 'month')).toBe(18);
  });

  it('reserves the default output cap (4,096) when the request names none, and refuses what cannot fit', async () => {
    const { secret } = keyWithBudgets([{ metric: 'tokens', limit: 4000, window: 'day' }]);
    const client = h.client(secret);
    const error = await refusal(chat(client));
    expect(error.code).toBe('budget_exceeded');
    expect(error.message).toContain('4000 tokens a day');
    expect(h.upstream.requests).toHaveLength(0);
    await chat(client, { max_completion_tokens: 500 });
    expect(h.upstream.requests).toHaveLength(1);
  });

  it('gives back a reservation that upstream answered non-2xx', async () => {
    const { id, secret } = keyWithBudgets([{ metric: 'tokens', limit: 10_000, window: 'day' }]);
    h.upstream.respond = (_request, response) => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end('{"error":{"message":"boom","type":"server_error","param":null,"code":null}}');
    };
    await refusal(chat(h.client(secret), { max_tokens: 50 }));
    await h.settled();
    expect(spendOf(h.db, id, 'tokens', 'day')).toBe(0);
  });

  it('settles a stream to the usage it reported', async () => {
    const { id, secret } = keyWithBudgets([{ metric: 'tokens', limit: 10_000, window: 'day' }]);
    const stream = await chat(h.client(secret), { stream: true, max_tokens: 50 });
    for await (const chunk of stream as unknown as AsyncIterable<unknown>) void chunk;
    await h.settled();
    expect(spendOf(h.db, id, 'tokens', 'day')).toBe(18);
  });

  it('charges the reservation to a client that leaves a stream before usage arrived', async () => {
    const { id, secret } = keyWithBudgets([{ metric: 'tokens', limit: 10_000, window: 'day' }]);
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 50, stream: true };
    const reserved = Math.ceil(Buffer.byteLength(JSON.stringify({ ...body, stream_options: { include_usage: true } })) / 4) + 50;
    h.upstream.respond = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(chatStreamEvents('gpt-4o-mini', true)[0]);
      // …and never finishes: the client leaves.
    };
    const controller = new AbortController();
    const stream = await h.client(secret).chat.completions.create(body as never, { signal: controller.signal });
    for await (const chunk of stream as unknown as AsyncIterable<unknown>) {
      void chunk;
      controller.abort();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    await h.settled();
    const spent = spendOf(h.db, id, 'tokens', 'day');
    // The proxy reserves for the body it forwards (with include_usage spliced in), within a few bytes of this one.
    expect(spent).toBeGreaterThanOrEqual(reserved - 2);
    expect(spent).toBeLessThanOrEqual(reserved + 2);
    expect(usageRows(h.db).filter((row) => row.subkey_id === id)[0]!.status).toBe(200);
  });
});

describe('USD budgets', () => {
  it('charges the priced usage', async () => {
    const { id, secret } = keyWithBudgets([{ metric: 'usd', limit: 1, window: 'month' }]);
    await chat(h.client(secret), { max_tokens: 20 });
    await h.settled();
    // gpt-4o-mini: $0.15 per million input tokens, $0.60 per million output tokens; the stand-in reports 11 + 7.
    expect(spendOf(h.db, id, 'usd', 'month')).toBeCloseTo(11 * 0.15e-6 + 7 * 0.6e-6, 12);
  });

  it('refuses a model without a price with 403 price_unknown, never charging $0', async () => {
    const { secret } = keyWithBudgets([{ metric: 'usd', limit: 1, window: 'month' }]);
    const error = await refusal(h.client(secret).chat.completions.create({ model: 'my-local-llama', messages: [{ role: 'user', content: 'hi' }] }));
    expect(error.status).toBe(403);
    expect(error.code).toBe('price_unknown');
    expect(error.headers?.get('x-should-retry')).toBe('false');
    expect(h.upstream.requests).toHaveLength(0);
    // A key without a USD budget may use it.
    const plain = keyWithBudgets([{ metric: 'tokens', limit: 100_000, window: 'month' }]);
    await h.client(plain.secret).chat.completions.create({ model: 'my-local-llama', messages: [{ role: 'user', content: 'hi' }] });
    expect(h.upstream.requests).toHaveLength(1);
  });

  it('refuses a transcription on whisper-1 (priced per audio hour, not per token) with 403 price_unknown, never $0', async () => {
    const { secret } = keyWithBudgets([{ metric: 'usd', limit: 5, window: 'month' }]);
    const file = await toFile(Buffer.from('ID3 not really audio'), 'a.mp3', { type: 'audio/mpeg' });
    const error = await refusal(h.client(secret).audio.transcriptions.create({ file, model: 'whisper-1' }));
    expect([error.status, error.code]).toEqual([403, 'price_unknown']);
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('reserves a form by its model: a transcription takes the default output at the model\'s price', async () => {
    const { id, secret } = keyWithBudgets([{ metric: 'usd', limit: 5, window: 'month' }]);
    let seenByUpstream = -1;
    h.upstream.respond = (_request, response) => {
      seenByUpstream = spendOf(h.db, id, 'usd', 'month');
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ text: 'hello', usage: { type: 'tokens', input_tokens: 50, output_tokens: 10, total_tokens: 60 } }));
    };
    const file = await toFile(Buffer.from('ID3 not really audio'), 'a.mp3', { type: 'audio/mpeg' });
    await h.client(secret).audio.transcriptions.create({ file, model: 'gpt-4o-transcribe' });
    expect(seenByUpstream).toBeCloseTo(priceTokens('gpt-4o-transcribe', { input: 0, output: 4096 }, h.upstream.baseUrl)!, 12);
    await h.settled();
    expect(spendOf(h.db, id, 'usd', 'month')).toBeLessThan(seenByUpstream);
  });

  it('does not overspend under concurrency: 100 simultaneous requests on a $0.01 budget', async () => {
    const { id, secret } = keyWithBudgets([{ metric: 'usd', limit: 0.01, window: 'day' }]);
    // Upstream reports more input than the estimate, so every settlement exceeds its reservation a little.
    const results = await hundredHellos(secret, { max_tokens: 200 });
    const ok = results.filter((result) => result.status === 'fulfilled').length;
    const refused = results.filter((result) => result.status === 'rejected' && (result.reason as { code?: string }).code === 'budget_exceeded').length;
    expect(ok + refused).toBe(100);
    expect(ok).toBeGreaterThan(0);
    expect(h.upstream.requests).toHaveLength(ok);
    await h.settled(50);
    const oneRequest = priceTokens('gpt-4o', { input: 60, output: 200 }, h.upstream.baseUrl)!;
    const spent = spendOf(h.db, id, 'usd', 'day');
    expect(spent).toBeCloseTo(ok * oneRequest, 12);
    expect(spent).toBeLessThanOrEqual(0.01 + oneRequest);
  });
});

describe('a budget only held by requests in flight', () => {
  /** Upstream answers nothing until `answer` is called; each request is kept until then. */
  function heldUpstream() {
    const waiting: ServerResponse[] = [];
    const arrived: (() => void)[] = [];
    h.upstream.respond = (_request, response) => {
      waiting.push(response);
      arrived.shift()?.();
    };
    return {
      arrived: () => new Promise<void>((resolve) => (waiting.length > 0 ? resolve() : arrived.push(resolve))),
      answer(status: number, usage = { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 }) {
        const response = waiting.shift()!;
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(status === 200 ? { id: 'c', object: 'chat.completion', created: 1, model: 'gpt-4o', choices: [], usage } : { error: { message: 'overloaded' } }));
      },
    };
  }

  it('refuses with a 429 that says so and may be retried in a second, not that the budget is spent until it resets', async () => {
    // An uncapped gpt-4o request holds its estimate ($0.04 for the default 4,096 output tokens); while it is in flight
    // another holds its sure bound (the whole context window, $1.28 and more), which a $0.50 budget cannot hold.
    const { id, secret } = keyWithBudgets([{ metric: 'usd', limit: 0.5, window: 'day' }]);
    const client = h.client(secret);
    const upstream = heldUpstream();
    const first = chat(client, { model: 'gpt-4o' });
    await upstream.arrived();
    const error = await refusal(chat(client, { model: 'gpt-4o' }));
    expect(error.status).toBe(429);
    expect(error.code).toBe('budget_exceeded');
    expect(error.message).toContain('$0.5 a day');
    expect(error.message).toContain('held by its requests in flight');
    expect(error.headers?.get('retry-after')).toBe('1');
    expect(error.headers?.get('x-should-retry')).toBeNull();
    upstream.answer(200);
    await first;
    // Settled at its usage (10 tokens), the first leaves room: the same request goes through now.
    const again = chat(client, { model: 'gpt-4o' });
    await upstream.arrived();
    upstream.answer(200);
    await again;
    await h.settled();
    expect(spendOf(h.db, id, 'usd', 'day')).toBeCloseTo(2 * priceTokens('gpt-4o', { input: 5, output: 5 }, h.upstream.baseUrl)!, 12);
  });

  it('answers the same before the body is read, and a request budget whose holders fail is free again', async () => {
    const { secret } = keyWithBudgets([{ metric: 'requests', limit: 1, window: 'day' }]);
    const client = h.client(secret);
    const upstream = heldUpstream();
    const first = chat(client);
    await upstream.arrived();
    const held = await refusal(chat(client));
    expect(held.message).toContain('held by its requests in flight');
    expect(held.headers?.get('x-should-retry')).toBeNull();
    // Upstream fails it: a request not answered 2xx gives its hold back.
    upstream.answer(500);
    expect((await refusal(first)).status).toBe(500);
    const second = chat(client);
    await upstream.arrived();
    upstream.answer(200);
    await second;
    // Now the one request a day is spent: final, until local midnight.
    const spent = await refusal(chat(client));
    expect(spent.message).toContain('is spent until 2026-12-04T23:00:00.000Z');
    expect(spent.headers?.get('x-should-retry')).toBe('false');
  });

  it('still count in a window the clock is set back into, though their journal rows are not applied yet', async () => {
    const { secret } = keyWithBudgets([{ metric: 'requests', limit: 1, window: 'day' }]);
    const client = h.client(secret);
    const upstream = heldUpstream();
    // One second before midnight in Berlin: the first request takes 4 December's one request and stays in flight.
    clock = Date.parse('2026-12-04T22:59:59Z');
    const first = chat(client);
    await upstream.arrived();
    // Past midnight a request of 5 December goes through; then the clock is set back (a time sync) into 4 December,
    // whose spend the proxy reads again from the store: there the first request is still only its journal row.
    clock = Date.parse('2026-12-04T23:00:01Z');
    const secondArrived = h.upstream.nextRequest();
    const second = chat(client);
    await secondArrived;
    clock = Date.parse('2026-12-04T22:59:59.500Z');
    const third = await refusal(chat(client));
    expect(third.code).toBe('budget_exceeded');
    expect(third.message).toContain('is spent until 2026-12-04T23:00:00.000Z');
    expect(h.upstream.requests).toHaveLength(2);
    upstream.answer(200);
    upstream.answer(200);
    await Promise.all([first, second]);
  });
});

describe('requests that generate several outputs', () => {
  it('reserve the output cap once per output: n choices, best_of, and a completion\'s list of prompts', async () => {
    const { id, client, seen } = tokensKeySeenByUpstream();
    const inputOf = (body: object) => Math.ceil(Buffer.byteLength(JSON.stringify(body)) / 4);

    const chatBody = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }], n: 3, max_tokens: 100 };
    await client.chat.completions.create(chatBody);
    expect(seen()).toBe(inputOf(chatBody) + 3 * 100);
    await h.settled();
    const before = spendOf(h.db, id, 'tokens', 'month');

    // best_of completions are generated (and billed) server-side, for each prompt of the list.
    const completionBody = { model: 'gpt-3.5-turbo-instruct', prompt: ['one', 'two'], n: 2, best_of: 3, max_tokens: 10 };
    await client.completions.create(completionBody);
    expect(seen() - before).toBe(inputOf(completionBody) + 2 * 3 * 10);
  });

  it('do not overspend under concurrency: 100 simultaneous n=8 requests on a $0.01 budget', async () => {
    const { id, secret } = keyWithBudgets([{ metric: 'usd', limit: 0.01, window: 'day' }]);
    // Eight choices of up to 25 tokens each: upstream bills all 200 (reserving one choice's 25 would overspend 8×).
    const results = await hundredHellos(secret, { n: 8, max_tokens: 25 });
    const ok = results.filter((result) => result.status === 'fulfilled').length;
    expect(ok).toBeGreaterThan(0);
    expect(h.upstream.requests).toHaveLength(ok);
    await h.settled(50);
    const oneRequest = priceTokens('gpt-4o', { input: 60, output: 200 }, h.upstream.baseUrl)!;
    expect(spendOf(h.db, id, 'usd', 'day')).toBeLessThanOrEqual(0.01 + oneRequest);
  });
});

describe('bodies crafted to cost more than their estimate', () => {
  /** 100 simultaneous gpt-4o-mini chat requests with `content`, each answered with `usage`. */
  const hundredCrafted = (secret: string, content: OpenAI.Chat.ChatCompletionUserMessageParam['content'], usage: { prompt_tokens: number; completion_tokens: number }) =>
    hundredAtOnce(secret, { model: 'gpt-4o-mini', messages: [{ role: 'user', content }], max_tokens: 10 }, usage);

  it('cannot overspend under concurrency with images by URL: only one request at a time holds an estimate', async () => {
    const { id, secret } = keyWithBudgets([{ metric: 'usd', limit: 0.1, window: 'day' }]);
    // Twenty image URLs: ~1,000 bytes (an estimate of ~250 tokens), which gpt-4o-mini bills ~100,000 tokens for.
    const images = Array.from({ length: 20 }, (_, index) => ({ type: 'image_url' as const, image_url: { url: `https://images.example/${index}.png` } }));
    const usage = { prompt_tokens: 100_000, completion_tokens: 10 };
    const results = await hundredCrafted(secret, images, usage);
    const ok = results.filter((result) => result.status === 'fulfilled').length;
    expect(ok).toBeGreaterThan(0);
    await h.settled(50);
    const oneRequest = priceTokens('gpt-4o-mini', { input: usage.prompt_tokens, output: usage.completion_tokens }, h.upstream.baseUrl)!;
    // Holding estimates, all 100 fitted the budget at once and settled 100 × $0.015 = $1.50 on a $0.10 budget.
    expect(spendOf(h.db, id, 'usd', 'day')).toBeLessThanOrEqual(0.1 + oneRequest);
    expect(h.upstream.requests.length).toBe(ok);
  });

  it('cannot overspend under concurrency with text dense in tokens: the others hold its bytes, not a quarter', async () => {
    const { id, secret } = keyWithBudgets([{ metric: 'tokens', limit: 20_000, window: 'day' }]);
    const dense = '🜁🜂🜃🜄'.repeat(250);
    const bytes = Buffer.byteLength(dense);
    // As many tokens as bytes, the most text can cost: 4× the estimate.
    const results = await hundredCrafted(secret, dense, { prompt_tokens: bytes, completion_tokens: 10 });
    const ok = results.filter((result) => result.status === 'fulfilled').length;
    expect(ok).toBeGreaterThan(1);
    await h.settled(50);
    expect(spendOf(h.db, id, 'tokens', 'day')).toBeLessThanOrEqual(20_000 + bytes + 10);
  });

  it('reserve the estimate while alone, so sequential use is not refused early', async () => {
    const { id, client, seen } = tokensKeySeenByUpstream();
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: [{ type: 'image_url' as const, image_url: { url: 'https://images.example/a.png' } }] }], max_tokens: 10 };
    for (let index = 0; index < 2; index++) {
      const before = spendOf(h.db, id, 'tokens', 'month');
      await client.chat.completions.create(body);
      expect(seen() - before).toBe(Math.ceil(Buffer.byteLength(JSON.stringify(body)) / 4) + 10);
      await h.settled();
    }
  });
});

describe('work whose cost no answer shows', () => {
  /** A key with `budgets` that sees the owner's objects (so a training file need not be its own). */
  function sharingKey(budgets: Budget[]): { id: string; secret: string } {
    const key = h.subkey({ permissions: { ...unrestrictedPermissions(), shareProjectObjects: true } });
    h.db.prepare('UPDATE subkeys SET budgets = ? WHERE id = ?').run(JSON.stringify(budgets), key.id);
    return key;
  }
  const fineTune = (client: OpenAI) => client.fineTuning.jobs.create({ model: 'gpt-4o-mini-2024-07-18', training_file: 'file-train' });
  const video = (client: OpenAI) => client.videos.create({ model: 'sora-2', prompt: 'a cat' });

  it('is refused under a dollar budget (403 price_unknown, naming it), never forwarded: fine-tuning, videos', async () => {
    const client = h.client(sharingKey([{ metric: 'usd', limit: 100, window: 'month' }]).secret);
    for (const [start, named] of [[fineTune, /a fine-tuning job/], [video, /a video/]] as const) {
      const error = await refusal(start(client));
      expect(error.status).toBe(403);
      expect(error.code).toBe('price_unknown');
      expect(error.message).toMatch(named);
      expect(error.headers?.get('x-should-retry')).toBe('false');
    }
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('is refused under a tokens budget only when it spends tokens: a fine-tuning job is, a video is not', async () => {
    const client = h.client(sharingKey([{ metric: 'tokens', limit: 1_000_000, window: 'month' }]).secret);
    expect((await refusal(fineTune(client))).code).toBe('price_unknown');
    h.upstream.respond = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ id: 'video_1', object: 'video', model: 'sora-2', status: 'queued' }));
    };
    await video(client);
    expect(h.upstream.requests.map((request) => request.url)).toEqual(['/v1/videos']);
  });

  it('goes on for a key with only a request budget', async () => {
    const client = h.client(sharingKey([{ metric: 'requests', limit: 10, window: 'day' }]).secret);
    h.upstream.respond = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ id: 'ftjob-1', object: 'fine_tuning.job', model: 'gpt-4o-mini-2024-07-18', status: 'validating_files' }));
    };
    await fineTune(client);
    expect(h.upstream.requests.map((request) => request.url)).toEqual(['/v1/fine_tuning/jobs']);
  });
});

describe('Responses requests that continue earlier work', () => {
  /** Answers POST /v1/responses as OpenAI does, with the usage `usageOf` gives, and notes what the key had spent then. */
  function respondWith(usageOf: (body: Record<string, unknown>) => { input_tokens: number; output_tokens: number }, seen: number[], key: { id: string; metric: string; window: string }) {
    let counter = 0;
    h.upstream.respond = (request, response) => {
      seen.push(spendOf(h.db, key.id, key.metric, key.window));
      const body = JSON.parse(request.body.toString('utf8')) as Record<string, unknown>;
      const usage = usageOf(body);
      const answer = { id: `resp_${++counter}`, object: 'response', status: 'completed', model: body.model, output: [], conversation: body.conversation ?? null, usage: { ...usage, total_tokens: usage.input_tokens + usage.output_tokens } };
      setTimeout(() => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(answer));
      }, 20);
    };
  }

  it('reserve the context upstream reads again: the previous response\'s input and output, or the conversation\'s', async () => {
    const { id, secret } = keyWithBudgets([{ metric: 'tokens', limit: 10_000_000, window: 'month' }]);
    const seen: number[] = [];
    respondWith(() => ({ input_tokens: 50_000, output_tokens: 2_000 }), seen, { id, metric: 'tokens', window: 'month' });
    const client = h.client(secret);
    const inputOf = (body: object) => Math.ceil(Buffer.byteLength(JSON.stringify(body)) / 4);

    const first = await client.responses.create({ model: 'gpt-4o-mini', input: 'a long document…', max_output_tokens: 100 });
    await h.settled();
    expect(spendOf(h.db, id, 'tokens', 'month')).toBe(52_000);
    const next = { model: 'gpt-4o-mini', input: 'and?', previous_response_id: first.id, max_output_tokens: 100 };
    await client.responses.create(next);
    expect(seen[1]! - 52_000).toBe(inputOf(next) + 52_000 + 100);

    await h.settled();
    await client.responses.create({ model: 'gpt-4o-mini', input: 'start', conversation: 'conv_9', max_output_tokens: 100 });
    await h.settled();
    const before = spendOf(h.db, id, 'tokens', 'month');
    const inConversation = { model: 'gpt-4o-mini', input: 'go on', conversation: { id: 'conv_9' }, max_output_tokens: 100 };
    await client.responses.create(inConversation);
    expect(seen[3]! - before).toBe(inputOf(inConversation) + 52_000 + 100);
  });

  it('do not overspend under concurrency: 20 simultaneous continuations of a long response on a $0.05 budget', async () => {
    const { id, secret } = keyWithBudgets([{ metric: 'usd', limit: 0.05, window: 'day' }]);
    // Each continuation reads the 100,000 tokens of the first response again (about $0.015 on gpt-4o-mini).
    respondWith((body) => ({ input_tokens: body.previous_response_id ? 100_050 : 100_000, output_tokens: 50 }), [], { id, metric: 'usd', window: 'day' });
    const client = h.client(secret);
    const first = await client.responses.create({ model: 'gpt-4o-mini', input: 'a long document…', max_output_tokens: 100 });
    await h.settled();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => client.responses.create({ model: 'gpt-4o-mini', input: 'and?', previous_response_id: first.id, max_output_tokens: 100 })),
    );
    expect(results.some((result) => result.status === 'rejected' && (result.reason as { code?: string }).code === 'budget_exceeded')).toBe(true);
    await h.settled(50);
    const oneRequest = priceTokens('gpt-4o-mini', { input: 100_050, output: 50 }, h.upstream.baseUrl)!;
    expect(spendOf(h.db, id, 'usd', 'day')).toBeLessThanOrEqual(0.05 + oneRequest);
  });
});

describe('answers that report usage the request did not spend', () => {
  it('retrieving a stored response or chat completion charges nothing and logs no tokens, though its answer carries usage', async () => {
    const { id, secret } = keyWithBudgets([{ metric: 'tokens', limit: 1_000_000, window: 'month' }]);
    const usage = { input_tokens: 1000, output_tokens: 500, total_tokens: 1500 };
    h.upstream.respond = (request, response) => {
      const answer = request.url.startsWith('/v1/responses/')
        ? { id: 'resp_old', object: 'response', status: 'completed', model: 'gpt-4o-mini', output: [], usage }
        : { id: 'chatcmpl_old', object: 'chat.completion', created: 1, model: 'gpt-4o-mini', choices: [], usage: { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 } };
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(answer));
    };
    const sdk = h.client(secret);
    h.db.prepare("INSERT INTO objects (id, subkey_id, kind, created_at) VALUES ('resp_old', ?, 'response', 0), ('chatcmpl_old', ?, 'chat_completion', 0)").run(id, id);
    await sdk.responses.retrieve('resp_old');
    await sdk.chat.completions.retrieve('chatcmpl_old');
    await h.settled();
    expect(spendOf(h.db, id, 'tokens', 'month')).toBe(0);
    expect(usageRows(h.db).filter((row) => row.subkey_id === id).map((row) => [row.method, row.status, row.total_tokens])).toEqual([
      ['GET', 200, null],
      ['GET', 200, null],
    ]);
  });
});

describe('background responses', () => {
  /** OpenAI as it answers background work: queued at first, then the response as it stands (usage once it ended). */
  function backgroundUpstream(states: Record<string, { status: string; usage: { input_tokens: number; output_tokens: number } | null }>) {
    h.upstream.respond = (request, response) => {
      const path = request.url.split('?')[0]!;
      const id = path.split('/')[3] ?? 'resp_bg';
      const state = request.method === 'POST' && path === '/v1/responses' ? { status: 'queued', usage: null } : states[id]!;
      const usage = state.usage && { ...state.usage, total_tokens: state.usage.input_tokens + state.usage.output_tokens };
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ id, object: 'response', model: 'gpt-4o-mini', background: true, output: [], ...state, usage }));
    };
  }

  it('are charged their reservation while queued, then the usage a retrieval shows once they finished, once', async () => {
    const { id, secret } = keyWithBudgets([
      { metric: 'tokens', limit: 1_000_000, window: 'month' },
      { metric: 'usd', limit: 5, window: 'month' },
    ]);
    const states: Record<string, { status: string; usage: { input_tokens: number; output_tokens: number } | null }> = { resp_bg: { status: 'in_progress', usage: null } };
    backgroundUpstream(states);
    const sdk = h.client(secret);
    const body = { model: 'gpt-4o-mini', input: 'research this', background: true, max_output_tokens: 100 };
    await sdk.responses.create(body);
    await h.settled();
    // It runs on after its answer: it holds its sure worst case (its bytes in, its cap out), not the estimate.
    const reserved = Buffer.byteLength(JSON.stringify(body)) + 100;
    expect(spendOf(h.db, id, 'tokens', 'month')).toBe(reserved);

    // Still running: nothing to settle yet.
    await sdk.responses.retrieve('resp_bg');
    await h.settled();
    expect(spendOf(h.db, id, 'tokens', 'month')).toBe(reserved);

    states.resp_bg = { status: 'completed', usage: { input_tokens: 30, output_tokens: 5000 } };
    await sdk.responses.retrieve('resp_bg');
    await sdk.responses.retrieve('resp_bg');
    await h.settled();
    expect(spendOf(h.db, id, 'tokens', 'month')).toBe(5030);
    expect(spendOf(h.db, id, 'usd', 'month')).toBeCloseTo(priceTokens('gpt-4o-mini', { input: 30, output: 5000 }, h.upstream.baseUrl)!, 12);
    const rows = usageRows(h.db).filter((row) => row.subkey_id === id);
    expect(rows.map((row) => [row.method, row.total_tokens])).toEqual([
      ['POST', 5030],
      ['GET', null],
      ['GET', null],
      ['GET', null],
    ]);
    expect(rows[0]!.cost_usd).toBeCloseTo(priceTokens('gpt-4o-mini', { input: 30, output: 5000 }, h.upstream.baseUrl)!, 12);
  });

  it('are settled by the answer to their cancel', async () => {
    const { id, secret } = keyWithBudgets([{ metric: 'tokens', limit: 1_000_000, window: 'month' }]);
    backgroundUpstream({ resp_bg: { status: 'cancelled', usage: { input_tokens: 30, output_tokens: 70 } } });
    const sdk = h.client(secret);
    await sdk.responses.create({ model: 'gpt-4o-mini', input: 'research this', background: true });
    await sdk.responses.cancel('resp_bg');
    await h.settled();
    expect(spendOf(h.db, id, 'tokens', 'month')).toBe(100);
  });
});

describe('a body that repeats a member its reservation reads', () => {
  it('is refused with 400 ambiguous_request and not forwarded, however the repeat is spelled; keys whose limits do not read it pass', async () => {
    const budgeted = keyWithBudgets([{ metric: 'tokens', limit: 1_000_000, window: 'month' }]).secret;
    const post = (secret: string, body: string) =>
      fetch(`${h.running.baseURL}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body });
    const head = '"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]';
    // JSON.parse keeps the last copy (10 tokens reserved), a first-wins reader the first (100,000 tokens run).
    for (const body of [
      `{${head},"max_tokens":100000,"max_tokens":10}`,
      `{${head},"max_tokens":100000,"m\u0061x_tokens":10}`,
      `{"n":8,${head},"n":1}`,
      `{${head},"tools":[{"type":"function","function":{"name":"f"}}],"tools":[]}`,
    ]) {
      const answer = await post(budgeted, body);
      expect([body, answer.status, ((await answer.json()) as { error: { code: string } }).error.code]).toEqual([body, 400, 'ambiguous_request']);
    }
    expect(h.upstream.requests).toHaveLength(0);
    // The same member names elsewhere (a value "n", a tool parameter named max_tokens) are not a repeat.
    const nested = `{${head},"max_tokens":10,"tools":[{"type":"function","function":{"name":"n","parameters":{"type":"object","properties":{"max_tokens":{"type":"integer"}}}}}]}`;
    expect((await post(budgeted, nested)).status).toBe(200);
    // A key with only a quota spends one request however the body reads.
    expect((await post(h.subkey().secret, `{${head},"max_tokens":100000,"max_tokens":10}`)).status).toBe(200);
    expect(h.upstream.requests).toHaveLength(2);
  });
});

describe('tools billed per call', () => {
  it('are refused under a USD budget with 403 price_unknown naming the tool, never charged $0; tokens-only tools and other budgets go through', async () => {
    const dollars = h.client(keyWithBudgets([{ metric: 'usd', limit: 5, window: 'month' }]).secret);
    const refusals = [
      dollars.responses.create({ model: 'gpt-4o-mini', input: 'news?', tools: [{ type: 'web_search_preview' }] }),
      dollars.responses.create({ model: 'gpt-4o-mini', input: 'docs?', tools: [{ type: 'function', name: 'f', parameters: {}, strict: false }, { type: 'file_search', vector_store_ids: ['vs_1'] }] }),
      dollars.responses.create({ model: 'gpt-4o-mini', input: 'run', tools: [{ type: 'code_interpreter', container: { type: 'auto' } }] }),
      dollars.responses.create({ model: 'gpt-4o-mini', input: 'draw', tools: [{ type: 'image_generation' }] }),
      chat(dollars, { web_search_options: {} }),
      dollars.chat.completions.create({ model: 'gpt-4o-mini-search-preview', messages: [{ role: 'user', content: 'news?' }] }),
    ];
    const tools: string[] = [];
    for (const pending of refusals) {
      const error = await refusal(pending);
      expect([error.status, error.code]).toEqual([403, 'price_unknown']);
      tools.push(/the tool "([^"]+)"/.exec(error.message)![1]!);
    }
    expect(tools).toEqual(['web_search_preview', 'file_search', 'code_interpreter', 'image_generation', 'web_search', 'web_search']);
    expect(h.upstream.requests).toHaveLength(0);

    await chat(dollars, { tools: [{ type: 'function', function: { name: 'f', parameters: {} } }] });
    const tokens = h.client(keyWithBudgets([{ metric: 'tokens', limit: 100_000, window: 'month' }]).secret);
    await chat(tokens, { web_search_options: {} });
    expect(h.upstream.requests).toHaveLength(2);
  });
});

describe('custom prices', () => {
  it('prices a model the price data does not know from the custom price of its upstream', async () => {
    putCustomPrice(h.db, { upstreamId: h.upstreamId, model: 'my-custom-llama', inputPerMillion: 2, cachedInputPerMillion: null, outputPerMillion: 4 });
    const { id, secret } = keyWithBudgets([{ metric: 'usd', limit: 1, window: 'month' }]);
    await h.client(secret).chat.completions.create({ model: 'my-custom-llama', messages: [{ role: 'user', content: 'hi' }], max_tokens: 10 });
    await h.settled();
    // The stand-in reports 11 input and 7 output tokens.
    expect(spendOf(h.db, id, 'usd', 'month')).toBeCloseTo((11 * 2 + 7 * 4) / 1e6, 12);
  });
});
