import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { priceTokens } from '../../electron/core/budgets/prices';
import type { SubkeyState, UpstreamState } from '../../electron/core/proxy/key-cache';
import { ResponseContexts } from '../../electron/core/proxy/response-contexts';
import { SocketSpend, tokenCounts } from '../../electron/core/proxy/ws-spend';
import { openDatabase, type Database } from '../../electron/core/store/database';
import { putCustomPrice } from '../../electron/core/store/prices-repo';
import { insertUpstream, testSecretBox } from '../helpers/proxy-fixtures';

let dir: string;
let db: Database;
let upstream: UpstreamState;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keygate-ws-spend-'));
  db = openDatabase(join(dir, 'k.db'));
  const baseUrl = 'https://api.openai.com/v1';
  // Only what pricing reads: the upstream's id (custom prices) and base URL (the price data's provider).
  upstream = { id: insertUpstream(db, testSecretBox(), { baseUrl, apiKey: 'sk-x' }), baseUrl } as UpstreamState;
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const usdKey = { id: 'k', budgets: [{ metric: 'usd', limit: 1, window: 'day' }] } as unknown as SubkeyState;
const frame = (value: Record<string, unknown>) => ({ value, bytes: Buffer.byteLength(JSON.stringify(value)) });

describe('token counts from a WebSocket usage object', () => {
  it('reads the Realtime shape: audio, cached and cached audio input, audio output', () => {
    const counts = tokenCounts({
      total_tokens: 130,
      input_tokens: 100,
      output_tokens: 30,
      input_token_details: { text_tokens: 40, audio_tokens: 60, cached_tokens: 50, cached_tokens_details: { text_tokens: 20, audio_tokens: 30 } },
      output_token_details: { text_tokens: 10, audio_tokens: 20 },
    });
    expect(counts).toEqual({ input: 100, cachedInput: 50, output: 30, inputAudio: 60, cachedAudio: 30, outputAudio: 20, reasoning: 0, total: 130 });
  });

  it('reads the Responses shape: cached input and reasoning output, reasoning clamped to the output', () => {
    const usage = { input_tokens: 40, output_tokens: 30, input_tokens_details: { cached_tokens: 32 }, output_tokens_details: { reasoning_tokens: 16 } };
    expect(tokenCounts(usage)).toMatchObject({ input: 40, cachedInput: 32, output: 30, reasoning: 16, total: 70 });
    expect(tokenCounts({ ...usage, output_tokens_details: { reasoning_tokens: 99 } })).toMatchObject({ reasoning: 30 });
  });

  it('clamps parts that exceed their totals, so the price library prices what upstream reported instead of throwing', () => {
    const counts = tokenCounts({ input_tokens: 20, output_tokens: 10, input_token_details: { cached_tokens: 15, audio_tokens: 12 }, output_token_details: { audio_tokens: 99 } })!;
    // 15 cached and 12 audio of 20 overlap by at least 7; output audio cannot exceed the output.
    expect(counts).toMatchObject({ cachedInput: 15, inputAudio: 12, cachedAudio: 7, outputAudio: 10 });
    expect(priceTokens('gpt-realtime', counts, upstream.baseUrl)).toBeGreaterThan(0);
    expect(tokenCounts({ foo: 1 })).toBeNull();
    expect(tokenCounts(null)).toBeNull();
  });
});

describe('what a Responses-mode response reserves', () => {
  it('estimates the frame as a POST /v1/responses body, plus the response or conversation it continues when one was seen to end', () => {
    const contexts = new ResponseContexts();
    const spend = new SocketSpend('responses', db, upstream, contexts);
    const first = { type: 'response.create', model: 'gpt-4o', input: 'hi', max_output_tokens: 100 };
    expect(spend.responseAmounts(usdKey, frame(first), 'gpt-4o').tokens).toBe(Math.ceil(frame(first).bytes / 4) + 100);
    spend.noteUsage('resp_1', { input_tokens: 700, output_tokens: 300, total_tokens: 1000 });
    const next = { type: 'response.create', model: 'gpt-4o', previous_response_id: 'resp_1', input: 'and?', max_output_tokens: 100 };
    expect(spend.responseAmounts(usdKey, frame(next), 'gpt-4o').tokens).toBe(Math.ceil(frame(next).bytes / 4) + 1000 + 100);
    const unknown = { ...next, previous_response_id: 'resp_elsewhere' };
    expect(spend.responseAmounts(usdKey, frame(unknown), 'gpt-4o').tokens).toBe(Math.ceil(frame(unknown).bytes / 4) + 100);
    // Another socket's (or an HTTP request's) response in a conversation: the conversation's context is its size.
    new SocketSpend('responses', db, upstream, contexts).noteUsage('resp_2', { input_tokens: 4000, output_tokens: 500 }, { id: 'conv_1' });
    const inConversation = { type: 'response.create', model: 'gpt-4o', conversation: 'conv_1', input: 'more', max_output_tokens: 100 };
    expect(spend.responseAmounts(usdKey, frame(inConversation), 'gpt-4o').tokens).toBe(Math.ceil(frame(inConversation).bytes / 4) + 4500 + 100);
    expect(contexts.of({ previous_response_id: 'resp_2' })).toBe(4500);
  });
});

