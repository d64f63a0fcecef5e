/**
 * Check first, read later: a request is refused as soon as its headers (or the start of its multipart body) show it
 * must be, without waiting for the rest of a large body; a multipart upload is read only up to its `model` field and
 * then streamed on. Requests are written by hand on raw sockets, so the body can stop halfway.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertSubkey, insertUpstream, remainingOf, testSecretBox, usageRows } from '../helpers/proxy-fixtures';
import { UPSTREAM_KEY } from '../helpers/proxy-harness';
import { useProxyHarness } from '../helpers/proxy-harness-per-file';
import { formEnd, formPart, rawRequest, type RawRequest } from '../helpers/raw-socket';

const MAX_BODY = 4 * 1024 * 1024;
const BOUNDARY = 'kgTestBoundary7MA4YWxk';
const h = useProxyHarness({ maxBodyBytes: MAX_BODY });

/** Writes the head of a POST that declares `length` body bytes (or is chunked), and `start` of its body. */
function post(path: string, secret: string, contentType: string, start: Buffer | string, length: number | 'chunked'): RawRequest {
  const framing = length === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${length}`;
  const request = rawRequest(h.running.port, `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${secret}\r\nContent-Type: ${contentType}\r\n${framing}\r\n\r\n`);
  void request.send(start);
  return request;
}

/** The answer, or a failure naming what the proxy was doing instead of answering (waiting for the body). */
function answerWithin(request: RawRequest, ms = 3000) {
  return Promise.race([
    request.answer,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms: the proxy waited for the rest of the body`)), ms)),
  ]).finally(() => request.socket.destroy());
}

const FORM = `multipart/form-data; boundary=${BOUNDARY}`;

describe('check first, read later', () => {
  it('refuses a key with no quota left from its headers, before reading a large JSON body', async () => {
    const { id, secret } = h.subkey({ remainingRequests: 0 });
    const request = post('/v1/chat/completions', secret, 'application/json', '{"model":"gpt-4o","messages":[', 3 * 1024 * 1024);
    const answer = await answerWithin(request);
    expect(answer.status).toBe(429);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'insufficient_quota', type: 'insufficient_quota' } });
    expect(answer.headers.connection).toBe('close');
    expect(h.upstream.requests).toHaveLength(0);
    await h.settled();
    expect(usageRows(h.db).filter((row) => row.subkey_id === id).map((row) => [row.status, row.refusal])).toEqual([[429, 'insufficient_quota']]);
  });

  it('refuses a key with no quota left before reading a multipart body', async () => {
    const { secret } = h.subkey({ remainingRequests: 0 });
    const request = post('/v1/audio/transcriptions', secret, FORM, formPart(BOUNDARY, 'file', 'x'.repeat(1000), 'a.mp3'), 3 * 1024 * 1024);
    expect((await answerWithin(request)).status).toBe(429);
  });

  it('still takes the last request of a key exactly once (the early check only refuses)', async () => {
    const { id, secret } = h.subkey({ remainingRequests: 1 });
    const client = h.client(secret);
    const results = await Promise.allSettled([1, 2, 3].map(() => client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' })));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    await h.settled();
    expect(remainingOf(h.db, id)).toBe(0);
  });
});

