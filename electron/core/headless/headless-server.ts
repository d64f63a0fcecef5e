import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AdminApi } from '../admin/admin-api';
import { isAdminPath } from '../admin/admin-api';
import { refuseConnect } from '../proxy/method-gate';
import type { ProxyController } from '../services/proxy-controller';

/** Whether a request target is under `/v1` (the proxy's part of the server). */
export function isProxyPath(url: string): boolean {
  return url === '/v1' || url.startsWith('/v1/') || url.startsWith('/v1?');
}

function notFound(response: ServerResponse): void {
  const body = JSON.stringify({
    error: { message: 'Not found. The OpenAI-compatible API is under /v1.', type: 'invalid_request_error', param: null, code: 'not_found' },
  });
  response.writeHead(404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
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

/** One node:http server with the headless routing; CONNECT → 405. */
export function createHeadlessServer(proxyController: ProxyController, admin: AdminApi | null): Server {
  const server = createServer(headlessRequestHandler(proxyController, admin));
  // No 'upgrade' listener on purpose: Node then hands WebSocket upgrades to the handler, which refuses them.
  server.on('connect', refuseConnect);
  return server;
}
