import { isModelAllowed, MAX_MODEL_NAME_LENGTH, modelNameProblem, type ModelNameProblem } from '../../shared/model-policy';
import { repeatsModelMember } from './duplicate-members';
import type { EndpointMatch } from './endpoint-table';
import type { SubkeyState } from './key-cache';
import { modelPlacesOf, readModels, type NamedModels } from './model-places';
import { proxyErrors } from './proxy-error';
import type { BodyKind } from './request-body';

/** What a request says about its model, wherever it says it. */
export interface ModelClaims {
  method: string;
  endpoint: EndpointMatch | null;
  bodyKind: BodyKind;
  /** The parsed JSON body (when bodyKind is json). */
  json: unknown;
  /** The JSON body's bytes, as received and as forwarded: where JSON.parse merged two members, they still show. */
  jsonBytes: Buffer | null;
  /** The multipart `model` field (when bodyKind is form). */
  formModel: string | null;
  /** The `?model=` query parameter. */
  queryModel: string | null;
  /** The endpoint's indirect models were read and checked elsewhere (a batch's input file, batch-gate.ts). */
  indirectChecked?: boolean;
}

const NONE: NamedModels = { top: null, nested: [], members: 0 };

const PROBLEMS: Record<ModelNameProblem, string> = {
  empty: 'may not be empty',
  too_long: `may not be longer than ${MAX_MODEL_NAME_LENGTH} characters`,
  whitespace: 'may not start or end with whitespace',
  control: 'may not contain control or invisible characters',
};

/**
 * The model a request asks for, as its usage row records it even when the request is refused: the JSON body's own
 * `model`, else the multipart field, the path, the query. At most 256 characters; null when it names none.
 */
export function requestedModel(claims: ModelClaims): string | null {
  const { json } = claims;
  const top = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as { model?: unknown }).model : undefined;
  const named = typeof top === 'string' ? top : (claims.formModel ?? claims.endpoint?.pathModel ?? claims.queryModel);
  if (named === null || named.length <= MAX_MODEL_NAME_LENGTH) return named;
  // Do not cut a surrogate pair in two.
  const end = /[\uD800-\uDBFF]/.test(named[MAX_MODEL_NAME_LENGTH - 1]!) ? MAX_MODEL_NAME_LENGTH - 1 : MAX_MODEL_NAME_LENGTH;
  return named.slice(0, end);
}

/**
 * Reads the request one way, as upstream will, then applies the model policy: every model the request names must be
 * allowed, and a key with a policy is refused where the model cannot be known (an endpoint that takes one but names
 * none here, or reaches models indirectly). Models are read where OpenAI's spec puts them (the body's own `model`,
 * the endpoint's nested places, the multipart field, the path, `?model=`), nowhere else. Returns the model to log
 * (null when none is named). Throws 400 `ambiguous_request` (a model member given twice or spelled two ways),
 * 400 `invalid_model` (a name that is not a string, padded, with control characters, or too long), else a 403
 * ProxyError (404 for `/models/{model}`).
 */
export function authorize(subkey: SubkeyState, claims: ModelClaims): string | null {
  const { endpoint } = claims;
  const places = modelPlacesOf(endpoint?.spec);
  const { top: jsonModel, nested, members } = claims.json === undefined ? NONE : readModels(claims.json, places);
  if (claims.jsonBytes !== null && repeatsModelMember(claims.jsonBytes, places, members)) {
    throw proxyErrors.ambiguousRequest('the JSON body gives a model (or a member holding one) twice in one object, or nests too deep to tell');
  }
  const pathModel = endpoint?.pathModel ?? null;
  checkName(jsonModel);
  checkName(claims.formModel);
  checkName(pathModel);
  checkName(claims.queryModel);
  for (const model of nested) checkName(model);
  const named = jsonModel ?? claims.formModel ?? pathModel ?? claims.queryModel;
  if (!subkey.restricted) return named;

  if (endpoint?.spec.mints?.sessionModel) {
    // The credential is bound to `session.model` (checked with the nested models below): it must be named, not left
    // to OpenAI's default.
    const session = (claims.json as { session?: { model?: unknown } } | undefined)?.session;
    if (typeof session?.model !== 'string') throw proxyErrors.modelUnknown('(expected in "session.model")');
  } else if (endpoint?.spec.indirect && !claims.indirectChecked) throw proxyErrors.indirectModel(endpoint.spec.indirect);
  if (pathModel !== null && !isModelAllowed(subkey.policy, pathModel)) throw proxyErrors.modelNotFound(pathModel);
  for (const model of [jsonModel, claims.queryModel, claims.formModel, ...nested]) {
    if (model !== null && !isModelAllowed(subkey.policy, model)) throw proxyErrors.modelForbidden(model);
  }

  const sources = endpoint?.spec.model ?? [];
  if (sources.length > 0) {
    const found =
      (sources.includes('json') && claims.bodyKind === 'json' && jsonModel !== null) ||
      (sources.includes('form') && claims.bodyKind === 'form' && claims.formModel !== null) ||
      (sources.includes('query') && claims.queryModel !== null) ||
      (sources.includes('path') && pathModel !== null);
    if (!found) throw proxyErrors.modelUnknown(describe(sources));
  }
  return named;
}

function checkName(model: string | null): void {
  const problem = model === null ? null : modelNameProblem(model);
  if (problem) throw proxyErrors.invalidModel(PROBLEMS[problem]);
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
