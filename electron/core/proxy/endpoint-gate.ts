import type { EndpointMatch } from './endpoint-table';
import type { SubkeyState, UpstreamState } from './key-cache';
import { proxyErrors } from './proxy-error';

/** First segments under /v1 of OpenAI's Admin API: every documented path under them is an admin operation. */
const ADMIN_ROOTS = new Set(['organization', 'projects']);

/**
 * Refuses what is never forwarded: OpenAI's Admin API (403 `endpoint_not_allowed`, for every key: it can mint keys
 * when the stored key is an admin key), and endpoints OpenAI does not document (404 `unknown_endpoint`) unless the
 * key's upstream passes unknown endpoints through — and even then not for a key with a model policy (403), since
 * the proxy cannot tell which model such an endpoint reaches. `path` is the canonical path (canonical-path.ts).
 */
export function checkEndpoint(method: string, path: string, endpoint: EndpointMatch | null, subkey: SubkeyState, upstream: () => UpstreamState): void {
  // Case-insensitive, unlike the table: an upstream that routes `/v1/Organization/…` must not find a way in.
  if (ADMIN_ROOTS.has((path.split('/', 3)[2] ?? '').toLowerCase())) throw proxyErrors.adminApi();
  if (endpoint) return;
  if (!upstream().passThroughUnknownEndpoints) throw proxyErrors.unknownEndpoint(method, path);
  if (subkey.restricted) throw proxyErrors.indirectModel('Keygate does not know this endpoint, so it cannot tell which models it reaches');
}
