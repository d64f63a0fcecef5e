import type { IncomingMessage, ServerResponse } from 'node:http';
import { pushEvents, type PushEvent, type PushEvents } from '../../shared/contract';

export const HEARTBEAT_MS = 15_000;

export interface EventSource {
  on<E extends PushEvent>(event: E, listener: (payload: PushEvents[E]) => void): () => void;
}

/** Formats one server-sent event. */
export function formatEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * Streams push events as `text/event-stream` until the client goes away or `close` is called.
 * A comment line every `heartbeatMs` keeps proxies and idle timers from closing the connection.
 */
export function streamEvents(
  request: IncomingMessage,
  response: ServerResponse,
  source: EventSource,
  heartbeatMs = HEARTBEAT_MS,
): () => void {
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-content-type-options': 'nosniff',
  });
  response.write(': connected\n\n');
  const unsubscribes = pushEvents.map((event) => source.on(event, (payload) => response.write(formatEvent(event, payload))));
  const heartbeat = setInterval(() => response.write(': heartbeat\n\n'), heartbeatMs);
  heartbeat.unref();
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    for (const unsubscribe of unsubscribes) unsubscribe();
    response.end();
  };
  request.on('close', close);
  response.on('close', close);
  return close;
}
