import { proxyErrors } from './proxy-error';

/** A request target read once: what every check reads, and the bytes upstream gets for it. */
export interface CanonicalTarget {
  /** The path percent-decoded exactly once, starting with `/v1`: the endpoint table and every check read this. */
  path: string;
  /** `path` re-encoded segment by segment, plus the query: upstream decodes it back to exactly `path`. */
  target: string;
}

// ignoreBOM keeps a leading U+FEFF in the segment, where it belongs, rather than silently dropping it.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** A raw request target is printable ASCII (anything else must be percent-encoded)… */
const ALLOWED_RAW = /^[\u0021-\u007e]*$/;
/** …without `\` (a `/` to some servers), `;` (a parameter separator to some) or `#` (a fragment to most). */
const FORBIDDEN_RAW = /[\\;#]/;
/** Bytes sent as they are in a path segment (RFC 3986 pchar without `;`); everything else is percent-encoded. */
const NEEDS_ENCODING = /[^A-Za-z0-9\-._~!$&'()*+,=:@]+/g;
/** A path that is already canonical when it has no dot segment: what clients send nearly always (the fast path). */
const PLAIN = /^(?:\/[A-Za-z0-9\-._~!$&'()*+,=:@]+)+$/;
const DOT_SEGMENT = /\/\.\.?(?:\/|$)/;

/**
 * Reads a request target (`rawPath` under /v1, `query` without its `?`) the one way Keygate reads it: each segment
 * percent-decoded once, and refused (400 `invalid_path`) when another reader could take it for a different path —
 * encoded `/` or `\`, empty or dot segments, `;` parameters, control characters, malformed escapes, `#`. A single
 * trailing slash is dropped (`/v1/models/` is `/v1/models`). Throws a ProxyError.
 */
export function canonicalTarget(rawPath: string, query: string): CanonicalTarget {
  if (!ALLOWED_RAW.test(rawPath) || !ALLOWED_RAW.test(query) || FORBIDDEN_RAW.test(rawPath) || FORBIDDEN_RAW.test(query)) {
    throw proxyErrors.badPath('only printable ASCII without "\\", ";" or "#" (percent-encode the rest)');
  }
  if (!rawPath.startsWith('/')) throw proxyErrors.badPath('the path must start with "/"');
  if (PLAIN.test(rawPath) && !DOT_SEGMENT.test(rawPath)) return { path: rawPath, target: query === '' ? rawPath : `${rawPath}?${query}` };
  const raw = rawPath.slice(1).split('/');
  if (raw.length > 1 && raw[raw.length - 1] === '') raw.pop();
  const segments = raw.map(decodeSegment);
  const path = `/${segments.join('/')}`;
  const encoded = `/${segments.map((segment) => segment.replace(NEEDS_ENCODING, encodeURIComponent)).join('/')}`;
  return { path, target: query === '' ? encoded : `${encoded}?${query}` };
}

function decodeSegment(raw: string): string {
  if (raw === '') throw proxyErrors.badPath('empty segments ("//") are not allowed');
  const decoded = raw.includes('%') ? percentDecode(raw) : raw;
  if (decoded === '.' || decoded === '..') throw proxyErrors.badPath('"." and ".." segments are not allowed, encoded or not');
  if (hasForbiddenChar(decoded)) {
    throw proxyErrors.badPath('a segment may not hold "/", "\\" or ";", encoded or not, nor control characters');
  }
  return decoded;
}

/** Decodes `%XX` escapes once, as UTF-8. Refuses a malformed escape or bytes that are not UTF-8. */
function percentDecode(raw: string): string {
  const bytes: number[] = [];
  for (let index = 0; index < raw.length; index++) {
    const code = raw.charCodeAt(index);
    if (code !== 0x25) {
      bytes.push(code);
      continue;
    }
    const hex = raw.slice(index + 1, index + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw proxyErrors.badPath('a "%" must start a two-digit hex escape');
    bytes.push(parseInt(hex, 16));
    index += 2;
  }
  try {
    return UTF8.decode(Uint8Array.from(bytes));
  } catch {
    throw proxyErrors.badPath('percent-escapes must encode UTF-8');
  }
}

/** Whether a decoded segment holds a C0/C1 control character, DEL, `/`, `\` or `;` (a path parameter to some servers). */
function hasForbiddenChar(segment: string): boolean {
  for (let index = 0; index < segment.length; index++) {
    const code = segment.charCodeAt(index);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2f || code === 0x5c || code === 0x3b) return true;
  }
  return false;
}
