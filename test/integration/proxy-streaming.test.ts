import { request as httpRequest, type IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { remainingOf, usageRows } from '../helpers/proxy-fixtures';
import { startProxyHarness } from '../helpers/proxy-harness';
import { useProxyHarness } from '../helpers/proxy-harness-per-file';
import { chatStreamEvents, CHAT_USAGE } from '../helpers/stand-in-upstream';

const h = useProxyHarness();

/** The raw bytes the SDK's fetch receives for a streamed chat (collected through its Response object). */
async function streamedBytes(secret: string, body: Record<string, unknown>): Promise<string> {
  const response = await h
    .client(secret)
    .chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true, ...body } as never)
    .asResponse();
  return await response.text();
}

describe('streaming', () => {
  it('streams a chat through the SDK and records usage it asked for itself, without the client seeing it', async () => {
    const { id, secret } = h.subkey({ remainingRequests: 10 });
    const stream = await h.client(secret).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('Hello world ✓');
    expect(chunks.every((chunk) => !('usage' in chunk))).toBe(true);

    const forwarded = JSON.parse(h.upstream.requests[0]!.body.toString()) as { stream_options?: { include_usage?: boolean } };
    expect(forwarded).toEqual({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
    await h.settled(30);
    expect(usageRows(h.db).filter((row) => row.subkey_id === id).at(-1)).toMatchObject({ status: 200, prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 });
    expect(remainingOf(h.db, id)).toBe(9);
  });

  it('delivers byte for byte what upstream sends without include_usage when Keygate added it', async () => {
    const { secret } = h.subkey();
    const received = await streamedBytes(secret, {});
    expect(received).toBe(chatStreamEvents('gpt-4o', false).join(''));
  });

  it('keeps the other stream options when it adds include_usage', async () => {
    const { secret } = h.subkey();
    const received = await streamedBytes(secret, { stream_options: { include_obfuscation: false } });
    expect(received).toBe(chatStreamEvents('gpt-4o', false).join(''));
    const forwarded = JSON.parse(h.upstream.requests[0]!.body.toString()) as { stream_options?: object };
    expect(forwarded.stream_options).toEqual({ include_obfuscation: false, include_usage: true });
  });

  it('passes usage through untouched when the client asked for it', async () => {
    const { id, secret } = h.subkey();
    const received = await streamedBytes(secret, { stream_options: { include_usage: true } });
    expect(received).toBe(chatStreamEvents('gpt-4o', true).join(''));
    await h.settled(30);
    expect(usageRows(h.db).filter((row) => row.subkey_id === id).at(-1)).toMatchObject({ total_tokens: CHAT_USAGE.total_tokens });
  });

  it('keeps the filter exact when events arrive split at arbitrary bytes', async () => {
    const { secret } = h.subkey();
    const whole = Buffer.from(chatStreamEvents('gpt-4o', true).join(''));
    h.upstream.respond = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      let at = 0;
      const next = (): void => {
        if (at >= whole.length) return void response.end();
        // 7-byte pieces split the multi-byte ✓ and the "usage" members.
        response.write(whole.subarray(at, at + 7));
        at += 7;
        setImmediate(next);
      };
      next();
    };
    expect(await streamedBytes(secret, {})).toBe(chatStreamEvents('gpt-4o', false).join(''));
  });

  it('records Responses API usage from response.completed', async () => {
    const { id, secret } = h.subkey();
    const stream = await h.client(secret).responses.create({ model: 'gpt-4o', input: 'hi', stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).toEqual(['response.created', 'response.output_text.delta', 'response.completed']);
    expect(JSON.parse(h.upstream.requests[0]!.body.toString())).not.toHaveProperty('stream_options');
    await h.settled(30);
    expect(usageRows(h.db).filter((row) => row.subkey_id === id).at(-1)).toMatchObject({ prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 });
  });

  it('passes each chunk on as it arrives, not at the end', async () => {
    const { secret } = h.subkey();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    h.upstream.respond = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: {"choices":[{"index":0,"delta":{"content":"first"}}]}\n\n');
      void gate.then(() => response.end('data: [DONE]\n\n'));
    };
    const stream = await h.client(secret).chat.completions.create({ model: 'gpt-4o', messages: [], stream: true, stream_options: { include_usage: true } });
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value?.choices[0]?.delta.content).toBe('first');
    release();
    expect((await iterator.next()).done).toBe(true);
  });

  it('sends the status and headers of a stream before its first event', async () => {
    const { secret } = h.subkey();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    h.upstream.respond = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.flushHeaders();
      void gate.then(() => response.end('data: [DONE]\n\n'));
    };
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      httpRequest(
        { host: '127.0.0.1', port: h.running.port, method: 'POST', path: '/v1/chat/completions', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' } },
        resolve,
      )
        .on('error', reject)
        .end(JSON.stringify({ model: 'gpt-4o', messages: [], stream: true }));
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream');
    release();
    let text = '';
    for await (const chunk of response) text += String(chunk);
    expect(text).toBe('data: [DONE]\n\n');
  });

  it('aborts upstream when the client goes away mid-stream, and still counts the 2xx', async () => {
    const { id, secret } = h.subkey({ remainingRequests: 3 });
    h.upstream.respond = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const timer = setInterval(() => response.write('data: {"choices":[{"index":0,"delta":{"content":"x"}}]}\n\n'), 5);
      response.on('close', () => clearInterval(timer));
    };
    const controller = new AbortController();
    const stream = await h.client(secret).chat.completions.create({ model: 'gpt-4o', messages: [], stream: true }, { signal: controller.signal });
    let seen = 0;
    try {
      for await (const _chunk of stream) {
        if (++seen === 3) {
          controller.abort();
          break;
        }
      }
    } catch {
      // The SDK may end the iteration or throw an abort error: either way the client is gone.
    }
    expect(seen).toBe(3);
    await expect.poll(() => h.upstream.aborted.length, { timeout: 3000 }).toBe(1);
    const lastStatus = (): number | null | undefined => {
      h.running.proxy.flush();
      return usageRows(h.db).filter((row) => row.subkey_id === id).at(-1)?.status;
    };
    await expect.poll(lastStatus, { timeout: 3000 }).toBe(200);
    expect(remainingOf(h.db, id)).toBe(2);
  });

  it('respects backpressure: a client that does not read holds upstream back', async () => {
    const { secret } = h.subkey();
    const piece = Buffer.alloc(64 * 1024, 'a');
    let written = 0;
    let finished = false;
    h.upstream.respond = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      const pump = (): void => {
        while (written < 64 * 1024 * 1024) {
          written += piece.length;
          if (!response.write(piece)) return void response.once('drain', pump);
        }
        finished = true;
        response.end();
      };
      pump();
    };
    const paused = await new Promise<IncomingMessage>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port: h.running.port, path: '/v1/files/file-1/content', headers: { authorization: `Bearer ${secret}` } }, resolve)
        .on('error', reject)
        .end();
    });
    paused.pause();
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Socket buffers hold a few MB at most; without backpressure all 64 MB would have been pulled through.
    expect(finished).toBe(false);
    expect(written).toBeLessThan(16 * 1024 * 1024);
    let received = 0;
    paused.on('data', (chunk: Buffer) => (received += chunk.length));
    paused.resume();
    await new Promise((resolve) => paused.on('end', resolve));
    expect(received).toBe(64 * 1024 * 1024);
  });
});

describe('drain', () => {
  it('waits for in-flight requests, then aborts what is left after the timeout', async () => {
    const harness = await startProxyHarness();
    try {
      const { secret } = harness.subkey({ remainingRequests: 5 });
      harness.upstream.respond = (request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        if (request.url.includes('slow')) return void response.flushHeaders();
        setTimeout(() => response.end('{"ok":true}'), 100);
      };
      const quick = harness.client(secret).files.retrieve('quick');
      const slow = harness.client(secret).files.retrieve('slow').catch((error: unknown) => error);
      await expect.poll(() => harness.upstream.requests.length).toBe(2);
      const started = Date.now();
      await harness.running.proxy.drain(400);
      expect(Date.now() - started).toBeGreaterThanOrEqual(350);
      expect(await quick).toMatchObject({ ok: true });
      expect(await slow).toBeInstanceOf(Error);
      await expect.poll(() => harness.upstream.aborted.map((request) => request.url)).toEqual(['/v1/files/slow']);
      // Both were answered 200 by upstream (the slow one mid-body): both count.
      expect(usageRows(harness.db).map((row) => row.status)).toEqual([200, 200]);
    } finally {
      await harness.close();
    }
  });
});