describe('what a Realtime response reserves', () => {
  it("takes the response's cap, else the session's, else the settings' default; \"inf\" means the default", () => {
    const spend = new SocketSpend('realtime', db, upstream, new ResponseContexts());
    const tokens = (value: Record<string, unknown>) => spend.responseAmounts(usdKey, frame(value), 'gpt-realtime').tokens - Math.ceil(frame(value).bytes / 4);
    expect(tokens({ type: 'response.create' })).toBe(4096);
    spend.noteSessionUpdate({ type: 'session.update', session: { max_output_tokens: 300 } });
    expect(tokens({ type: 'response.create' })).toBe(300);
    expect(tokens({ type: 'response.create', response: { max_output_tokens: 20 } })).toBe(20);
    expect(tokens({ type: 'response.create', response: { max_response_output_tokens: 'inf' } })).toBe(4096);
  });

  it('prices the cap as audio unless the response can only answer in text, and refuses to guess a price', () => {
    const spend = new SocketSpend('realtime', db, upstream, new ResponseContexts());
    const value = { type: 'response.create', response: { max_output_tokens: 1000 } };
    const input = Math.ceil(frame(value).bytes / 4);
    expect(spend.responseAmounts(usdKey, frame(value), 'gpt-realtime').usd).toBeCloseTo(input * 4e-6 + 1000 * 64e-6, 12);
    spend.noteSessionUpdate({ type: 'session.update', session: { output_modalities: ['text'] } });
    expect(spend.responseAmounts(usdKey, frame(value), 'gpt-realtime').usd).toBeCloseTo(input * 4e-6 + 1000 * 16e-6, 12);
    expect(spend.responseAmounts(usdKey, frame(value), 'my-local-voice').usd).toBeNull();
    // No model known at all (none claimed, none reported by upstream): no price either, never $0.
    expect(spend.responseAmounts(usdKey, frame(value), spend.modelFor(null)).usd).toBeNull();
    spend.noteServerSession({ model: 'gpt-realtime' });
    expect(spend.modelFor(null)).toBe('gpt-realtime');
  });

  it("prices a custom-priced model's audio at its text rates", () => {
    putCustomPrice(db, { upstreamId: upstream.id, model: 'my-local-voice', inputPerMillion: 1, cachedInputPerMillion: null, outputPerMillion: 2 });
    const spend = new SocketSpend('realtime', db, upstream, new ResponseContexts());
    const usage = { input_tokens: 100, output_tokens: 50, input_token_details: { audio_tokens: 80 }, output_token_details: { audio_tokens: 50 } };
    expect(spend.usageAmounts('my-local-voice', usage, true)).toEqual({ requests: 1, tokens: 150, usd: (100 * 1 + 50 * 2) / 1e6 });
  });

  it('prices nothing for a key without a budget in dollars: the tokens settle, the dollars are 0', () => {
    const spend = new SocketSpend('realtime', db, upstream, new ResponseContexts());
    const usage = { input_tokens: 100, output_tokens: 50 };
    // A model without a price would settle as null (charge the reservation) if it were priced.
    expect(spend.usageAmounts('my-unpriced-voice', usage, true)?.usd).toBeNull();
    expect(spend.usageAmounts('my-unpriced-voice', usage, false)).toEqual({ requests: 1, tokens: 150, usd: 0 });
  });
});

describe('the sure worst case a response holds while its key has another estimate in flight', () => {
  it('bounds a Responses frame as its HTTP body: its bytes in, or the context window for earlier work, its cap out', () => {
    const spend = new SocketSpend('responses', db, upstream, new ResponseContexts());
    const text = { type: 'response.create', model: 'gpt-4o', input: 'hi', max_output_tokens: 100 };
    const bound = spend.responseAmounts(usdKey, frame(text), 'gpt-4o').bound!();
    expect(bound.tokens).toBe(frame(text).bytes + 100);
    expect(bound.usd).toBeCloseTo(priceTokens('gpt-4o', { input: frame(text).bytes, output: 100 }, upstream.baseUrl)!, 12);
    const continued = { ...text, previous_response_id: 'resp_elsewhere' };
    // gpt-4o's window is 128,000 tokens in the price data.
    expect(spend.responseAmounts(usdKey, frame(continued), 'gpt-4o').bound!().tokens).toBe(128_000 + 100);
  });

  it('bounds a Realtime response by the whole window, in audio, and its cap (else the window) out', () => {
    const spend = new SocketSpend('realtime', db, upstream, new ResponseContexts());
    const model = 'gpt-4o-realtime-preview';
    const capped = { type: 'response.create', response: { max_output_tokens: 200 } };
    const bound = spend.responseAmounts(usdKey, frame(capped), model).bound!();
    const window = bound.tokens - 200;
    expect(window).toBeGreaterThan(10_000);
    expect(bound.usd).toBeCloseTo(priceTokens(model, { input: window, inputAudio: window, output: 200, outputAudio: 200 }, upstream.baseUrl)!, 12);
    expect(spend.responseAmounts(usdKey, frame({ type: 'response.create' }), model).bound!().tokens).toBe(2 * window);
  });
});
