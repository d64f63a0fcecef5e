import type { IncomingHttpHeaders } from 'node:http';
import { scrubHeaderValue, type KeyPattern } from './key-scrubber';

/** Hop-by-hop headers (RFC 9110 §7.6.1 and the legacy ones): they describe one connection, never pass through. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'];

/** Client headers never sent upstream: hop-by-hop, the client's own credentials, cookies, and account selectors. */
const DROP_REQUEST = new Set([
  ...HOP_BY_HOP,
  'proxy-authorization',
  'host',
  'cookie',
  'authorization',
  'x-api-key',
  'api-key',
  'content-length',
  'accept-encoding',
  // The real key's owner decides which organization and project pay; a sub-key holder must not switch them.
  'openai-organization',
  'openai-project',
  'expect',
]);

/** Upstream headers never passed back: hop-by-hop, cookies, and transport details of the upstream connection. */
const DROP_RESPONSE = new Set([
  ...HOP_BY_HOP,
  'set-cookie',
  'alt-svc',
  'strict-transport-security',
]);

/**
 * The headers to send upstream, as a flat [name, value, …] list: the client's, minus the dropped ones, plus the real
 * key, the body's length, and `accept-encoding: identity` (loopback gains nothing from compression, and the proxy
 * reads `usage` from the bytes).
 */
export function upstreamRequestHeaders(rawHeaders: readonly string[], authorization: string, contentLength: number | null): string[] {
  const headers: string[] = [];
  const hopByHop = connectionTokens(rawHeaders);
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const name = rawHeaders[index]!;
    const lower = name.toLowerCase();
    if (DROP_REQUEST.has(lower) || lower.startsWith('proxy-') || hopByHop?.has(lower)) continue;
    headers.push(name, rawHeaders[index + 1]!);
  }
  headers.push('authorization', authorization, 'accept-encoding', 'identity');
  if (contentLength !== null) headers.push('content-length', String(contentLength));
  return headers;
}

/** Header names a `Connection` header declares hop-by-hop (RFC 9110 §7.6.1), or null when there are none. */
function connectionTokens(rawHeaders: readonly string[]): Set<string> | null {
  let tokens: Set<string> | null = null;
  for (let index = 0; index < rawHeaders.length; index += 2) {
    if (rawHeaders[index]!.toLowerCase() !== 'connection') continue;
    for (const token of rawHeaders[index + 1]!.split(',')) {
      const name = token.trim().toLowerCase();
      if (name !== '' && name !== 'keep-alive' && name !== 'close') (tokens ??= new Set()).add(name);
    }
  }
  return tokens;
}

/**
 * The upstream's response headers to pass back (`withLength: false` when the proxy rewrites the body), with the real
 * key masked wherever a value echoes it.
 */
export function clientResponseHeaders(upstream: IncomingHttpHeaders, withLength: boolean, key: KeyPattern | null = null): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const name in upstream) {
    const value = upstream[name];
    if (value === undefined || DROP_RESPONSE.has(name) || name.startsWith('proxy-')) continue;
    if (!withLength && name === 'content-length') continue;
    headers[name] = key === null ? value : typeof value === 'string' ? scrubHeaderValue(value, key) : value.map((item) => scrubHeaderValue(item, key));
  }
  headers['access-control-allow-origin'] = '*';
  headers['access-control-expose-headers'] = '*';
  return headers;
}
