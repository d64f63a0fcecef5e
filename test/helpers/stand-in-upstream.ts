import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { attachSocketStandIn, type SocketStandIn } from './ws-stand-in';

/** What the stand-in upstream received. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** Answers a request itself; return false to fall back to the default answers. */
export type Responder = (request: RecordedRequest, response: ServerResponse) => boolean | void;

export interface StandInUpstream {
  /** `http://127.0.0.1:PORT` (no /v1, like an upstream base URL). */
  baseUrl: string;
  requests: RecordedRequest[];
  /** Requests whose client (the proxy) went away before the answer ended. */
  aborted: RecordedRequest[];
  /** Overrides answers until reset. */
  respond: Responder | null;
  /** Resolves when the next request arrives (all of it). */
  nextRequest(): Promise<RecordedRequest>;
  /** The WebSocket side (`/v1/realtime`, `/v1/responses`): the upgrades it accepted and their events. */
  sockets: SocketStandIn;
  reset(): void;
  close(): Promise<void>;
}

export const STAND_IN_MODELS = ['gpt-4o', 'gpt-4o-mini', 'gpt-3.5-turbo', 'dall-e-3', 'whisper-1', 'tts-1', 'text-embedding-3-small'];
export const CHAT_USAGE = { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 };
/** Bytes the stand-in answers `POST /v1/audio/speech` with: every byte value, to catch any text decoding. */
export const SPEECH_BYTES = Buffer.from(Array.from({ length: 4096 }, (_, index) => (index * 7 + 3) % 256));

/** The chunks of a chat stream (`include_usage` adds `"usage":null` to each and a usage-only chunk, as OpenAI does). */
export function chatStreamEvents(model: string, includeUsage: boolean): string[] {
  const base = { id: 'chatcmpl-standin', object: 'chat.completion.chunk', created: 1700000000, model };
  const usageNull = includeUsage ? { usage: null } : {};
  const events = [
    { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }], ...usageNull },
    { ...base, choices: [{ index: 0, delta: { content: 'Hello' }, finish_reason: null }], ...usageNull },
    { ...base, choices: [{ index: 0, delta: { content: ' world ✓' }, finish_reason: null }], ...usageNull },
    { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], ...usageNull },
  ].map((event) => `data: ${JSON.stringify(event)}\n\n`);
  if (includeUsage) events.push(`data: ${JSON.stringify({ ...base, choices: [], usage: CHAT_USAGE })}\n\n`);
  events.push('data: [DONE]\n\n');
  return events;
}

function chatCompletion(model: string): object {
  return {
    id: 'chatcmpl-standin',
    object: 'chat.completion',
    created: 1700000000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hello world' }, finish_reason: 'stop' }],
    usage: CHAT_USAGE,
  };
}

function responsesStream(model: string): string[] {
  const response = { id: 'resp_standin', object: 'response', model, status: 'in_progress', output: [], usage: null };
  const done = {
    ...response,
    status: 'completed',
    output: [{ type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Hi', annotations: [] }] }],
    usage: { input_tokens: 5, output_tokens: 3, total_tokens: 8, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } },
  };
  const events: [string, object][] = [
    ['response.created', { type: 'response.created', sequence_number: 0, response }],
    ['response.output_text.delta', { type: 'response.output_text.delta', sequence_number: 1, item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'Hi' }],
    ['response.completed', { type: 'response.completed', sequence_number: 2, response: done }],
  ];
  return events.map(([name, data]) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-request-id': 'req_standin', 'x-ratelimit-remaining-requests': '99', 'set-cookie': 'upstream=secret' });
  response.end(body);
}

function sendStream(response: ServerResponse, events: string[]): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': 'req_standin' });
  let index = 0;
  const next = (): void => {
    if (index >= events.length) {
      response.end();
      return;
    }
    response.write(events[index++]);
    setTimeout(next, 2);
  };
  next();
}

function defaultAnswer(request: RecordedRequest, response: ServerResponse): void {
  const path = request.url.split('?')[0]!;
  const json = (): Record<string, unknown> => {
    try {
      return JSON.parse(request.body.toString('utf8')) as Record<string, unknown>;
    } catch {
      return {};
    }
  };
  if (request.method === 'GET' && path === '/v1/models') {
    sendJson(response, 200, { object: 'list', data: STAND_IN_MODELS.map((id) => ({ id, object: 'model', created: 1, owned_by: 'openai' })) });
  } else if (request.method === 'GET' && path.startsWith('/v1/models/')) {
    sendJson(response, 200, { id: decodeURIComponent(path.slice('/v1/models/'.length)), object: 'model', created: 1, owned_by: 'openai' });
  } else if (request.method === 'POST' && path === '/v1/chat/completions') {
    const body = json();
    const model = String(body.model);
    if (body.stream === true) {
      const options = body.stream_options as { include_usage?: boolean } | undefined;
      sendStream(response, chatStreamEvents(model, options?.include_usage === true));
    } else sendJson(response, 200, chatCompletion(model));
  } else if (request.method === 'POST' && path === '/v1/responses') {
    const body = json();
    if (body.stream === true) sendStream(response, responsesStream(String(body.model)));
    else sendJson(response, 200, { id: 'resp_standin', object: 'response', model: body.model, status: 'completed', output: [], usage: { input_tokens: 5, output_tokens: 3, total_tokens: 8 } });
  } else if (request.method === 'POST' && path === '/v1/embeddings') {
    sendJson(response, 200, { object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }], model: json().model, usage: { prompt_tokens: 4, total_tokens: 4 } });
  } else if (request.method === 'POST' && path === '/v1/audio/speech') {
    response.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': SPEECH_BYTES.length });
    response.end(SPEECH_BYTES);
  } else if (request.method === 'POST' && (path === '/v1/audio/transcriptions' || path === '/v1/audio/translations')) {
    sendJson(response, 200, { text: `received ${request.body.length} bytes` });
  } else {
    sendJson(response, 200, { ok: true, path });
  }
}

/** A loopback stand-in for the OpenAI API that records every request it receives. */
export async function startStandInUpstream(): Promise<StandInUpstream> {
  const requests: RecordedRequest[] = [];
  const aborted: RecordedRequest[] = [];
  let waiters: ((request: RecordedRequest) => void)[] = [];
  const upstream = {
    baseUrl: '',
    requests,
    aborted,
    respond: null as Responder | null,
    nextRequest: () => new Promise<RecordedRequest>((resolve) => waiters.push(resolve)),
    sockets: null as unknown as SocketStandIn,
    reset() {
      requests.length = 0;
      aborted.length = 0;
      upstream.respond = null;
      upstream.sockets.reset();
    },
    close: async () => {
      upstream.sockets.reset();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const recorded: RecordedRequest = { method: request.method!, url: request.url!, headers: request.headers, body: Buffer.concat(chunks) };
      requests.push(recorded);
      response.on('close', () => {
        if (!response.writableFinished) aborted.push(recorded);
      });
      const current = waiters;
      waiters = [];
      for (const waiter of current) waiter(recorded);
      if (upstream.respond && upstream.respond(recorded, response) !== false) return;
      defaultAnswer(recorded, response);
    });
  });
  upstream.sockets = attachSocketStandIn(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  upstream.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return upstream;
}
