import { describe, expect, it } from 'vitest';
import { BatchFileScan } from '../../electron/core/proxy/batch-files';
import { EndpointTable } from '../../electron/core/proxy/endpoint-table';
import { modelPlacesOf } from '../../electron/core/proxy/model-places';

const table = new EndpointTable();
/** A scan that reads each line's models where a POST to its url names them, as the proxy's does. */
const newScan = () => new BatchFileScan((url) => modelPlacesOf(url.startsWith('/v1/') ? table.match('POST', url.split('?')[0]!.slice(3))?.spec : null));

const line = (model: unknown, url: unknown = '/v1/chat/completions') => JSON.stringify({ custom_id: 'x', method: 'POST', url, body: { model } });

describe('BatchFileScan', () => {
  it('reads lines split across chunks, ignoring blank lines and a missing final newline', () => {
    const text = Buffer.from(`${line('gpt-4o')}\n\n${line('gpt-4o-mini', '/v1/responses')}\r\n${line('gpt-4o')}`);
    const scan = newScan();
    scan.startFile();
    for (let at = 0; at < text.length; at += 7) scan.push(text.subarray(at, at + 7));
    const tokens = (text: string) => Math.ceil(Buffer.byteLength(text) / 4);
    expect(scan.result()).toEqual({
      lines: 3,
      models: ['gpt-4o', 'gpt-4o-mini'],
      endpoints: ['/v1/chat/completions', '/v1/responses'],
      readable: true,
      estimate: [
        { model: 'gpt-4o', input: 2 * tokens(line('gpt-4o')), output: 0, uncapped: 2, bytes: 2 * Buffer.byteLength(line('gpt-4o')), unsized: 0 },
        // Its line ends in \r\n: the carriage return is one of its bytes.
        { model: 'gpt-4o-mini', input: tokens(line('gpt-4o-mini', '/v1/responses') + '\r'), output: 0, uncapped: 1, bytes: Buffer.byteLength(line('gpt-4o-mini', '/v1/responses')) + 1, unsized: 0 },
      ],
    });
  });

  it('sums each model\'s output caps in every spelling, counting the lines without one, and keeps absurd caps finite', () => {
    const capped = (model: string, body: Record<string, unknown>) => JSON.stringify({ custom_id: 'x', method: 'POST', url: '/v1/responses', body: { model, input: 'hi', ...body } });
    const lines = [
      capped('gpt-4o', { max_tokens: 100 }),
      capped('gpt-4o', { max_completion_tokens: 200 }),
      capped('gpt-4o', { max_output_tokens: 300 }),
      capped('gpt-4o', { max_tokens: 0 }),
      capped('o3', { max_output_tokens: 1e300 }),
      capped('o3', { max_output_tokens: 1e300 }),
    ];
    const scan = newScan();
    scan.startFile();
    scan.push(Buffer.from(lines.join('\n')));
    const input = (from: number, to: number) => lines.slice(from, to).reduce((sum, text) => sum + Math.ceil(Buffer.byteLength(text) / 4), 0);
    const bytes = (from: number, to: number) => lines.slice(from, to).reduce((sum, text) => sum + Buffer.byteLength(text), 0);
    expect(scan.result().estimate).toEqual([
      { model: 'gpt-4o', input: input(0, 4), output: 600, uncapped: 1, bytes: bytes(0, 4), unsized: 0 },
      { model: 'o3', input: input(4, 6), output: Number.MAX_SAFE_INTEGER, uncapped: 0, bytes: bytes(4, 6), unsized: 0 },
    ]);
  });

  it('counts every output a line generates: n choices, best_of and a list of prompts, capped or not', () => {
    const request = (url: string, body: Record<string, unknown>) => JSON.stringify({ custom_id: 'x', method: 'POST', url, body });
    const lines = [
      request('/v1/chat/completions', { model: 'gpt-4o', messages: [], n: 4, max_tokens: 100 }),
      request('/v1/chat/completions', { model: 'gpt-4o', messages: [], n: 3 }),
      request('/v1/completions', { model: 'gpt-3.5-turbo-instruct', prompt: ['a', 'b'], n: 2, best_of: 3, max_tokens: 10 }),
      // One prompt given as tokens, and counts upstream would refuse (not more outputs than one).
      request('/v1/completions', { model: 'gpt-3.5-turbo-instruct', prompt: [1, 2, 3], n: 0.5, best_of: -2, max_tokens: 10 }),
    ];
    const scan = newScan();
    scan.startFile();
    scan.push(Buffer.from(lines.join('\n')));
    const input = (from: number, to: number) => lines.slice(from, to).reduce((sum, text) => sum + Math.ceil(Buffer.byteLength(text) / 4), 0);
    const bytes = (from: number, to: number) => lines.slice(from, to).reduce((sum, text) => sum + Buffer.byteLength(text), 0);
    expect(scan.result().estimate).toEqual([
      { model: 'gpt-4o', input: input(0, 2), output: 400, uncapped: 3, bytes: bytes(0, 2), unsized: 0 },
      { model: 'gpt-3.5-turbo-instruct', input: input(2, 4), output: 3 * 2 * 10 + 10, uncapped: 0, bytes: bytes(2, 4), unsized: 0 },
    ]);
  });

  it('counts the lines that bring input they do not carry (an image by URL, a hosted tool)', () => {
    const request = (body: Record<string, unknown>) => JSON.stringify({ custom_id: 'x', method: 'POST', url: '/v1/responses', body: { model: 'gpt-4o', ...body } });
    const scan = newScan();
    scan.startFile();
    scan.push(Buffer.from([request({ input: 'hi' }), request({ input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'https://x/a.png' }] }] }), request({ input: 'find', tools: [{ type: 'web_search_preview' }] })].join('\n')));
    expect(scan.result().estimate).toMatchObject([{ model: 'gpt-4o', unsized: 2 }]);
  });

  it('marks a file unreadable when a line is not a request with a url and a model, or when the form has two files', () => {
    for (const bad of ['not json', line(null), line('gpt-4o', 5), '[]']) {
      const scan = newScan();
      scan.startFile();
      scan.push(Buffer.from(`${line('gpt-4o')}\n${bad}\n`));
      expect(scan.result(), bad).toMatchObject({ lines: 2, readable: false });
    }
    const two = newScan();
    two.startFile();
    two.startFile();
    expect(two.result().readable).toBe(false);
  });

  it('records the models a line names at its endpoint\'s nested places, as a request to it is checked', () => {
    const scan = newScan();
    scan.startFile();
    const body = { model: 'gpt-4o-mini', input: 'draw', tools: [{ type: 'image_generation', model: 'gpt-image-1' }] };
    scan.push(Buffer.from(JSON.stringify({ custom_id: 'a', method: 'POST', url: '/v1/responses', body })));
    const result = scan.result();
    expect(result.readable).toBe(true);
    expect(result.models).toEqual(['gpt-4o-mini', 'gpt-image-1']);
  });

  it('cannot read a line that reads two ways: a repeated model or spending member, body, url or method, a loose spelling', () => {
    const lines = [
      '{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"o1-pro","model":"gpt-4o-mini"}}',
      '{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"o1-pro"},"body":{"model":"gpt-4o-mini"}}',
      '{"custom_id":"a","method":"POST","url":"/v1/embeddings","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini"}}',
      '{"custom_id":"a","method":"POST","url":"/v1/responses","body":{"model":"gpt-4o-mini","tools":[{"type":"image_generation","model":"gpt-image-1","m\\u006fdel":"x"}]}}',
      '{"custom_id":"a","method":"POST","url":"/v1/responses","body":{"model":"gpt-4o-mini","tools":[{"type":"image_generation","Model":"gpt-image-1"}]}}',
      // A cap read last by JSON.parse and first by another reader: the line's bound would be the smaller one.
      '{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","max_tokens":100000,"max_tokens":10,"messages":[]}}',
    ];
    for (const text of lines) {
      const scan = newScan();
      scan.startFile();
      scan.push(Buffer.from(text));
      expect(scan.result().readable, text).toBe(false);
    }
    // The same names elsewhere, once each, read one way.
    const scan = newScan();
    scan.startFile();
    scan.push(Buffer.from('{"custom_id":"model","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","metadata":{"model":"router","n":1,"n":2},"max_tokens":5}}'));
    expect(scan.result()).toMatchObject({ readable: true, models: ['gpt-4o-mini'] });
  });
});
