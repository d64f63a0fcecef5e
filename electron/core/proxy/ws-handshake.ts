import type { IncomingHttpHeaders } from 'node:http';
import { upstreamRequestHeaders } from './forward-headers';
import { proxyErrors } from './proxy-error';

/** The subprotocol browsers carry the key in (they cannot set headers on a WebSocket): `openai-insecure-api-key.<key>`. */
const KEY_PROTOCOL = 'openai-insecure-api-key.';
/** Subprotocols that select the account that pays, like the `openai-organization`/`openai-project` headers: never forwarded. */
const ACCOUNT_PROTOCOLS = ['openai-organization.', 'openai-project.'];
/** The desktop window's origin (electron/main/app-origin.ts; core cannot import main). */
const APP_ORIGIN = 'app://keygate';

/** What a client offered in `Sec-WebSocket-Protocol`: the sub-key it carries (if any) and what may go upstream. */
export interface OfferedProtocols {
  /** The secret from `openai-insecure-api-key.<key>`, or null. */
  secret: string | null;
  /** Every offered protocol but the key and account selectors, in the client's order (e.g. `realtime`). */
  forwarded: string[];
  /** Every protocol offered, in order (the answer must name one of these, or none). */
  offered: string[];
}

/** An HTTP token (RFC 9110 §5.6.2): what a subprotocol must be. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Splits `Sec-WebSocket-Protocol`. A protocol that is not a token or is offered twice is refused (400: the WebSocket
 * libraries on both sides refuse it too), and two different keys in it (401: which one counts would be a guess).
 * Throws a ProxyError.
 */
export function splitProtocols(header: string | undefined): OfferedProtocols {
  const offered = header === undefined ? [] : header.split(',').map((token) => token.trim()).filter((token) => token !== '');
  if (offered.some((protocol) => !TOKEN.test(protocol)) || new Set(offered).size !== offered.length) {
    throw proxyErrors.badHandshake('Sec-WebSocket-Protocol must list distinct tokens');
  }
  let secret: string | null = null;
  const forwarded: string[] = [];
  for (const protocol of offered) {
    if (protocol.startsWith(KEY_PROTOCOL)) {
      const candidate = protocol.slice(KEY_PROTOCOL.length);
      if (secret !== null && secret !== candidate) throw proxyErrors.unknownKey();
      secret = candidate;
    } else if (!ACCOUNT_PROTOCOLS.some((prefix) => protocol.startsWith(prefix))) {
      forwarded.push(protocol);
    }
  }
  return { secret: secret === '' ? null : secret, forwarded, offered };
}

/**
 * Origin rule for WebSocket upgrades (browsers send Origin and, unlike fetch, never ask the server first): no Origin
 * (not a browser), a loopback origin (a local tool or dev server), the origin the request was addressed to (the
 * headless admin UI on its own host) and the desktop app's own origin are allowed; anything else, `null` included.
 */
export function isAllowedOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  if (origin === APP_ORIGIN) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (host !== undefined && url.host === host.trim().toLowerCase()) return true;
  const name = url.hostname;
  return name === 'localhost' || name === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/** Whether the request asks to switch to WebSocket (the `Upgrade` header names it). */
export function isWebSocketUpgrade(headers: IncomingHttpHeaders): boolean {
  const upgrade = headers.upgrade;
  return upgrade !== undefined && upgrade.split(',').some((token) => token.trim().toLowerCase() === 'websocket');
}

/**
 * Checks what the WebSocket server would check before Keygate opens anything upstream for it (RFC 6455 §4.2.1):
 * GET, version 13, a 16-byte base64 key. Throws a 400 ProxyError.
 */
export function checkHandshake(method: string | undefined, headers: IncomingHttpHeaders): void {
  if (method !== 'GET') throw proxyErrors.badHandshake('a WebSocket is opened with GET');
  if (headers['sec-websocket-version'] !== '13') throw proxyErrors.badHandshake('Sec-WebSocket-Version must be 13');
  const key = headers['sec-websocket-key'];
  if (key === undefined || !/^[+/0-9A-Za-z]{22}==$/.test(key.trim())) throw proxyErrors.badHandshake('Sec-WebSocket-Key must be 16 bytes in base64');
}

/** The upstream WebSocket URL: the base URL's origin as ws/wss, its path prefix, the checked path and query. */
export function upstreamSocketUrl(origin: string, basePath: string, path: string, query: string): string {
  const socketOrigin = origin.replace(/^http/, 'ws');
  return `${socketOrigin}${basePath}${path}${query === '' ? '' : `?${query}`}`;
}

/** Headers the WebSocket library sets itself for the upstream handshake, or that describe only the client's. */
const HANDSHAKE_HEADERS = new Set(['sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol', 'sec-websocket-extensions', 'origin']);

/**
 * The client's headers for the upstream handshake: the HTTP rules (no hop-by-hop headers, no client credentials or
 * account selectors) plus the real key, minus the handshake's own headers (the library sends fresh ones). Repeated
 * names are joined with `, `.
 */
export function upstreamSocketHeaders(rawHeaders: readonly string[], authorization: string): Record<string, string> {
  const flat = upstreamRequestHeaders(rawHeaders, authorization, null);
  const headers: Record<string, string> = {};
  for (let index = 0; index < flat.length; index += 2) {
    const name = flat[index]!.toLowerCase();
    if (HANDSHAKE_HEADERS.has(name) || name === 'accept-encoding') continue;
    headers[name] = headers[name] === undefined ? flat[index + 1]! : `${headers[name]}, ${flat[index + 1]!}`;
  }
  return headers;
}
