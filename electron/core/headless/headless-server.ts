import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AdminApi } from '../admin/admin-api';
import { isAdminPath } from '../admin/admin-api';
import { refuseConnect } from '../proxy/method-gate';
import { writeSocketAnswer } from '../proxy/socket-answer';
import type { ProxyController } from '../services/proxy-controller';

/** Whether a request target is under `/v1` (the proxy's part of the server). */
export function isProxyPath(url: string): boolean {
  return url === '/v1' || url.startsWith('/v1/') || url.startsWith('/v1?');
}

const NOT_FOUND_BODY = JSON.stringify({
  error: { message: 'Not found. The OpenAI-compatible API is under /v1.', type: 'invalid_request_error', param: null, code: 'not_found' },
});

const STARTING_BODY = JSON.stringify({
  error: { message: 'Keygate is still starting: try again in a moment.', type: 'server_error', param: null, code: 'starting' },
});

function notFound(response: ServerResponse): void {
  response.writeHead(404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(NOT_FOUND_BODY) }).end(NOT_FOUND_BODY);
}

/** The headless server's routing: `/v1/*` → the mounted proxy, `/admin/*` → the admin API (when enabled), else 404. */
export function headlessRequestHandler(proxyController: ProxyController, admin: AdminApi | null): RequestListener {
  return (request: IncomingMessage, response: ServerResponse) => {
    const url = request.url ?? '/';
    if (isProxyPath(url)) return proxyController.handle(request, response);
    const pathname = url.split('?', 1)[0]!;
    if (admin && isAdminPath(pathname)) return admin.handle(request, response);
    notFound(response);
  };
}

/**
 * What a headless server answers besides requests: CONNECT → 405; upgrades (WebSockets) under `/v1` go to the proxy
 * (while the core starts, `proxyController()` is null and the socket is refused with 503), any other upgrade gets the 404 on its raw socket.
 */
export function routeHeadlessSpecials(server: Server, proxyController: () => ProxyController | null): void {
  server.on('connect', refuseConnect);
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const controller = proxyController();
    if (!isProxyPath(request.url ?? '/')) return writeSocketAnswer(socket, 404, { 'content-type': 'application/json' }, NOT_FOUND_BODY);
    if (!controller) return writeSocketAnswer(socket, 503, { 'content-type': 'application/json' }, STARTING_BODY);
    controller.upgrade(request, socket, head);
  });
}

/** One node:http server with the headless routing. */
export function createHeadlessServer(proxyController: ProxyController, admin: AdminApi | null): Server {
  const server = createServer(headlessRequestHandler(proxyController, admin));
  routeHeadlessSpecials(server, () => proxyController);
  return server;
}
