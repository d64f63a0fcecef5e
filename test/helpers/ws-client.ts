import type { IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import type { OpenAIRealtimeError } from 'openai/realtime/internal-base';
import { WebSocket } from 'ws';

export interface SocketOptions {
  headers?: Record<string, string>;
  protocols?: string[];
}

/** A plain `ws` client connection with every server event it received, parsed. */
export interface TestSocket {
  socket: WebSocket;
  events: Record<string, unknown>[];
  /** Resolves with the first event (already received or still to come) that matches. */
  nextEvent(match: (event: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  send(event: object): void;
  /** Resolves when the connection closes, with the close code and reason the client saw. */
  closed: Promise<{ code: number; reason: string }>;
}

/** Attaches event collection to a `ws` client (an opened one, or one still connecting). */
export function collect(socket: WebSocket): TestSocket {
  const events: Record<string, unknown>[] = [];
  let waiters: (() => void)[] = [];
  socket.on('message', (data, isBinary) => {
    if (!isBinary) events.push(JSON.parse(data.toString()) as Record<string, unknown>);
    const current = waiters;
    waiters = [];
    for (const waiter of current) waiter();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  return {
    socket,
    events,
    closed,
    send: (event) => socket.send(JSON.stringify(event)),
    nextEvent(match, timeoutMs = 5000) {
      let seen = 0;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching event; got ${JSON.stringify(events.map((event) => event.type))}`)), timeoutMs);
        const look = (): void => {
          for (; seen < events.length; seen++) {
            if (match(events[seen]!)) {
              clearTimeout(timer);
              resolve(events[seen]!);
              return;
            }
          }
          waiters.push(look);
        };
        look();
      });
    },
  };
}

/** Opens a WebSocket to the proxy and waits until it is open. */
export async function openSocket(port: number, pathAndQuery: string, options: SocketOptions = {}): Promise<TestSocket> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}${pathAndQuery}`, options.protocols ?? [], { headers: options.headers ?? {}, perMessageDeflate: false });
  const collected = collect(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
    socket.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused with ${response.statusCode}`)));
  });
  return collected;
}

/** What a refused upgrade got back. */
export interface RefusedUpgrade {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Tries a WebSocket upgrade that the proxy should refuse; resolves with its HTTP answer (rejects if it opens). */
export function refusedUpgrade(port: number, pathAndQuery: string, options: SocketOptions = {}): Promise<RefusedUpgrade> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}${pathAndQuery}`, options.protocols ?? [], { headers: options.headers ?? {}, perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      socket.terminate();
      reject(new Error('the upgrade was accepted'));
    });
    socket.once('error', reject);
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => {
        socket.terminate();
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body });
      });
    });
  });
}

/** The official SDK's Realtime client with every event it received, and the errors it reported. */
export interface SdkRealtime extends TestSocket {
  rt: OpenAIRealtimeWS;
  errors: OpenAIRealtimeError[];
}

/**
 * Opens the official SDK's Realtime WebSocket client (`openai/realtime/ws`) through the proxy at `baseURL`. The SDK
 * always dials `wss://` (it rewrites the base URL's scheme), so the test hands it a plain TCP connection, as a user of
 * a local http proxy must (the README says how).
 */
export async function openSdkRealtime(baseURL: string, secret: string, model: string): Promise<SdkRealtime> {
  const client = new OpenAI({ apiKey: secret, baseURL });
  const plainTcp = (options: { host?: string | null; port?: number | string | null }) => connect({ host: options.host ?? '127.0.0.1', port: Number(options.port) });
  const rt = new OpenAIRealtimeWS({ model, options: { createConnection: plainTcp as unknown as typeof connect, perMessageDeflate: false } }, client);
  const errors: OpenAIRealtimeError[] = [];
  rt.on('error', (error) => errors.push(error));
  const collected = collect(rt.socket);
  await new Promise<void>((resolve, reject) => {
    rt.socket.once('open', () => resolve());
    rt.socket.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused with ${response.statusCode}`)));
    rt.socket.once('close', () => reject(new Error('closed before opening')));
  });
  return { rt, errors, ...collected };
}
