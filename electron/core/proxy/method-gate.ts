import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import { ALLOWED_METHODS, proxyErrors } from './proxy-error';

/** The methods OpenAI's API uses: the only ones forwarded (OPTIONS is answered locally, before this check). */
const FORWARDED_METHODS = new Set(['GET', 'POST', 'DELETE']);

/**
 * Refuses what the proxy does not forward: a WebSocket upgrade (501 `websocket_not_supported`: with no 'upgrade'
 * listener Node hands it over as a plain request, which upstream would answer as a GET with the real key), and any
 * method but GET, POST and DELETE (405 `method_not_allowed`: an upstream that echoes TRACE would echo the real key).
 */
export function checkMethod(method: string, headers: IncomingHttpHeaders): void {
  if (isWebSocketUpgrade(headers)) throw proxyErrors.websocketNotSupported();
  if (!FORWARDED_METHODS.has(method)) throw proxyErrors.methodNotAllowed(method);
}

function isWebSocketUpgrade(headers: IncomingHttpHeaders): boolean {
  const upgrade = headers.upgrade;
  return upgrade !== undefined && upgrade.split(',').some((token) => token.trim().toLowerCase().startsWith('websocket'));
}

/**
 * Answers a CONNECT request (Node emits it as 'connect', never as a request) with 405 on the raw socket and closes
 * it: the proxy tunnels nothing. Attach it as the server's 'connect' listener.
 */
export function refuseConnect(_request: unknown, socket: Duplex): void {
  const error = proxyErrors.methodNotAllowed('CONNECT');
  const body = JSON.stringify({ error: { message: error.message, type: error.type, param: error.param, code: error.code } });
  socket.on('error', () => undefined);
  socket.end(
    `HTTP/1.1 405 Method Not Allowed\r\nallow: ${ALLOWED_METHODS}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
