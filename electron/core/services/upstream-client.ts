import { request } from 'undici';
import { AppError } from '../../shared/errors';
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
    throw new AppError('UPSTREAM_ERROR', `Could not reach ${target.name} at ${url}: ${describeNetworkError(error, timeoutMs)}.`);
  }
  const text = await readBody(response.body, target, url, timeoutMs);
  if (response.statusCode < 200 || response.statusCode > 299) {
    const detail = upstreamErrorMessage(text, target.apiKey);
    throw new AppError(
      'UPSTREAM_ERROR',
      `${target.name} answered ${response.statusCode}${hintForStatus(response.statusCode)}${detail ? `: ${detail}` : '.'}`,
    );
  }
  return parseModelList(text, target);
}

async function readBody(body: { text(): Promise<string> }, target: UpstreamTarget, url: string, timeoutMs: number): Promise<string> {
  try {
    return await body.text();
  } catch (error) {
    throw new AppError('UPSTREAM_ERROR', `${target.name} stopped answering at ${url}: ${describeNetworkError(error, timeoutMs)}.`);
  }
}

function hintForStatus(status: number): string {
  if (status === 401) return ' (the API key was refused)';
  if (status === 403) return ' (the API key may not list models)';
  if (status === 404) return ' (no /v1/models here: check the base URL)';
  if (status === 429) return ' (rate limited or out of credit)';
  return '';
}

/** Turns a network failure into words; undici's messages name no key (the key is only in a header). */
function describeNetworkError(error: unknown, timeoutMs: number): string {
  const err = error as { code?: string; name?: string; message?: string; cause?: { code?: string } };
  const code = err.code ?? err.cause?.code;
  if (err.name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return `no answer within ${Math.round(timeoutMs / 1000)} s`;
  }
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host name not found';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'the connection was closed';
  if (code?.startsWith('ERR_TLS') || code === 'CERT_HAS_EXPIRED' || code === 'DEPTH_ZERO_SELF_SIGNED_CERT') return 'TLS certificate problem';
  return code ? `network error ${code}` : 'network error';
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
    throw new AppError('UPSTREAM_ERROR', `${target.name} did not answer JSON at /v1/models: check the base URL.`);
  }
  const data = (parsed as { data?: unknown }).data;
  if (!Array.isArray(data)) throw new AppError('UPSTREAM_ERROR', `${target.name} answered /v1/models without a "data" list.`);
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
