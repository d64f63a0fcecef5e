import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import { channelPath, channels, type Channel } from '../../shared/contract';
import { UsageExportSchema } from '../../shared/schemas';
import type { Dispatch } from '../dispatch';
import type { Logger } from '../logger';
import { isAllowedHost } from '../proxy/host-check';
import { AdminThrottle, type AdminThrottleOptions } from './admin-throttle';
import { bearerToken, verifyAdminToken } from './admin-token';
import { streamEvents, type EventSource } from './event-stream';
import { readJsonBody, sendError, sendJson } from './http-io';
import { buildAdminOpenApi, OPENAPI_PATH } from './openapi';
import { serveUi } from './static-ui';

export const ADMIN_PREFIX = '/admin';
export const ADMIN_API_PREFIX = '/admin/api/';
export const EVENTS_PATH = '/admin/api/events';
/** The usage log as a streamed CSV download (GET with `?subkeyId=&before=`, or POST with them as JSON). */
export const USAGE_EXPORT_PATH = '/admin/api/usage/export';

/** `/admin/api/<namespace>/<verb>` → channel, derived from the contract (no hand-written route table). */
export const adminRoutes: ReadonlyMap<string, Channel> = new Map(channels.map((channel) => [channelPath(channel), channel]));

export interface AdminApiOptions {
  dispatch: Dispatch;
  events: EventSource;
  /** The stored SHA-256 of the admin token (read per request, so a reset takes effect at once). */
  tokenHash: () => string | null;
  /** The built UI (`out/renderer`). */
  uiDir: string;
  allowedHosts?: readonly string[];
  heartbeatMs?: number;
  /** Limits on wrong admin tokens per client address (default: 20 a minute). */
  throttle?: AdminThrottleOptions;
  log?: Logger;
  /** Keygate's version, for the OpenAPI document's `info.version`. */
  version?: string;
  /** Streams the filtered usage log as CSV to `sink` and ends it (writeUsageCsv); without it the export is 404. */
  exportUsage?: (filter: { subkeyId?: string | undefined; before?: number | undefined }, sink: Writable) => Promise<number>;
}

export interface AdminApi {
  /** Handles a request whose path starts with `/admin`. */
  handle(request: IncomingMessage, response: ServerResponse): void;
  /** Ends open event streams (shutdown). */
  close(): void;
  /** Waits until in-flight API calls have answered (at most `timeoutMs`), so the store can close under none. */
  drain(timeoutMs: number): Promise<void>;
}

/** Whether a request path belongs to the admin API and UI. */
export function isAdminPath(pathname: string): boolean {
  return pathname === ADMIN_PREFIX || pathname.startsWith(`${ADMIN_PREFIX}/`);
}

/**
 * The admin HTTP API (`POST /admin/api/<namespace>/<verb>`, `GET /admin/api/events`, its OpenAPI document at
 * `GET /admin/api/openapi.json`) and the UI under `/admin/`.
 */
