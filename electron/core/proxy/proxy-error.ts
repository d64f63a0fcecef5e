import type { ServerResponse } from 'node:http';

/** OpenAI's error `type` values the proxy answers with. */
export type ProxyErrorType = 'invalid_request_error' | 'authentication_error' | 'permission_error' | 'insufficient_quota' | 'server_error' | 'not_found_error'
  // OpenAI's rate-limit errors name the limit that was reached as their type.
  | 'requests' | 'tokens';

/**
 * The one error a proxy stage throws to refuse or fail a request. Its message is shown to the client as is:
 * it never contains a key. `code` is also what the usage log records as the refusal reason.
 */
export class ProxyError extends Error {
  constructor(
    readonly status: number,
    readonly type: ProxyErrorType,
    readonly code: string,
    message: string,
    readonly param: string | null = null,
    /** Headers the answer carries besides the usual ones (`Allow` on a 405). */
    readonly headers: Readonly<Record<string, string>> | null = null,
    /** Passes with time although its code is otherwise final (a budget only held by requests in flight). */
    readonly passes = false,
  ) {
    super(message);
    this.name = 'ProxyError';
  }

  /**
   * A refusal the same request cannot get past by trying again: a bad or disabled key (401), a forbidden model,
   * endpoint or host (403), a spent quota. A rate limit (429 with another code) passes with time, so it is not final.
   */
  get final(): boolean {
    if (this.passes) return false;
    return this.status === 401 || this.status === 403 || this.code === 'insufficient_quota' || this.code === 'budget_exceeded';
  }
}

/** When a request refused because requests in flight hold the budget tries again: they cannot say when they end. */
const BUDGET_HELD_RETRY_MS = 1_000;

/** The `Allow` header of a 405: what the proxy forwards, plus OPTIONS, which it answers itself. */
export const ALLOWED_METHODS = 'GET, POST, DELETE, OPTIONS';

