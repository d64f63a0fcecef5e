import { extname, resolve, sep } from 'node:path';
import { APP_HOST, APP_SCHEME } from './app-origin';

/**
 * The renderer's Content-Security-Policy, sent as a header with every app:// response. Only the app's own
 * scripts run; styles may be inline (the component library sets style attributes); no plugins, frames, forms
 * or base-URL tricks; data goes through IPC, so `connect-src` is the app alone.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
};

export type AppFileResolution =
  | { ok: true; file: string; contentType: string }
  | { ok: false; status: 400 | 403 | 404 | 405 };

/**
 * Maps an `app://keygate/…` request to a file inside `rootDir` (the built renderer). Refuses other hosts and
 * methods, malformed escapes, NUL bytes and anything that would resolve outside `rootDir` (`..`, encoded
 * slashes, backslashes). `/` serves `index.html`; unknown extensions are served as bytes, never executed.
 */
export function resolveAppFile(rootDir: string, requestUrl: string, method = 'GET'): AppFileResolution {
  if (method !== 'GET' && method !== 'HEAD') return { ok: false, status: 405 };
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return { ok: false, status: 400 };
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return { ok: false, status: 404 };
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return { ok: false, status: 400 };
  }
  if (path.includes('\0')) return { ok: false, status: 400 };
  if (path === '' || path.endsWith('/')) path += 'index.html';
  const root = resolve(rootDir);
  // Resolve as a relative path (leading slashes stripped) so an absolute-looking path cannot replace the root.
  const file = resolve(root, path.replace(/^[/\\]+/, ''));
  if (!file.startsWith(root + sep)) return { ok: false, status: 403 };
  return { ok: true, file, contentType: CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream' };
}

/** Headers for a file served over app://: its type, the CSP, and no MIME sniffing. */
export function appResponseHeaders(contentType: string): Record<string, string> {
  return {
    'content-type': contentType,
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache',
  };
}
