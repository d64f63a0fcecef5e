import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ProxyError } from '../../electron/core/proxy/proxy-error';
import { readBody } from '../../electron/core/proxy/request-body';

/** A request body as the proxy reads it: a stream with headers, whose 'end' comes only when `finish` is called. */
function bodyStream(headers: Record<string, string>): { request: IncomingMessage; stream: PassThrough } {
  const stream = new PassThrough();
  Object.assign(stream, { headers, complete: false });
  return { request: stream as unknown as IncomingMessage, stream };
}

/** Whether `promise` settles within a few turns of the event loop. */
async function settlesSoon(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

describe('readBody', () => {
  it('is done with the last byte of a declared length, before the stream ends', async () => {
    const { request, stream } = bodyStream({ 'content-length': '11' });
    const body = readBody(request, 1000);
    stream.write('{"a":');
    expect(await settlesSoon(body)).toBe(false);
    stream.write('[1,2]}');
    expect(await settlesSoon(body)).toBe(true);
    expect((await body).toString()).toBe('{"a":[1,2]}');
  });

  it('waits for the end of a chunked body', async () => {
    const { request, stream } = bodyStream({ 'transfer-encoding': 'chunked', 'content-length': '2' });
    const body = readBody(request, 1000);
    stream.write('{}');
    expect(await settlesSoon(body)).toBe(false);
    stream.end();
    expect((await body).toString()).toBe('{}');
  });

  it('refuses a body over the limit even when its declared length said otherwise', async () => {
    const { request, stream } = bodyStream({ 'content-length': '4' });
    const body = readBody(request, 3);
    stream.write('{"x"');
    await expect(body).rejects.toBeInstanceOf(ProxyError);
  });
});
