import { request } from 'undici';
import { AppError, type ErrorParams, type ErrorReason, type NetworkCause } from '../../shared/errors';
import type { ModelListing } from '../store/models-repo';

export const MODELS_TIMEOUT_MS = 15_000;
const MAX_MESSAGE_CHARS = 300;

export interface UpstreamTarget {
  name: string;
  baseUrl: string;
  apiKey: string;
}

/** Calls `GET {baseUrl}/v1/models` with the real key and answers the listed models; errors are UPSTREAM_ERROR without the key. */
export async function fetchUpstreamModels(target: UpstreamTarget, timeoutMs = MODELS_TIMEOUT_MS): Promise<ModelListing[]> {
  const url = `${target.baseUrl}/v1/models`;
  let response;
  try {
    response = await request(url, {
      method: 'GET',
      headers: { authorization: `Bearer ${target.apiKey}`, accept: 'application/json' },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const failure = networkFailure(error, timeoutMs);
    throw upstreamError(`Could not reach ${target.name} at ${url}: ${failure.text}.`, 'upstream_unreachable', { name: target.name, url, ...failure.params });
  }
  const text = await readBody(response.body, target, url, timeoutMs);
  if (response.statusCode < 200 || response.statusCode > 299) {
    const detail = upstreamErrorMessage(text, target.apiKey);
    const { hint, reason } = hintForStatus(response.statusCode);
    throw upstreamError(`${target.name} answered ${response.statusCode}${hint}${detail ? `: ${detail}` : '.'}`, reason, {
      name: target.name,
      status: response.statusCode,
      ...(detail && { detail }),
    });
  }
  return parseModelList(text, target);
}

/** An UPSTREAM_ERROR with its English message and, for clients in other languages, its reason and values. */
function upstreamError(message: string, reason: ErrorReason, params: ErrorParams): AppError {
  return new AppError('UPSTREAM_ERROR', message, undefined, { reason, params });
}

async function readBody(body: { text(): Promise<string> }, target: UpstreamTarget, url: string, timeoutMs: number): Promise<string> {
  try {
    return await body.text();
  } catch (error) {
    const failure = networkFailure(error, timeoutMs);
    throw upstreamError(`${target.name} stopped answering at ${url}: ${failure.text}.`, 'upstream_stopped_answering', { name: target.name, url, ...failure.params });
  }
}

function hintForStatus(status: number): { hint: string; reason: ErrorReason } {
  if (status === 401) return { hint: ' (the API key was refused)', reason: 'upstream_refused_key' };
  if (status === 403) return { hint: ' (the API key may not list models)', reason: 'upstream_forbidden' };
  if (status === 404) return { hint: ' (no /v1/models here: check the base URL)', reason: 'upstream_no_models_endpoint' };
  if (status === 429) return { hint: ' (rate limited or out of credit)', reason: 'upstream_rate_limited' };
  return { hint: '', reason: 'upstream_status' };
}

/** Turns a network failure into words and a stable cause; undici's messages name no key (the key is only in a header). */
function networkFailure(error: unknown, timeoutMs: number): { text: string; params: ErrorParams & { cause: NetworkCause } } {
  const err = error as { code?: string; name?: string; message?: string; cause?: { code?: string } };
  const code = err.code ?? err.cause?.code;
  if (err.name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    const seconds = Math.round(timeoutMs / 1000);
    return { text: `no answer within ${seconds} s`, params: { cause: 'timeout', seconds } };
  }
  if (code === 'ECONNREFUSED') return { text: 'connection refused', params: { cause: 'refused' } };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { text: 'host name not found', params: { cause: 'host_not_found' } };
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return { text: 'the connection was closed', params: { cause: 'closed' } };
  if (code?.startsWith('ERR_TLS') || code === 'CERT_HAS_EXPIRED' || code === 'DEPTH_ZERO_SELF_SIGNED_CERT') {
    return { text: 'TLS certificate problem', params: { cause: 'tls' } };
  }
  return code ? { text: `network error ${code}`, params: { cause: 'network', networkCode: code } } : { text: 'network error', params: { cause: 'network' } };
}

/** The upstream's own `error.message` (OpenAI shape) or a short text body, with anything key-like removed. */
export function upstreamErrorMessage(body: string, apiKey: string): string {
  let message = '';
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    if (typeof parsed.error === 'object' && typeof parsed.error?.message === 'string') message = parsed.error.message;
    else if (typeof parsed.error === 'string') message = parsed.error;
    else if (typeof parsed.message === 'string') message = parsed.message;
  } catch {
    message = body.trim().startsWith('<') ? '' : body;
  }
  return redactKeys(message, apiKey).replace(/\s+/g, ' ').trim().slice(0, MAX_MESSAGE_CHARS);
}

/** Removes the key and anything that looks like an API key (upstreams echo partial keys, e.g. `sk-abc***wxyz`). */
export function redactKeys(text: string, apiKey: string): string {
  const withoutKey = apiKey ? text.split(apiKey).join('[redacted]') : text;
  return withoutKey.replace(/\b(sk|key|rk|pk)-[A-Za-z0-9_*.-]{4,}/g, '[redacted]');
}

function parseModelList(text: string, target: UpstreamTarget): ModelListing[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw upstreamError(`${target.name} did not answer JSON at /v1/models: check the base URL.`, 'upstream_not_json', { name: target.name });
  }
  const data = (parsed as { data?: unknown }).data;
  if (!Array.isArray(data)) throw upstreamError(`${target.name} answered /v1/models without a "data" list.`, 'upstream_no_model_list', { name: target.name });
  const models = new Map<string, ModelListing>();
  for (const item of data) {
    const id = (item as { id?: unknown }).id;
    const ownedBy = (item as { owned_by?: unknown }).owned_by;
    if (typeof id === 'string' && id.length > 0 && id.length <= 200) {
      models.set(id, { id, ownedBy: typeof ownedBy === 'string' ? ownedBy : null });
    }
  }
  return [...models.values()];
}
