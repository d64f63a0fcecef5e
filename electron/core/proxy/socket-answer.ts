import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { CORS_HEADERS, type ProxyError } from './proxy-error';

/**
 * Writes a complete HTTP/1.1 answer on a raw socket and closes it: what an upgrade request gets when it is refused
 * (Node hands 'upgrade' requests over as a bare socket, with no ServerResponse). Header values must be latin1.
 */
export function writeSocketAnswer(socket: Duplex, status: number, headers: Record<string, string>, body: string | Buffer): void {
  // A client that went away meanwhile must not turn into an unhandled 'error'.
  socket.on('error', () => undefined);
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}`];
  for (const [name, value] of Object.entries({ ...headers, 'content-length': String(bytes.length), connection: 'close' })) lines.push(`${name}: ${value}`);
  socket.end(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), bytes]));
}

/** Writes `error` on a raw socket in OpenAI's shape, with the same headers `sendError` gives an HTTP refusal (`Retry-After` included). */
export function writeSocketError(socket: Duplex, error: ProxyError): void {
  const body = JSON.stringify({ error: { message: error.message, type: error.type, param: error.param, code: error.code } });
  writeSocketAnswer(
    socket,
    error.status,
    { ...CORS_HEADERS, 'content-type': 'application/json', ...(error.final && { 'x-should-retry': 'false' }), ...error.headers },
    body,
  );
}
