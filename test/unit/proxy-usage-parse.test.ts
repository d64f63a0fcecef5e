import { describe, expect, it } from 'vitest';
import { extractUsage, InjectedUsageFilter, JsonUsageSniffer, normalizeUsage, SseUsageSniffer } from '../../electron/core/proxy/usage-parse';
import { chatStreamEvents } from '../helpers/stand-in-upstream';

const bytes = (text: string): Buffer => Buffer.from(text);

describe('normalizeUsage', () => {
  it('reads chat and Responses API spellings, and derives a missing total', () => {
    expect(normalizeUsage({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 })).toEqual({ promptTokens: 3, completionTokens: 4, totalTokens: 7 });
    expect(normalizeUsage({ input_tokens: 3, output_tokens: 4 })).toEqual({ promptTokens: 3, completionTokens: 4, totalTokens: 7 });
    expect(normalizeUsage({ prompt_tokens: 5, total_tokens: 5 })).toEqual({ promptTokens: 5, completionTokens: null, totalTokens: 5 });
    expect(normalizeUsage({ prompt_tokens: -1, total_tokens: 'x' })).toBeNull();
    expect(normalizeUsage(null)).toBeNull();
  });
});

describe('extractUsage', () => {
  it('finds the top-level usage object, skipping usage inside strings and null usage', () => {
    const body = JSON.stringify({ choices: [{ message: { content: 'say "usage":{"prompt_tokens":999}' } }], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3, details: { a: '}' } } });
    expect(extractUsage(bytes(body))).toEqual({ promptTokens: 1, completionTokens: 2, totalTokens: 3 });
    expect(extractUsage(bytes('{"usage":null}'))).toBeNull();
    expect(extractUsage(bytes('{"usage": {"input_tokens": 2, "output_tokens": 1}}'))).toEqual({ promptTokens: 2, completionTokens: 1, totalTokens: 3 });
    expect(extractUsage(bytes('{"usage":{"prompt_tokens":1'))).toBeNull();
  });
});

describe('JsonUsageSniffer', () => {
  it('reads usage across chunks and from the tail of a long body', () => {
    const sniffer = new JsonUsageSniffer(64);
    const body = bytes(`{"data":"${'x'.repeat(500)}","usage":{"prompt_tokens":4,"total_tokens":4}}`);
    for (let at = 0; at < body.length; at += 10) sniffer.push(body.subarray(at, at + 10));
    expect(sniffer.result()).toEqual({ promptTokens: 4, completionTokens: null, totalTokens: 4 });
  });
});

describe('SseUsageSniffer', () => {
  it('reads the usage chunk of a chat stream split at every byte', () => {
    const stream = bytes(chatStreamEvents('m', true).join(''));
    const sniffer = new SseUsageSniffer();
    for (let at = 0; at < stream.length; at++) sniffer.push(stream.subarray(at, at + 1));
    expect(sniffer.result()).toEqual({ promptTokens: 11, completionTokens: 7, totalTokens: 18 });
  });

  it('knows nothing when no line carries usage', () => {
    const sniffer = new SseUsageSniffer();
    sniffer.push(bytes(chatStreamEvents('m', false).join('')));
    expect(sniffer.result()).toBeNull();
  });
});

describe('InjectedUsageFilter', () => {
  it('turns an include_usage stream into exactly the stream without it, whatever the chunking', () => {
    const withUsage = bytes(chatStreamEvents('m', true).join(''));
    const expected = chatStreamEvents('m', false).join('');
    for (const size of [1, 3, 17, withUsage.length]) {
      const filter = new InjectedUsageFilter();
      let out = '';
      for (let at = 0; at < withUsage.length; at += size) out += filter.push(withUsage.subarray(at, at + size));
      out += filter.end();
      expect(out, `chunks of ${size}`).toBe(expected);
      expect(filter.result()).toEqual({ promptTokens: 11, completionTokens: 7, totalTokens: 18 });
    }
  });

  it('does not hold a stream that never completes an event', () => {
    const filter = new InjectedUsageFilter(64);
    expect(filter.push(bytes('x'.repeat(40)))).toBe('');
    expect(filter.push(bytes('y'.repeat(40)))).toBe('x'.repeat(40) + 'y'.repeat(40));
  });

  it('leaves events without usage untouched (CRLF framing included)', () => {
    const filter = new InjectedUsageFilter();
    const text = 'event: ping\r\ndata: {}\r\n\r\n';
    expect(filter.push(bytes(text)) + filter.end()).toBe(text);
  });
});

describe('normalizeUsage token details', () => {
  it('reads cached and reasoning tokens in both spellings, and leaves them out when not reported', () => {
    expect(
      normalizeUsage({ prompt_tokens: 9, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 4 }, completion_tokens_details: { reasoning_tokens: 2 } }),
    ).toEqual({ promptTokens: 9, completionTokens: 5, totalTokens: 14, cachedTokens: 4, reasoningTokens: 2 });
    expect(normalizeUsage({ input_tokens: 9, output_tokens: 5, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 3 } })).toEqual({
      promptTokens: 9,
      completionTokens: 5,
      totalTokens: 14,
      cachedTokens: 0,
      reasoningTokens: 3,
    });
    expect(normalizeUsage({ prompt_tokens: 1, completion_tokens: 1, prompt_tokens_details: { cached_tokens: -1 } })).not.toHaveProperty('cachedTokens');
  });
});
