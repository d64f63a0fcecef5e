import { describe, expect, it } from 'vitest';
import { boundTokens, bringsUnsizedInput, estimateTokens } from '../../electron/core/budgets/estimate';

const bytesOf = (body: object) => Buffer.byteLength(JSON.stringify(body));

describe('a request\'s sure worst case in tokens (boundTokens)', () => {
  it('reads text input as its bytes, where the estimate reads a quarter of them', () => {
    // Emoji and rare CJK characters cost up to a token per byte: the estimate's bytes / 4 is beaten fourfold.
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🜁🜂🜃 龘龘龘'.repeat(50) }], max_tokens: 10 };
    const bytes = bytesOf(body);
    expect(estimateTokens(body, bytes, 4096)).toEqual({ input: Math.ceil(bytes / 4), output: 10 });
    expect(boundTokens(body, bytes, 128_000)).toEqual({ input: bytes, output: 10 });
  });

  it('takes the whole context window for input the body does not carry: images, files, stored prompts, earlier work', () => {
    const cases: Record<string, unknown>[] = [
      { model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }] },
      { model: 'm', input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'https://x/y.png' }] }] },
      { model: 'm', input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'file-1' }] }] },
      { model: 'm', messages: [{ role: 'user', content: [{ type: 'file', file: { file_data: 'data:application/pdf;base64,AAAA' } }] }] },
      { model: 'm', prompt: { id: 'pmpt_1', version: '2' } },
      { model: 'm', input: [{ type: 'item_reference', id: 'msg_1' }] },
      { model: 'm', input: 'and?', previous_response_id: 'resp_1' },
      { model: 'm', input: 'and?', conversation: 'conv_1' },
      { model: 'm', input: 'find it', tools: [{ type: 'file_search', vector_store_ids: ['vs_1'] }] },
      { model: 'm', input: 'look it up', tools: [{ type: 'function', name: 'f' }, { type: 'web_search_preview' }] },
      { model: 'm', messages: [], web_search_options: {} },
    ];
    for (const body of cases) {
      expect(bringsUnsizedInput(body), JSON.stringify(body)).toBe(true);
      expect(boundTokens(body, bytesOf(body), 128_000).input).toBe(128_000);
    }
    // Text alone, a completion's prompt list, and a null previous_response_id bring nothing unsized.
    for (const body of [
      { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'image_url' }] }] },
      { model: 'm', prompt: ['one', 'two'] },
      { model: 'm', input: 'hi', previous_response_id: null },
      { model: 'm', input: 'hi', tools: [{ type: 'function', name: 'f' }, { type: 'custom', name: 'g' }] },
    ]) {
      expect(bringsUnsizedInput(body), JSON.stringify(body)).toBe(false);
    }
  });

  it('takes the output cap once per output, else the context window, and never more input than the window', () => {
    const capped = { model: 'm', messages: [], n: 3, max_completion_tokens: 50 };
    expect(boundTokens(capped, 10_000, 8_192)).toEqual({ input: 8_192, output: 150 });
    const uncapped = { model: 'm', messages: [], n: 2 };
    expect(boundTokens(uncapped, 100, 8_192)).toEqual({ input: 100, output: 16_384 });
    expect(boundTokens({ messages: [] }, 100, 8_192)).toEqual({ input: 0, output: 0 });
  });
});
