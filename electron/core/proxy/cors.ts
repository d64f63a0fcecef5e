import type { IncomingMessage, ServerResponse } from 'node:http';
import { ALLOWED_METHODS } from './proxy-error';

/**
 * Answers a CORS preflight for /v1: any origin (the proxy uses bearer keys, never cookies, so no credentials are
 * allowed), the methods the proxy forwards, and whatever headers the client asks for (SDKs send x-stainless-*, openai-beta…).
 */
export function answerPreflight(request: IncomingMessage, response: ServerResponse): void {
  const requested = request.headers['access-control-request-headers'];
  response.writeHead(204, {
    'access-control-allow-origin': '*',
    'access-control-allow-methods': ALLOWED_METHODS,
    'access-control-allow-headers': requested ?? 'authorization, content-type, x-api-key, api-key, openai-beta',
    'access-control-max-age': '600',
    vary: 'access-control-request-headers',
  });
  response.end();
}