describe('multipart bodies are read up to their model field', () => {
  it('refuses a forbidden model from the first part, before the rest of the upload arrives', async () => {
    const { secret } = h.subkey({ allowModels: ['whisper-1'] });
    const start = Buffer.concat([formPart(BOUNDARY, 'model', 'gpt-4o-transcribe'), Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.mp3"\r\n\r\n`), Buffer.alloc(64 * 1024)]);
    const answer = await answerWithin(post('/v1/audio/transcriptions', secret, FORM, start, 3 * 1024 * 1024));
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'model_not_allowed' } });
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('refuses more than 1,000 parts with 400 invalid_multipart, reading no further', async () => {
    const { secret } = h.subkey({ remainingRequests: 5 });
    const parts = Buffer.concat(Array.from({ length: 1500 }, (_, index) => formPart(BOUNDARY, `f${index}`, 'x')));
    const answer = await answerWithin(post('/v1/audio/transcriptions', secret, FORM, parts, 3 * 1024 * 1024));
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'invalid_multipart' } });
    expect(JSON.parse(answer.body).error.message).toContain('more than 1000 parts');
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('forwards a body of exactly 1,000 parts', async () => {
    const { secret } = h.subkey({ remainingRequests: 5 });
    const fields = Array.from({ length: 999 }, (_, index) => formPart(BOUNDARY, `f${index}`, 'x'));
    const body = Buffer.concat([...fields, formPart(BOUNDARY, 'model', 'whisper-1'), formEnd(BOUNDARY)]);
    const answer = await answerWithin(post('/v1/audio/transcriptions', secret, FORM, body, body.length));
    expect(answer.status).toBe(200);
    expect(h.upstream.requests[0]!.body.equals(body)).toBe(true);
  });

  it('refuses a second model field found later in the upload, and upstream never gets a whole request', async () => {
    const { id, secret } = h.subkey({ allowModels: ['whisper-1'], remainingRequests: 3 });
    const first = Buffer.concat([formPart(BOUNDARY, 'model', 'whisper-1'), formPart(BOUNDARY, 'file', Buffer.alloc(512 * 1024, 1), 'a.mp3')]);
    const second = Buffer.concat([formPart(BOUNDARY, 'model', 'gpt-4o-transcribe'), formEnd(BOUNDARY)]);
    const request = post('/v1/audio/transcriptions', secret, FORM, first, first.length + second.length);
    await new Promise((resolve) => setTimeout(resolve, 50));
    void request.send(second);
    const answer = await answerWithin(request);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error).toMatchObject({ code: 'invalid_multipart', message: expect.stringContaining('more than once') });
    expect(h.upstream.requests).toHaveLength(0);
    await h.settled();
    expect(remainingOf(h.db, id)).toBe(3);
  });

  it('refuses a second model field that arrives together with the first', async () => {
    const { secret } = h.subkey({ allowModels: ['whisper-1'], remainingRequests: 3 });
    const body = Buffer.concat([formPart(BOUNDARY, 'model', 'whisper-1'), formPart(BOUNDARY, 'model', 'gpt-4o-transcribe'), formPart(BOUNDARY, 'file', 'abc', 'a.mp3'), formEnd(BOUNDARY)]);
    const answer = await answerWithin(post('/v1/audio/transcriptions', secret, FORM, body, body.length));
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'invalid_multipart' } });
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('never lets upstream have the whole of a form whose end turns out malformed (a last model field left open)', async () => {
    const { secret } = h.subkey({ allowModels: ['whisper-1'], remainingRequests: 3 });
    const first = Buffer.concat([formPart(BOUNDARY, 'model', 'whisper-1'), formPart(BOUNDARY, 'file', Buffer.alloc(256 * 1024, 3), 'a.mp3')]);
    const last = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="model"\r\n\r\ngpt-4o-transcribe`);
    const request = post('/v1/audio/transcriptions', secret, FORM, first, first.length + last.length);
    await new Promise((resolve) => setTimeout(resolve, 50));
    void request.send(last);
    const answer = await answerWithin(request);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'invalid_multipart' } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('answers 413 when the streamed rest of an upload goes over the limit, and upstream never gets a whole request', async () => {
    const { secret } = h.subkey({ remainingRequests: 3 });
    const request = post('/v1/audio/transcriptions', secret, FORM, '', 'chunked');
    const chunk = (bytes: Buffer): Buffer => Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')]);
    void request.send(chunk(formPart(BOUNDARY, 'model', 'whisper-1')));
    void request.send(chunk(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.mp3"\r\n\r\n`)));
    for (let sent = 0; sent <= MAX_BODY; sent += 256 * 1024) await request.send(chunk(Buffer.alloc(256 * 1024, 2)));
    const answer = await answerWithin(request);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'request_too_large' } });
    expect(h.upstream.requests).toHaveLength(0);
  });
});

describe('multipart uploads stream on once their model is known', () => {
  let server: Server;
  let seen: { started: Promise<IncomingMessage>; body: Promise<Buffer> };
  let upstreamKeySecret: string;

  beforeAll(async () => {
    let started!: (request: IncomingMessage) => void;
    let ended!: (body: Buffer) => void;
    const reset = () => {
      seen = { started: new Promise((resolve) => (started = resolve)), body: new Promise((resolve) => (ended = resolve)) };
    };
    reset();
    server = createServer((request, response) => {
      started(request);
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks);
        ended(body);
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ text: `received ${body.length} bytes` }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const upstreamId = insertUpstream(h.db, testSecretBox(), { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, apiKey: UPSTREAM_KEY });
    upstreamKeySecret = insertSubkey(h.db, { upstreamId, allowModels: ['whisper-1'], remainingRequests: 5 }).secret;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('starts forwarding before the upload is complete and forwards every byte unchanged', async () => {
    const file = Buffer.alloc(3 * 1024 * 1024);
    for (let index = 0; index < file.length; index++) file[index] = (index * 31 + 7) % 256;
    const start = Buffer.concat([formPart(BOUNDARY, 'model', 'whisper-1'), Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.mp3"\r\n\r\n`), file.subarray(0, 100_000)]);
    const rest = Buffer.concat([file.subarray(100_000), Buffer.from('\r\n'), formEnd(BOUNDARY)]);
    const request = post('/v1/audio/transcriptions', upstreamKeySecret, FORM, start, start.length + rest.length);
    const upstreamRequest = await Promise.race([
      seen.started,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('upstream saw nothing before the upload was complete')), 3000)),
    ]);
    expect(upstreamRequest.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(upstreamRequest.headers['content-length']).toBe(String(start.length + rest.length));
    void request.send(rest);
    const answer = await answerWithin(request);
    expect(answer.status).toBe(200);
    expect((await seen.body).equals(Buffer.concat([start, rest]))).toBe(true);
  });
});