export const proxyErrors = {
  missingKey: () =>
    new ProxyError(401, 'authentication_error', 'missing_api_key', 'No API key provided. Send your Keygate sub-key as `Authorization: Bearer sk-kg-…`.'),
  unknownKey: () => new ProxyError(401, 'authentication_error', 'invalid_api_key', 'Incorrect API key provided: this sub-key is not known to Keygate.'),
  disabledKey: () => new ProxyError(401, 'authentication_error', 'subkey_disabled', 'This sub-key is disabled.'),
  expiredKey: () => new ProxyError(401, 'authentication_error', 'subkey_expired', 'This sub-key has expired.'),
  quotaSpent: () =>
    new ProxyError(429, 'insufficient_quota', 'insufficient_quota', 'This sub-key has no requests left. Ask its owner for more quota.'),
  budgetExceeded: (what: string, resetsAt: number | null, now: number) =>
    new ProxyError(
      429,
      'insufficient_quota',
      'budget_exceeded',
      resetsAt === null
        ? `This sub-key's budget of ${what} in total is spent. Ask its owner for a larger budget.`
        : `This sub-key's budget of ${what} is spent until ${new Date(resetsAt).toISOString()}, when it resets.`,
      null,
      resetsAt === null ? null : { 'retry-after': String(Math.max(1, Math.ceil((resetsAt - now) / 1000))) },
    ),
  /**
   * A budget that would take the request once the requests in flight are settled: they hold their worst case until
   * they are answered, and usually settle far below it. Not spent, so not final: SDKs wait a second and retry.
   */
  budgetHeld: (what: string) =>
    new ProxyError(
      429,
      'insufficient_quota',
      'budget_exceeded',
      `This sub-key's budget of ${what} is held by its requests in flight until they are answered (each holds its worst case). Please try again in 1s.`,
      null,
      { 'retry-after': '1', 'retry-after-ms': String(BUDGET_HELD_RETRY_MS) },
      true,
    ),
  priceUnknown: (model: string) =>
    new ProxyError(
      403,
      'permission_error',
      'price_unknown',
      `This sub-key has a budget in US dollars, and Keygate knows no price for the model "${model.slice(0, 256)}", so it was refused rather than charged $0. Ask Keygate's owner to set a price for it.`,
      'model',
    ),
  toolPriceUnknown: (tool: string) =>
    new ProxyError(
      403,
      'permission_error',
      'price_unknown',
      `This sub-key has a budget in US dollars, and the tool "${tool.slice(0, 256)}" is billed per call, which Keygate cannot price, so the request was refused rather than charged $0 for it. Use a sub-key without a dollar budget for it.`,
      'tools',
    ),
  workPriceUnknown: (what: string) =>
    new ProxyError(
      403,
      'permission_error',
      'price_unknown',
      `This sub-key has a budget, and ${what} spends upstream after its answer by a measure Keygate cannot see, so it was refused rather than left outside the budget. Use a sub-key without a dollar or token budget for it.`,
      null,
    ),
  modelForbidden: (model: string) =>
    new ProxyError(403, 'permission_error', 'model_not_allowed', `This sub-key may not use the model "${model}".`, 'model'),
  modelUnknown: (where: string) =>
    new ProxyError(
      403,
      'permission_error',
      'model_required',
      `This sub-key is limited to certain models, and this request does not name its model ${where}; it was refused rather than guessed.`,
      'model',
    ),
  indirectModel: (why: string) =>
    new ProxyError(403, 'permission_error', 'endpoint_not_allowed', `This sub-key is limited to certain models, so this endpoint is refused: ${why}.`),
  permissionDenied: (group: string, needed: 'read' | 'write', has: string) =>
    new ProxyError(
      403,
      'permission_error',
      'permission_denied',
      `You have insufficient permissions for this operation: this sub-key needs ${needed} access to the "${group}" endpoints and has ${has}.`,
    ),
  permissionDeniedUnknown: () =>
    new ProxyError(
      403,
      'permission_error',
      'permission_denied',
      'You have insufficient permissions for this operation: Keygate does not know this endpoint, so only a sub-key with every permission may call it.',
    ),
  mintingNotAllowed: () =>
    new ProxyError(
      403,
      'permission_error',
      'permission_denied',
      'You have insufficient permissions for this operation: this sub-key may not mint credentials (traffic on a minted credential bypasses Keygate).',
    ),
  credentialOutlivesKey: (seconds: number) =>
    new ProxyError(
      403,
      'permission_error',
      'credential_outlives_key',
      `This sub-key expires within ${seconds} seconds, before the credential asked for would: no credential may outlive its key.`,
    ),
  mintBody: (detail: string) => new ProxyError(400, 'invalid_request_error', 'invalid_request', `Keygate could not check this credential request: ${detail}.`, 'expires_after'),
  batchInput: (why: string) => new ProxyError(403, 'permission_error', 'batch_input_not_allowed', `This batch was refused: ${why}.`, 'input_file_id'),
  objectNotFound: (id: string, param = 'id') =>
    new ProxyError(404, 'invalid_request_error', 'object_not_found', `No such object: ${id.slice(0, 200)} (or it belongs to another sub-key).`, param),
  modelNotFound: (model: string) => new ProxyError(404, 'invalid_request_error', 'model_not_found', `The model "${model}" does not exist or you do not have access to it.`, 'model'),
  badJson: (detail: string) => new ProxyError(400, 'invalid_request_error', 'invalid_json', `The request body is not valid JSON: ${detail}`),
  badForm: (detail: string) => new ProxyError(400, 'invalid_request_error', 'invalid_multipart', `The multipart request body could not be read: ${detail}`),
  tooLarge: (limit: number) =>
    new ProxyError(413, 'invalid_request_error', 'request_too_large', `The request body is larger than Keygate's limit of ${limit} bytes.`),
  ambiguousRequest: (detail: string) =>
    new ProxyError(400, 'invalid_request_error', 'ambiguous_request', `This request could be read more than one way, so Keygate did not forward it: ${detail}.`),
  invalidModel: (detail: string) => new ProxyError(400, 'invalid_request_error', 'invalid_model', `The model name ${detail}.`, 'model'),
  duplicateModel: () => new ProxyError(400, 'invalid_request_error', 'duplicate_model', 'The query names "model" more than once.', 'model'),
  badPath: (rule: string) =>
    new ProxyError(
      400,
      'invalid_request_error',
      'invalid_path',
      `Keygate reads each request path one way only, and refused this one: ${rule}. Send the path as OpenAI documents it.`,
    ),
  unknownEndpoint: (method: string, path: string) =>
    new ProxyError(
      404,
      'invalid_request_error',
      'unknown_endpoint',
      `Keygate does not know the endpoint ${method} ${path.slice(0, 200)} (paths are case-sensitive), so it was not forwarded.`,
    ),
  adminApi: () =>
    new ProxyError(
      403,
      'permission_error',
      'endpoint_not_allowed',
      "OpenAI's Admin API (/v1/organization/…, /v1/projects/…) is never forwarded: it manages the whole organization and its keys.",
    ),
  methodNotAllowed: (method: string) =>
    new ProxyError(
      405,
      'invalid_request_error',
      'method_not_allowed',
      `Keygate forwards only GET, POST and DELETE (the methods OpenAI's API uses); ${method.slice(0, 20)} is not forwarded.`,
      null,
      { allow: ALLOWED_METHODS },
    ),
  websocketNotSupported: () =>
    new ProxyError(
      501,
      'invalid_request_error',
      'websocket_not_supported',
      'Keygate proxies WebSocket connections only on /v1/realtime and /v1/responses: use the HTTP API here (streaming over server-sent events works).',
    ),
  upgradeNotSupported: () =>
    new ProxyError(400, 'invalid_request_error', 'upgrade_not_supported', 'Keygate switches protocols only to WebSocket: send this request without an Upgrade header.'),
  badHandshake: (detail: string) => new ProxyError(400, 'invalid_request_error', 'invalid_websocket_handshake', `The WebSocket handshake is not valid: ${detail}.`),
  originNotAllowed: () =>
    new ProxyError(
      403,
      'permission_error',
      'origin_not_allowed',
      'This Origin may not open WebSocket connections to Keygate: only pages from this machine (loopback origins) or from Keygate itself may.',
    ),
  invalidEvent: (detail: string) =>
    new ProxyError(400, 'invalid_request_error', 'invalid_event', `Keygate could not read this event (${detail}): send each client event as one JSON object in a text frame.`),
  shuttingDown: () => new ProxyError(503, 'server_error', 'proxy_shutting_down', 'Keygate is shutting down: this event was not forwarded.'),
  notFound: (path: string) => new ProxyError(404, 'invalid_request_error', 'unknown_url', `Unknown request URL: ${path}. Keygate serves the OpenAI API under /v1.`),
  hostNotAllowed: () =>
    new ProxyError(403, 'permission_error', 'host_not_allowed', 'This Host header is not allowed: Keygate answers loopback names and the hosts configured for it.'),
  upstreamUnreachable: () => new ProxyError(502, 'server_error', 'upstream_unreachable', 'Keygate could not reach the upstream API.'),
  upstreamTimeout: () => new ProxyError(504, 'server_error', 'upstream_timeout', 'The upstream API did not answer in time.'),
  upstreamKeyUnreadable: () =>
    new ProxyError(
      500,
      'server_error',
      'upstream_key_unreadable',
      'Keygate could not decrypt the upstream API key (the master key or OS keychain changed). Re-enter the upstream key in Keygate.',
    ),
  storeUnavailable: () =>
    new ProxyError(
      503,
      'server_error',
      'store_unavailable',
      'Keygate cannot write its usage store (disk full or read-only), so it forwards nothing until it can. Try again later.',
    ),
  internal: () => new ProxyError(500, 'server_error', 'internal_error', 'Keygate failed to handle this request.'),
  /**
   * A sub-key's rate limit is reached: 429 with Retry-After (and the SDKs' own `retry-after-ms`), and without
   * `x-should-retry: false`, so SDKs wait and retry on their own.
   */
  rateLimited: (type: 'requests' | 'tokens', what: string, retryAfterMs: number) => {
    const wait = Math.max(1, Math.ceil(retryAfterMs));
    return new ProxyError(
      429,
      type,
      'rate_limit_exceeded',
      `Rate limit reached for this sub-key on ${what}. Please try again in ${formatWait(wait)}.`,
      null,
      { 'retry-after': String(Math.ceil(wait / 1000)), 'retry-after-ms': String(wait) },
    );
  },
  /** A request whose tokens alone exceed the key's tokens per minute: it can never pass, so SDKs are told not to retry. */
  requestTooLarge: (limit: number, requested: number) =>
    new ProxyError(
      429,
      'tokens',
      'rate_limit_exceeded',
      `Request too large for this sub-key's tokens per min (TPM): Limit ${limit}, Requested ${requested}. Lower max_tokens (Keygate counts the output cap, or the default output tokens when none is set) or the input.`,
      null,
      { 'x-should-retry': 'false' },
    ),
};

function formatWait(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${Math.round(ms / 100) / 10}s`;
}

/** Headers every /v1 answer carries: browser tools may call the proxy (bearer auth, never credentials). */
export const CORS_HEADERS = { 'access-control-allow-origin': '*', 'access-control-expose-headers': '*' } as const;

/**
 * Writes `error` in OpenAI's wire shape. Safe when a response already started (then it just ends it). A final refusal
 * says `x-should-retry: false`, which OpenAI's SDKs honour instead of retrying it twice.
 */
export function sendError(response: ServerResponse, error: ProxyError, extraHeaders?: Record<string, string>): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const body = JSON.stringify({ error: { message: error.message, type: error.type, param: error.param, code: error.code } });
  response.writeHead(error.status, {
    ...CORS_HEADERS,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...(error.final && { 'x-should-retry': 'false' }),
    ...error.headers,
    ...extraHeaders,
  });
  response.end(body);
}
