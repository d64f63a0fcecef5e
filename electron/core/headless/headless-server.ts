import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AdminApi } from '../admin/admin-api';
import { isAdminPath } from '../admin/admin-api';
import { writeSocketAnswer } from '../proxy/socket-answer';
import type { ProxyController } from '../services/proxy-controller';

/** Whether a request target is under `/v1` (the proxy's part of the server). */
export function isProxyPath(url: string): boolean {
  return url === '/v1' || url.startsWith('/v1/') || url.startsWith('/v1?');
}

const NOT_FOUND_BODY = JSON.stringify({
  error: { message: 'Not found. The OpenAI-compatible API is under /v1.', type: 'invalid_request_error', param: null, code: 'not_found' },
});

function notFound(response: ServerResponse): void {
  response.writeHead(404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(NOT_FOUND_BODY) }).end(NOT_FOUND_BODY);
}

/**
 * One node:http server: `/v1/*` → the mounted proxy, `/admin/*` → the admin API (when enabled), else 404. Upgrades
 * (WebSockets) under `/v1` go to the proxy too; any other upgrade gets the 404 on its raw socket.
 */
export function createHeadlessServer(proxyController: ProxyController, admin: AdminApi | null): Server {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = request.url ?? '/';
    if (isProxyPath(url)) return proxyController.handle(request, response);
    const pathname = url.split('?', 1)[0]!;
    if (admin && isAdminPath(pathname)) return admin.handle(request, response);
    notFound(response);
  });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (isProxyPath(request.url ?? '/')) return proxyController.upgrade(request, socket, head);
    writeSocketAnswer(socket, 404, { 'content-type': 'application/json' }, NOT_FOUND_BODY);
  });
  return server;
}
