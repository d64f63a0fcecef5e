import type { EndpointGroup } from '../../shared/permissions';

/** Where a request names its model: JSON body `model`, multipart field `model`, `?model=`, or the `{model}` path segment. */
export type ModelSource = 'json' | 'form' | 'query' | 'path';

/** One OpenAI endpoint (path relative to /v1, `{param}` placeholders) and where its request names the model. */
export interface EndpointSpec {
  method: string;
  path: string;
  /** The permission group the endpoint belongs to (`admin`: OpenAI's Admin API, never forwarded). */
  group: EndpointGroup;
  /** Empty when the endpoint takes no model. */
  model: readonly ModelSource[];
  /** Why the endpoint reaches models the proxy cannot see (refused for sub-keys with a model policy). */
  indirect?: string;
  /**
   * The answer is a credential for talking to OpenAI directly (needs `permissions.mintCredentials`). `expiresAfter`:
   * its lifetime is `expires_after.seconds` of the body (capped by Keygate); `sessionModel`: it is bound to
   * `session.model`, so a key with a model policy may mint one when that model is allowed.
   */
  mints?: { expiresAfter: boolean; sessionModel: boolean };
  /**
   * Where a JSON body names models below its own top-level `model` (which is always read), as paths from OpenAI's
   * spec: `tools[].model` is the `model` of each element of `tools`, `a.*.model` of each value of the map `a`.
   */
  nestedModels?: readonly string[];
  /**
   * Where a JSON body names objects whose owner Keygate records (`file_id`, `previous_response_id`, `conversation`,
   * `tools[].vector_store_ids`, …), as paths from OpenAI's spec written like `nestedModels` (object-ownership.ts).
   */
  objectIds?: readonly string[];
}
