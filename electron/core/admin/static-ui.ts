import { createReadStream, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

export const ADMIN_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
};

const SECURITY_HEADERS = {
  'content-security-policy': ADMIN_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

/**
 * The file under `root` that a path below `/admin/` names, or null when it would leave `root`
 * (`..`, encoded slashes, NUL bytes). `''` is index.html.
 */
export function resolveUiFile(root: string, relativePath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(relativePath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const base = resolve(root);
  const file = resolve(base, `.${sep}${decoded === '' || decoded.endsWith('/') ? `${decoded}index.html` : decoded}`);
  return file.startsWith(base + sep) ? file : null;
}

async function fileStats(file: string): Promise<Stats | null> {
  try {
    const stats = await stat(file);
    return stats.isFile() ? stats : null;
  } catch {
    return null;
  }
}

/** Serves the built UI (`out/renderer`) below `/admin/`; unknown extension-less paths get index.html (client routes). */
export async function serveUi(request: IncomingMessage, response: ServerResponse, root: string, relativePath: string): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS }).end('Method not allowed');
    return;
  }
  const file = resolveUiFile(root, relativePath);
  if (!file) {
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS }).end('Not found');
    return;
  }
  let target = file;
  let stats = await fileStats(target);
  if (!stats && extname(file) === '') {
    target = join(resolve(root), 'index.html');
    stats = await fileStats(target);
  }
  if (!stats) {
    const missingUi = !(await fileStats(join(resolve(root), 'index.html')));
    response
      .writeHead(missingUi ? 503 : 404, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS })
      .end(missingUi ? 'The Keygate UI is not built: run `npm run build`.' : 'Not found');
    return;
  }
  const isHtml = extname(target) === '.html';
  response.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(target)] ?? 'application/octet-stream',
    'content-length': stats.size,
    // Vite names assets by content hash, so they never change; the page itself must be re-checked.
    'cache-control': isHtml ? 'no-cache' : 'public, max-age=31536000, immutable',
    ...SECURITY_HEADERS,
  });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  createReadStream(target)
    .on('error', () => response.destroy())
    .pipe(response);
}
