import { describe, expect, it } from 'vitest';
import { BatchFileScan } from '../../electron/core/proxy/batch-files';

const line = (model: unknown, url: unknown = '/v1/chat/completions') => JSON.stringify({ custom_id: 'x', method: 'POST', url, body: { model } });

describe('BatchFileScan', () => {
  it('reads lines split across chunks, ignoring blank lines and a missing final newline', () => {
    const text = Buffer.from(`${line('gpt-4o')}\n\n${line('gpt-4o-mini', '/v1/responses')}\r\n${line('gpt-4o')}`);
    const scan = new BatchFileScan();
    scan.startFile();
    for (let at = 0; at < text.length; at += 7) scan.push(text.subarray(at, at + 7));
    expect(scan.result()).toEqual({ lines: 3, models: ['gpt-4o', 'gpt-4o-mini'], endpoints: ['/v1/chat/completions', '/v1/responses'], readable: true });
  });

  it('marks a file unreadable when a line is not a request with a url and a model, or when the form has two files', () => {
    for (const bad of ['not json', line(null), line('gpt-4o', 5), '[]']) {
      const scan = new BatchFileScan();
      scan.startFile();
      scan.push(Buffer.from(`${line('gpt-4o')}\n${bad}\n`));
      expect(scan.result(), bad).toMatchObject({ lines: 2, readable: false });
    }
    const two = new BatchFileScan();
    two.startFile();
    two.startFile();
    expect(two.result().readable).toBe(false);
  });
});