export function createAdminApi(options: AdminApiOptions): AdminApi {
  const streams = new Set<() => void>();
  const inFlight = new Set<Promise<void>>();
  const throttle = new AdminThrottle(options.throttle);
  let openApi: object | null = null;

  /** Whether the request carries the admin token; answers it (401 or 429) when it does not. */
  function authorized(request: IncomingMessage, response: ServerResponse): boolean {
    const address = request.socket.remoteAddress ?? '';
    const wait = throttle.waitSeconds(address);
    if (wait > 0) {
      sendError(response, { code: 'RATE_LIMITED', message: `Too many wrong admin tokens from this address. Try again in ${wait} s.` }, 429, {
        'retry-after': String(wait),
      });
      return false;
    }
    const presented = bearerToken(request.headers.authorization);
    if (verifyAdminToken(presented, options.tokenHash())) {
      throttle.succeed(address);
      return true;
    }
    // No token at all guesses nothing (a UI before its login): only a wrong one counts.
    if (presented !== null) throttle.fail(address);
    sendError(response, { code: 'UNAUTHORIZED', message: 'Send the admin token as `Authorization: Bearer <token>`.' }, 401, {
      'www-authenticate': 'Bearer realm="keygate-admin"',
    });
    return false;
  }

  async function callChannel(request: IncomingMessage, response: ServerResponse, channel: Channel): Promise<void> {
    const body = await readJsonBody(request);
    if (!body.ok) {
      sendError(response, { code: 'INVALID_INPUT', message: body.message }, body.status, body.status === 413 ? { connection: 'close' } : {});
      return;
    }
    const result = await options.dispatch(channel, body.value);
    if (result.ok) sendJson(response, 200, result.data);
    else sendError(response, result.error);
  }

  /** Answers the CSV as it is read from the store, never the whole log at once (see writeUsageCsv). */
  async function exportUsage(request: IncomingMessage, response: ServerResponse, write: NonNullable<AdminApiOptions['exportUsage']>): Promise<void> {
    let input: unknown;
    if (request.method === 'GET') {
      const query = new URL(request.url ?? '/', 'http://admin.invalid').searchParams;
      const before = query.get('before');
      input = { ...(query.has('subkeyId') && { subkeyId: query.get('subkeyId') }), ...(before !== null && { before: Number(before) }) };
    } else if (request.method === 'POST') {
      const body = await readJsonBody(request);
      if (!body.ok) return sendError(response, { code: 'INVALID_INPUT', message: body.message }, body.status);
      input = body.value ?? {};
    } else return methodNotAllowed(response, 'GET, POST');
    const filter = UsageExportSchema.safeParse(input);
    if (!filter.success) return sendError(response, { code: 'INVALID_INPUT', message: filter.error.issues.map((issue) => issue.message).join('; ') });
    response.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8; header=present',
      'content-disposition': 'attachment; filename="keygate-usage.csv"',
      'cache-control': 'no-store',
    });
    try {
      await write(filter.data, response);
    } catch {
      // The client went away mid-download: nothing left to answer.
      response.destroy();
    }
  }

  function openEvents(request: IncomingMessage, response: ServerResponse): void {
    const close = streamEvents(request, response, options.events, options.heartbeatMs);
    streams.add(close);
    response.on('close', () => streams.delete(close));
  }

  async function handleApi(request: IncomingMessage, response: ServerResponse, pathname: string): Promise<void> {
    if (!authorized(request, response)) return;
    if (pathname === EVENTS_PATH) {
      if (request.method !== 'GET') return methodNotAllowed(response, 'GET');
      return openEvents(request, response);
    }
    if (pathname === OPENAPI_PATH) {
      if (request.method !== 'GET') return methodNotAllowed(response, 'GET');
      openApi ??= buildAdminOpenApi(options.version ?? '0.0.0');
      return sendJson(response, 200, openApi);
    }
    if (pathname === USAGE_EXPORT_PATH && options.exportUsage) return exportUsage(request, response, options.exportUsage);
    const channel = adminRoutes.get(pathname);
    if (!channel) {
      sendError(response, { code: 'NOT_FOUND', message: `No admin API at ${pathname.slice(0, 200)}.` }, 404);
      return;
    }
    if (request.method !== 'POST') return methodNotAllowed(response, 'POST');
    await callChannel(request, response, channel);
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!isAllowedHost(request.headers.host, options.allowedHosts)) {
      sendError(response, { code: 'FORBIDDEN', message: 'This Host is not allowed. Use 127.0.0.1 or localhost, or start with --allow-host.' }, 403);
      return;
    }
    const pathname = new URL(request.url ?? '/', 'http://admin.invalid').pathname;
    if (pathname.startsWith(ADMIN_API_PREFIX) || pathname === ADMIN_API_PREFIX.slice(0, -1)) return handleApi(request, response, pathname);
    if (pathname === ADMIN_PREFIX) {
      response.writeHead(308, { location: `${ADMIN_PREFIX}/` }).end();
      return;
    }
    return serveUi(request, response, options.uiDir, pathname.slice(ADMIN_PREFIX.length + 1));
  }

  return {
    handle(request, response) {
      const handled = route(request, response).catch((error: unknown) => {
        options.log?.error('admin request failed', error);
        if (!response.headersSent) sendError(response, { code: 'INTERNAL', message: 'Something went wrong inside Keygate.' });
        else response.destroy();
      });
      inFlight.add(handled);
      void handled.finally(() => inFlight.delete(handled));
    },
    close() {
      for (const close of streams) close();
      streams.clear();
    },
    async drain(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([Promise.allSettled([...inFlight]), timeout]);
      clearTimeout(timer);
    },
  };
}

function methodNotAllowed(response: ServerResponse, allow: string): void {
  sendError(response, { code: 'INVALID_INPUT', message: `Use ${allow} here.` }, 405, { allow });
}
