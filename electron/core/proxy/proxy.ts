import type { Proxy, ProxyOptions } from './types';

// Placeholder so the core can be composed while the proxy is being written; replaced by the real implementation.
export function createProxy(_options: ProxyOptions): Proxy {
  return {
    handle(_request, response) {
      response.writeHead(503, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: 'The proxy is not implemented yet.', type: 'server_error', param: null, code: null } }));
    },
    flush() {},
    invalidate() {},
    async drain() {},
  };
}
