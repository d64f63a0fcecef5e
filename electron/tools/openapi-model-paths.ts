/**
 * Where OpenAI's spec lets a JSON request body name a model: every property path that ends in a property named
 * `model`, found by walking each operation's request-body schema (`$ref`s, `allOf`/`anyOf`/`oneOf`, arrays, maps).
 * Paths are written as the proxy reads them: `tools[].model` is the `model` of each element of `tools`, `a.*.model`
 * the `model` of each value of the map `a`. Used by generate-openai-endpoints.ts.
 */

/** A parsed OpenAPI document, as far as this walk reads it. */
export interface OpenApiDocument {
  paths?: Record<string, Record<string, unknown>>;
  components?: Record<string, unknown>;
}

type Schema = Record<string, unknown>;

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

/** Whether a media type carries JSON (`application/json`, `application/merge-patch+json`, …). */
export function isJsonMedia(type: string): boolean {
  return /^application\/(?:[\w.+-]+\+)?json\b/i.test(type);
}

/** Whether a spec node is a schema object. */
export function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The target of a local `$ref` (`#/components/schemas/X`, JSON-pointer escapes undone). */
export function resolveRef(document: OpenApiDocument, ref: string): Schema {
  if (!ref.startsWith('#/')) throw new Error(`Only local $refs are supported, got ${ref}`);
  let node: unknown = document;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = isSchema(node) ? node[key] : undefined;
  }
  if (!isSchema(node)) throw new Error(`Unresolved $ref ${ref}`);
  return node;
}

/**
 * Every `model` path in `schema`, sorted. A `$ref` already being walked is not entered again (the spec has recursive
 * schemas); if such a cut-off schema itself names a model, the paths would be unbounded and this throws.
 */
export function modelPathsOf(document: OpenApiDocument, schema: unknown): string[] {
  return memberPathsOf(document, schema, { what: 'a model', matches: (name) => name === 'model' });
}

/** What memberPathsOf looks for, and what it does not walk into. */
export interface MemberSearch {
  /** For the error a recursive schema causes: "names <what>". */
  what: string;
  /** A property whose path is wanted. */
  matches: (name: string) => boolean;
  /** A property not walked into (nor matched). */
  skipsMember?: (name: string) => boolean;
  /** A `$ref`'d schema not walked into, by its last segment. */
  skipsRef?: (name: string) => boolean;
}

/**
 * Every path in `schema` to a property `search` matches, sorted, written as the proxy reads them (`a[].b`, `a.*.b`).
 * A `$ref` already being walked is not entered again (the spec has recursive schemas); if such a cut-off schema itself
 * holds a match, the paths would be unbounded and this throws.
 */
export function memberPathsOf(document: OpenApiDocument, schema: unknown, search: MemberSearch): string[] {
  const found = new Set<string>();
  const cutRefs = new Set<string>();
  walk(document, search, schema, [], [], found, cutRefs);
  for (const ref of cutRefs) {
    const inside = new Set<string>();
    walk(document, search, resolveRef(document, ref), [], [ref], inside, new Set());
    if (inside.size > 0) throw new Error(`${ref} is recursive and names ${search.what} (${[...inside].join(', ')}): the proxy could not read it at fixed paths`);
  }
  return [...found].sort();
}

function walk(
  document: OpenApiDocument,
  search: MemberSearch,
  schema: unknown,
  path: readonly string[],
  refs: readonly string[],
  found: Set<string>,
  cutRefs: Set<string>,
): void {
  if (!isSchema(schema)) return;
  const deeper = (node: unknown, at: readonly string[], within = refs): void => walk(document, search, node, at, within, found, cutRefs);
  if (typeof schema.$ref === 'string') {
    if (search.skipsRef?.(schema.$ref.slice(schema.$ref.lastIndexOf('/') + 1))) return;
    if (refs.includes(schema.$ref)) {
      cutRefs.add(schema.$ref);
      return;
    }
    deeper(resolveRef(document, schema.$ref), path, [...refs, schema.$ref]);
  }
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    const variants = schema[key];
    if (Array.isArray(variants)) for (const variant of variants) deeper(variant, path);
  }
  const inArray = (): string[] => (path.length === 0 ? ['[]'] : [...path.slice(0, -1), `${path[path.length - 1]}[]`]);
  if (schema.items !== undefined) deeper(schema.items, inArray());
  if (Array.isArray(schema.prefixItems)) for (const item of schema.prefixItems) deeper(item, inArray());
  if (isSchema(schema.additionalProperties)) deeper(schema.additionalProperties, [...path, '*']);
  if (isSchema(schema.patternProperties)) {
    for (const value of Object.values(schema.patternProperties)) deeper(value, [...path, '*']);
  }
  if (isSchema(schema.properties)) {
    for (const [name, value] of Object.entries(schema.properties)) {
      if (search.skipsMember?.(name)) continue;
      const next = [...path, name];
      if (search.matches(name)) found.add(next.join('.'));
      deeper(value, next);
    }
  }
}

/**
 * The `model` paths of every operation's JSON request body (none for an operation without one), keyed `METHOD /path` (the path without its query, so
 * `/responses?beta=true` adds to `/responses`).
 */
export function modelPathsByOperation(document: OpenApiDocument): Map<string, string[]> {
  return requestBodyPathsByOperation(document, modelPathsOf);
}

/**
 * What `pathsOf` finds in every operation's JSON request body (none for an operation without one), keyed
 * `METHOD /path` (the path without its query, so `/responses?beta=true` adds to `/responses`), sorted.
 */
export function requestBodyPathsByOperation(
  document: OpenApiDocument,
  pathsOf: (document: OpenApiDocument, schema: unknown) => string[],
): Map<string, string[]> {
  const byOperation = new Map<string, Set<string>>();
  for (const [rawPath, item] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(item)) {
      if (!METHODS.has(method) || !isSchema(operation)) continue;
      const key = `${method.toUpperCase()} ${rawPath.split('?')[0]}`;
      const paths = byOperation.get(key) ?? new Set<string>();
      byOperation.set(key, paths);
      let body = operation.requestBody;
      if (isSchema(body) && typeof body.$ref === 'string') body = resolveRef(document, body.$ref);
      if (!isSchema(body) || !isSchema(body.content)) continue;
      for (const [type, media] of Object.entries(body.content)) {
        if (isJsonMedia(type) && isSchema(media)) for (const found of pathsOf(document, media.schema)) paths.add(found);
      }
    }
  }
  return new Map([...byOperation].map(([key, paths]) => [key, [...paths].sort()]));
}
