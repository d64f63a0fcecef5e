import { isModelAllowed } from '../../shared/model-policy';
import type { EndpointMatch } from './endpoint-table';
import type { SubkeyState } from './key-cache';
import { proxyErrors } from './proxy-error';
import type { BodyKind } from './request-body';

/** What a request says about its model, wherever it says it. */
export interface ModelClaims {
  method: string;
  endpoint: EndpointMatch | null;
  bodyKind: BodyKind;
  /** The parsed JSON body (when bodyKind is json). */
  json: unknown;
  /** The multipart `model` field (when bodyKind is form). */
  formModel: string | null;
  /** The `?model=` query parameter. */
  queryModel: string | null;
}

/**
 * Model policy: every model the request names must be allowed, and a key with a policy is refused where the model
 * cannot be known (an endpoint that takes one but names none here, or reaches models indirectly). Returns the
 * model to log (null when none is named). Throws a 403 ProxyError (404 for `/models/{model}`).
 */
export function authorize(subkey: SubkeyState, claims: ModelClaims): string | null {
  const { endpoint } = claims;
  const jsonModel = topLevelModel(claims.json);
  const named = jsonModel ?? claims.formModel ?? endpoint?.pathModel ?? claims.queryModel;
  if (!subkey.restricted) return named;

  if (endpoint?.spec.indirect) throw proxyErrors.indirectModel(endpoint.spec.indirect);
  if (endpoint?.pathModel != null && !isModelAllowed(subkey.policy, endpoint.pathModel)) throw proxyErrors.modelNotFound(endpoint.pathModel);
  for (const model of [claims.queryModel, claims.formModel]) {
    if (model !== null && !isModelAllowed(subkey.policy, model)) throw proxyErrors.modelForbidden(model);
  }
  // Nested `model` members (a Responses tool's image model, say) reach models too.
  for (const model of modelsIn(claims.json)) {
    if (!isModelAllowed(subkey.policy, model)) throw proxyErrors.modelForbidden(model);
  }

  const sources = endpoint?.spec.model ?? [];
  if (sources.length > 0) {
    const found =
      (sources.includes('json') && claims.bodyKind === 'json' && jsonModel !== null) ||
      (sources.includes('form') && claims.bodyKind === 'form' && claims.formModel !== null) ||
      (sources.includes('query') && claims.queryModel !== null) ||
      (sources.includes('path') && endpoint?.pathModel != null);
    if (!found) throw proxyErrors.modelUnknown(describe(sources));
  }
  return named;
}

function topLevelModel(json: unknown): string | null {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return null;
  const model = (json as { model?: unknown }).model;
  return typeof model === 'string' ? model : null;
}

/** Every string `model` member anywhere in a JSON value (bounded depth). */
function modelsIn(json: unknown, depth = 0, found: string[] = []): string[] {
  if (typeof json !== 'object' || json === null || depth > 32) return found;
  if (Array.isArray(json)) {
    for (const item of json) if (typeof item === 'object' && item !== null) modelsIn(item, depth + 1, found);
    return found;
  }
  const record = json as Record<string, unknown>;
  for (const key in record) {
    const value = record[key];
    if (typeof value === 'object' && value !== null) modelsIn(value, depth + 1, found);
    else if (key === 'model' && typeof value === 'string') found.push(value);
  }
  return found;
}

function describe(sources: readonly string[]): string {
  const places: Record<string, string> = {
    json: 'in a JSON body "model" field',
    form: 'in a multipart "model" field',
    query: 'in the ?model= query parameter',
    path: 'in the path',
  };
  return `(expected ${sources.map((source) => places[source]).join(' or ')})`;
}
